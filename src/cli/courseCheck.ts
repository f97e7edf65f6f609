import { existsSync, statSync } from "node:fs";
import { loadDotEnv } from "../config.js";
import { scanCourseDir, validateCourseFile } from "../courses/loadCourses.js";
import { renderIssue } from "../messages/courseIssues.js";
import { translator } from "../messages/i18n.js";

/**
 * npm run course:check -- <file or folder>...
 * Prints every error and warning with file:line, field, the value found and the rule.
 * Exit code 1 when any file has an error, so it can guard a CI of course content.
 */
/** Said once when a bank has broken questions: the author may fix them or import the others. */
const BANK_HINT =
  "Broken questions in a bank refuse the course. Fix them at the lines above, or add “import: valid-only” to the module's quiz to import the valid questions and skip these (the quiz card then tells learners how many were skipped).";

function main(args: string[]): number {
  let skippedHint = "";
  loadDotEnv();
  const timezone = process.env.TIMEZONE?.trim() || "Asia/Almaty";
  const t = translator("en");
  const targets = args.length > 0 ? args : [process.env.COURSES_DIR?.trim() || "./courses"];
  let errors = 0;
  let warnings = 0;
  let notes = 0;
  for (const target of targets) {
    if (!existsSync(target)) {
      console.error(`${target}: no such file or folder`);
      errors++;
      continue;
    }
    const scan = statSync(target).isDirectory() ? scanCourseDir(target) : { files: [target], skipped: [] };
    for (const s of scan.skipped) {
      console.log(renderIssue(t, s.file, s.issue));
      console.log(`${s.file}: SKIPPED`);
      errors++;
    }
    const files = scan.files;
    for (const file of files) {
      const { course, issues } = validateCourseFile(null, file, { now: Date.now(), defaultTimezone: timezone });
      for (const issue of issues) console.log(renderIssue(t, file, issue));
      const e = issues.filter((i) => i.level === "error").length;
      const n = issues.filter((i) => i.level === "note").length;
      errors += e;
      notes += n;
      warnings += issues.length - e - n;
      if (issues.some((i) => i.level === "error" && /^(aiken|gift|xml|limit)_/.test(i.code))) skippedHint = BANK_HINT;
      console.log(course ? `${file}: OK, course “${course.id}” (${course.modules.length} modules)` : `${file}: INVALID (${e} errors)`);
    }
  }
  console.log(`${errors} errors, ${warnings} warnings${notes ? `, ${notes} notes` : ""}`);
  if (skippedHint) console.log(skippedHint);
  return errors > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
