import { InlineKeyboard } from "grammy";
import type { Locale } from "../domain/locale.js";
import { pickText } from "../domain/course.js";
import { ageParts, snippet } from "../domain/questions.js";
import type { CsvCell } from "../domain/csv.js";
import { RULES } from "../domain/rules.js";
import { toLocal } from "../domain/time.js";
import type { Course, Learner, Module, Question } from "../db/schema/index.js";
import type { OpenQuestionList, QuestionRow } from "../db/questionsRepo.js";
import { escapeHtml, type T } from "./i18n.js";
import { courseTitle } from "./courseViews.js";
import { assistantButton } from "./callbackData.js";

export const LANGUAGE_LABELS: Record<string, string> = { kk: "🇰🇿 Қазақша", ru: "🇷🇺 Русский", en: "🇬🇧 English" };

/** The learner as the assistants see them: name and @username (never shown to other learners). */
export function learnerName(l: Pick<Learner, "firstName" | "lastName" | "username">): string {
  const name = [l.firstName, l.lastName].filter(Boolean).join(" ").trim() || "—";
  return l.username ? `${name} (@${l.username})` : name;
}

/** "Week 2: Loops" in HTML (escaped), or as plain text for the CSV when `plain` is set. */
export function moduleLabel(t: T, course: Course, modules: Module[], position: number | null, lang: Locale, plain = false): string {
  if (position === null) return t("assist.module_general");
  const m = modules.find((x) => x.position === position);
  const interpolation = plain ? { escapeValue: false } : undefined;
  return m
    ? t("assist.module_week", { week: position + 1, title: pickText(m.title, lang, course.languages), interpolation })
    : t("assist.module_week_only", { week: position + 1 });
}

/** The message the assistants reply to: everything they need to answer, in the chat's language. */
export function questionHeader(t: T, q: Question, ctx: { course: Course; modules: Module[]; learner: Learner; lang: Locale }): string {
  const lines = [
    t("assist.header", {
      number: q.id,
      course: courseTitle(ctx.course, ctx.lang),
      module: moduleLabel(t, ctx.course, ctx.modules, q.modulePosition, ctx.lang),
      name: learnerName(ctx.learner),
      language: LANGUAGE_LABELS[ctx.learner.language] ?? ctx.learner.language,
    }),
  ];
  if (q.text) lines.push("", escapeHtml(q.text));
  if (q.mediaKind) lines.push("", t(`assist.media_below.${q.mediaKind}`));
  lines.push("", t("assist.reply_hint"));
  return lines.join("\n");
}

/** Buttons under the question in the assistants' chat; they follow the question's state. */
export function assistantKeyboard(t: T, q: Pick<Question, "id" | "state" | "forInstructor">): InlineKeyboard {
  const kb = new InlineKeyboard();
  if (q.state === "open") kb.text(t("assist.buttons.close"), assistantButton.encode("c", q.id));
  else kb.text(t("assist.buttons.reopen"), assistantButton.encode("o", q.id));
  if (q.forInstructor) kb.text(t("assist.buttons.not_instructor"), assistantButton.encode("n", q.id));
  else kb.text(t("assist.buttons.instructor"), assistantButton.encode("i", q.id));
  return kb;
}

export function ageText(t: T, ms: number): string {
  const { days, hours, minutes } = ageParts(ms);
  if (days > 0) return t("assist.age.days", { d: days, h: hours });
  if (hours > 0) return t("assist.age.hours", { h: hours, m: minutes });
  return t("assist.age.minutes", { m: minutes });
}

function listItem(t: T, row: QuestionRow, lang: Locale, now: number): string {
  const q = row.question;
  const text = q.text ? snippet(q.text, RULES.questions.listSnippetLength) : t(`assist.media_only.${q.mediaKind ?? "photo"}`);
  return t("assist.list.item", {
    number: q.id,
    age: ageText(t, now - q.createdAt),
    course: courseTitle(row.course, lang),
    module: q.modulePosition === null ? t("assist.module_general_short") : t("assist.module_week_only", { week: q.modulePosition + 1 }),
    name: learnerName(row.learner),
    text,
  });
}

/**
 * The instructor's list: questions waiting for an answer (oldest first, with their age), then the
 * ones an assistant passed to the instructor; each part says how many more there are beyond the
 * ones listed (the CSV export has them all). Returns lines for chunkLines().
 */
export function openQuestionLines(t: T, list: OpenQuestionList, lang: Locale, now: number): string[] {
  if (list.waitingTotal + list.instructorTotal === 0) return [t("assist.list.none")];
  const lines = [t("assist.list.header", { n: list.waitingTotal })];
  const part = (rows: QuestionRow[], total: number) => {
    for (const r of rows) lines.push(listItem(t, r, lang, now));
    if (total > rows.length) lines.push(t("assist.list.more", { count: total - rows.length }));
  };
  part(list.waiting, list.waitingTotal);
  if (list.instructorTotal > 0) {
    lines.push("", t("assist.list.instructor_header", { n: list.instructorTotal }));
    part(list.instructor, list.instructorTotal);
  }
  return lines;
}

/** "2026-09-01 09:00" in the zone: sorts and reads well in a spreadsheet. */
export function localStamp(ms: number | null, timeZone: string): string {
  if (ms === null) return "";
  const l = toLocal(ms, timeZone);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${l.year}-${p(l.month)}-${p(l.day)} ${p(l.hour)}:${p(l.minute)}`;
}

export function stateLabel(t: T, q: Pick<Question, "state" | "forInstructor" | "closedWithoutReply">, prefix: "ask" | "assist"): string {
  if (q.state === "answered") return t(`${prefix}.state.${q.closedWithoutReply ? "closed" : "answered"}`);
  return t(`${prefix}.state.${q.forInstructor ? "instructor" : "open"}`);
}

/** The CSV export's header, in the assistants' language. */
export function questionCsvHeader(t: T): string[] {
  return [
    "number",
    "state",
    "course",
    "module",
    "learner",
    "language",
    "asked_at",
    "question",
    "attachment",
    "replies",
    "answered_at",
    "answered_by",
  ].map((c) => t(`assist.csv.col.${c}`));
}

/** One question as a CSV record (cells go through domain/csv.ts, which guards against formulas). */
export function questionCsvCells(
  t: T,
  row: QuestionRow,
  lang: Locale,
  timeZone: string,
  modulesOf: (courseId: string) => Module[],
): CsvCell[] {
  const { question: q, course, learner } = row;
  return [
    q.id,
    stateLabel(t, q, "assist"),
    courseTitle(course, lang),
    moduleLabel(t, course, modulesOf(course.id), q.modulePosition, lang, true),
    learnerName(learner),
    learner.language,
    localStamp(q.createdAt, timeZone),
    q.text,
    q.mediaKind ? t(`assist.csv.media.${q.mediaKind}`) : "",
    q.replyCount,
    localStamp(q.answeredAt, timeZone),
    q.answeredByName ?? "",
  ];
}
