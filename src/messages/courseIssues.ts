import { pathToString, type CourseIssue } from "../courses/issues.js";
import type { FileReport } from "../courses/loadCourses.js";
import { escapeHtml, translator, type T } from "./i18n.js";

/**
 * "courses/intro.yaml:42 modules[0].announcement.kk: error: ..." in the reader's language: the
 * place (file, line, field path) stays as written, so it can be searched for in the file.
 */
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

/**
 * What an author reads about course files just loaded (/reload, and any other way a course file
 * arrives): per file whether it was loaded, then each of its issues; HTML-escaped, for parse_mode HTML.
 */
export function renderFileReports(t: T, reports: FileReport[]): string[] {
  return reports.flatMap((r) => [
    t(r.loaded ? (r.unchanged ? "reload.unchanged" : "reload.loaded") : "reload.failed", { file: r.file, id: r.courseId ?? "?" }),
    ...r.issues.map((i) => `• ${escapeHtml(renderIssue(t, r.file, i))}`),
  ]);
}
