import type { CourseChanges } from "../courses/courseChanges.js";
import type { CourseIssue } from "../courses/issues.js";
import type { CourseVersion } from "../db/courseVersionsRepo.js";
import { pickText, type Translated } from "../domain/course.js";
import type { Locale } from "../domain/locale.js";
import { renderIssue } from "./courseIssues.js";
import { formatDate, formatDateTime, quoted } from "./format.js";
import { escapeHtml, type T } from "./i18n.js";

/** Texts of uploads through the chat and of /versions (bot/features/courseUpload.ts). */

const MB = 1024 * 1024;
export const megabytes = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

/** Every issue as `file:line field: level: message`, in the reader's language, escaped for HTML. */
export function issueLines(t: T, file: string, issues: readonly CourseIssue[]): string[] {
  return issues.map((i) => `• ${escapeHtml(renderIssue(t, file, i))}`);
}

export interface SummaryContext {
  lang: Locale;
  timezone: string;
  languages: readonly string[];
  /** Module titles by position, old ones for removed modules. */
  moduleTitle: (position: number) => Translated | undefined;
}

/** What the import changes, one line per change, in the reader's language. */
export function changeLines(t: T, c: CourseChanges, ctx: SummaryContext): string[] {
  const when = (ms: number) => formatDate(ms, ctx.lang, ctx.timezone);
  const moduleName = (k: number) => {
    const title = ctx.moduleTitle(k);
    return title ? `${k + 1} ${quoted(pickText(title, ctx.lang, ctx.languages), ctx.lang)}` : String(k + 1);
  };
  const list = (ks: number[]) => ks.map(moduleName).join(", ");
  const lines: string[] = [];
  if (c.titleChanged) lines.push(t("upload.change.title"));
  for (const d of c.dates) {
    const what = t(`upload.change.${d.field}`);
    lines.push(
      d.from === null
        ? t("upload.change.date_new", { what, to: when(d.to) })
        : t("upload.change.date", { what, from: when(d.from), to: when(d.to) }),
    );
  }
  if (c.modulesAdded.length > 0) lines.push(t("upload.change.modules_added", { list: list(c.modulesAdded) }));
  if (c.modulesRemoved.length > 0) lines.push(t("upload.change.modules_removed", { list: list(c.modulesRemoved) }));
  if (c.modulesChanged.length > 0) lines.push(t("upload.change.modules_changed", { list: list(c.modulesChanged) }));
  for (const q of c.quizzesAdded) lines.push(t("upload.change.quiz_added", { module: q.position + 1, count: q.questions }));
  for (const q of c.quizzesChanged) lines.push(t("upload.change.quiz_changed", { module: q.position + 1, count: q.questions }));
  for (const k of c.quizzesRemoved) lines.push(t("upload.change.quiz_removed", { module: k + 1 }));
  for (const q of c.questionnaires) lines.push(t(`upload.change.questionnaire_${q.change}`, { kind: t(`upload.change.${q.kind}`) }));
  if (lines.length === 0) lines.push(t("upload.change.none"));
  return lines;
}

/** One line of /versions. */
export function versionLine(t: T, v: CourseVersion, current: boolean, lang: Locale, timezone: string, who: string): string {
  const origin =
    v.origin === "rollback" ? t("versions.origin_rollback", { from: v.restoredFrom ?? "?" }) : t(`versions.origin_${v.origin}`);
  const line = t("versions.line", { version: v.version, origin, when: formatDateTime(v.createdAt, lang, timezone), who });
  return current ? `<b>${line}</b> ${t("versions.current")}` : line;
}
