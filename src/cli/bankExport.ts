import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadDotEnv } from "../config.js";
import { questionsToGift } from "../courses/giftExport.js";
import { validateCourseFile } from "../courses/loadCourses.js";
import { renderIssue } from "../messages/courseIssues.js";
import { translator } from "../messages/i18n.js";

/**
 * npm run bank:export -- <course.yaml> [out folder]
 * Writes every module's quiz bank as Moodle GIFT, one file per language:
 * <out>/<course id>.week<N>.<lang>.gift (default out folder: ./export). Importing those files
 * back (in Moodle, or as a «gift» bank of a course file) gives the same questions; what GIFT
 * cannot carry (photos, a fixed option order) is listed.
 */
function main(args: string[]): number {
  loadDotEnv();
  const [file, out = "./export"] = args;
  if (!file) {
    console.error("usage: npm run bank:export -- <course.yaml> [out folder]");
    return 2;
  }
  const { course, issues } = validateCourseFile(null, file, {
    now: Date.now(),
    defaultTimezone: process.env.TIMEZONE?.trim() || "Asia/Almaty",
  });
  if (!course) {
    const t = translator("en");
    for (const i of issues) console.error(renderIssue(t, file, i));
    console.error(`${file}: the course has errors; fix them first (npm run course:check)`);
    return 1;
  }
  mkdirSync(out, { recursive: true });
  let written = 0;
  for (const m of course.modules) {
    if (!m.quiz) continue;
    for (const lang of course.languages) {
      const gift = questionsToGift(m.quiz.questions, lang);
      const target = join(out, `${course.id}.week${m.position + 1}.${lang}.gift`);
      writeFileSync(target, `// ${course.id}, week ${m.position + 1} (${lang}): exported by npm run bank:export\n\n${gift.text}`);
      console.log(`${target}: ${m.quiz.questions.length} questions`);
      for (const l of gift.losses) console.log(`  question ${l.number}: GIFT cannot carry the ${l.what}`);
      written++;
    }
  }
  console.log(`${written} files written`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
