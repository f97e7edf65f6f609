import type { T } from "../messages/i18n.js";
import { pathToString, type CourseIssue } from "./validate.js";

/** "courses/intro.yaml:42 modules[0].announcement.kk: error: ... " */
export function renderIssue(t: T, file: string, issue: CourseIssue): string {
  const source = issue.file ?? file;
  const where = issue.line ? `${source}:${issue.line}` : source;
  const field = pathToString(issue.path);
  const level = t(`validation.level.${issue.level}`);
  const message = t(`validation.${issue.code}`, { ...issue.params, interpolation: { escapeValue: false } });
  return `${where}${field ? ` ${field}` : ""}: ${level}: ${message}`;
}
