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
function main(args: string[]): number {
  loadDotEnv();
  const timezone = process.env.TIMEZONE?.trim() || "Asia/Almaty";
  const t = translator("en");
  const targets = args.length > 0 ? args : [process.env.COURSES_DIR?.trim() || "./courses"];
  let errors = 0;
  let warnings = 0;
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
      errors += e;
      warnings += issues.length - e;
      console.log(course ? `${file}: OK, course «${course.id}» (${course.modules.length} modules)` : `${file}: INVALID (${e} errors)`);
    }
  }
  console.log(`${errors} errors, ${warnings} warnings`);
  return errors > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
