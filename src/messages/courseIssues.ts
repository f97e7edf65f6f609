import { pathToString, type CourseIssue } from "../courses/issues.js";
import type { FileReport } from "../courses/loadCourses.js";
import { translator, type T } from "./i18n.js";

/** "courses/intro.yaml:42 modules[0].announcement.kk: error: ... " */
export function renderIssue(t: T, file: string, issue: CourseIssue): string {
  const source = issue.file ?? file;
  const where = issue.line ? `${source}:${issue.line}` : source;
  const field = pathToString(issue.path);
  const level = t(`validation.level.${issue.level}`);
  const message = t(`validation.${issue.code}`, { ...issue.params, interpolation: { escapeValue: false } });
  return `${where}${field ? ` ${field}` : ""}: ${level}: ${message}`;
}

/** One line per report and issue, in English, for the process log. */
export function describeReports(reports: FileReport[]): string[] {
  const t = translator("en");
  return reports.flatMap((r) => [
    r.loaded
      ? `course ${r.courseId} ${r.unchanged ? "unchanged" : "loaded"} from ${r.file}`
      : `course file ${r.file} NOT loaded (${r.issues.filter((i) => i.level === "error").length} errors)`,
    ...r.issues.map((i) => `  ${renderIssue(t, r.file, i)}`),
  ]);
}
