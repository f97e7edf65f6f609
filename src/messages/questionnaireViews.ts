/** Texts and keyboards of the questionnaires, shared by the conversation, the offers and the results. */
import { InlineKeyboard } from "grammy";
import type { Locale } from "../domain/locale.js";
import { pickText, type Translated } from "../domain/course.js";
import type { AnswerValue, InputError, Question, QuestionnaireKind } from "../domain/questionnaire.js";
import { RULES } from "../domain/rules.js";
import { formatNumber } from "./format.js";
import { escapeHtml, type T } from "./i18n.js";

export interface QuestionnaireSession {
  responseId: number;
  courseId: string;
  kind: QuestionnaireKind;
  title: Translated;
  languages: string[];
  questions: Question[];
  answers: Record<string, AnswerValue>;
  position: number;
  submittedAt: number | null;
  timezone: string;
}

/** Callback data of the answer buttons: `qa:<response>:<position>:<action>[:<n>]` (stale presses are detected). */
export const ANSWER_DATA_RE = /^qa:(\d+):(\d+):([a-z]+)(?::(\d+))?$/;

export function answerData(responseId: number, position: number, action: string, n?: number): string {
  return `qa:${responseId}:${position}:${action}${n === undefined ? "" : `:${n}`}`;
}

export function sessionTitle(s: QuestionnaireSession, lang: Locale): string {
  return pickText(s.title, lang, s.languages);
}

import { shorten } from "../domain/text.js";
export { shorten };

/** An answer as a learner or an author reads it (plain text, not escaped). */
export function answerText(t: T, q: Question, v: AnswerValue | undefined, lang: Locale, languages: readonly string[]): string {
  if (v === undefined) return t("survey.no_answer");
  if (v === null) return t("survey.skipped");
  switch (q.type) {
    case "rating":
    case "number":
      return typeof v === "number" ? formatNumber(v, lang, 2) : String(v);
    case "yes_no":
      return t(v ? "survey.yes" : "survey.no");
    case "single":
      return optionText(q, String(v), lang, languages);
    case "multiple":
      return (Array.isArray(v) ? v : [String(v)]).map((id) => optionText(q, id, lang, languages)).join("; ");
    case "text":
      return String(v);
  }
}

export function optionText(q: Question, id: string, lang: Locale, languages: readonly string[]): string {
  if (q.type !== "single" && q.type !== "multiple") return id;
  const o = q.options.find((x) => x.id === id);
  return o ? pickText(o.text, lang, languages) : id;
}

/** How to answer, under the question. */
function hint(t: T, q: Question, lang: Locale, languages: readonly string[]): string {
  switch (q.type) {
    case "rating": {
      const lo = q.minLabel ? ` — ${pickText(q.minLabel, lang, languages)}` : "";
      const hi = q.maxLabel ? ` — ${pickText(q.maxLabel, lang, languages)}` : "";
      return t("survey.hint.rating", { min: q.min, max: q.max, minLabel: lo, maxLabel: hi });
    }
    case "single":
      return t("survey.hint.single");
    case "multiple":
      return t("survey.hint.multiple");
    case "yes_no":
      return t("survey.hint.yes_no");
    case "text":
      return t("survey.hint.text", { max: q.maxLength });
    case "number":
      if (q.min !== undefined && q.max !== undefined) return t("survey.hint.number_range", { min: q.min, max: q.max });
      if (q.min !== undefined) return t("survey.hint.number_min", { min: q.min });
      if (q.max !== undefined) return t("survey.hint.number_max", { max: q.max });
      return t("survey.hint.number");
  }
}

export function questionText(t: T, s: QuestionnaireSession, position: number, lang: Locale, withCurrent = true): string {
  const q = s.questions[position]!;
  const lines = [
    t(`survey.progress_${s.kind}`, { title: pickText(s.title, lang, s.languages), n: position + 1, total: s.questions.length }),
    "",
    `<b>${escapeHtml(pickText(q.text, lang, s.languages))}</b>`,
    `<i>${hint(t, q, lang, s.languages)}</i>`,
  ];
  if (!q.required) lines.push(t("survey.optional"));
  const current = s.answers[q.id];
  if (withCurrent && current !== undefined) {
    lines.push("", t("survey.current_answer", { answer: shorten(answerText(t, q, current, lang, s.languages), 500) }));
  }
  return lines.join("\n");
}

export function questionKeyboard(t: T, s: QuestionnaireSession, position: number, lang: Locale, selected: readonly string[] = []): InlineKeyboard {
  const q = s.questions[position]!;
  const d = (action: string, n?: number) => answerData(s.responseId, position, action, n);
  const kb = new InlineKeyboard();
  switch (q.type) {
    case "rating": {
      const points = q.max - q.min + 1;
      const perRow = points <= 6 ? points : Math.ceil(points / 2);
      for (let i = 0; i < points; i++) {
        if (i > 0 && i % perRow === 0) kb.row();
        kb.text(String(q.min + i), d("v", i));
      }
      kb.row();
      break;
    }
    case "single":
      q.options.forEach((o, i) => kb.text(shorten(pickText(o.text, lang, s.languages), RULES.questionnaire.maxOptionLength + 4), d("v", i)).row());
      break;
    case "multiple":
      q.options.forEach((o, i) => {
        const mark = selected.includes(o.id) ? "☑️" : "⬜️";
        kb.text(`${mark} ${shorten(pickText(o.text, lang, s.languages), RULES.questionnaire.maxOptionLength)}`, d("t", i)).row();
      });
      kb.text(t("survey.buttons.done"), d("d")).row();
      break;
    case "yes_no":
      kb.text(t("survey.yes"), d("y")).text(t("survey.no"), d("n")).row();
      break;
    case "text":
    case "number":
      if (s.answers[q.id] !== undefined && s.answers[q.id] !== null) kb.text(t("survey.buttons.keep"), d("k")).row();
      break;
  }
  if (position > 0) kb.text(t("survey.buttons.back"), d("b"));
  if (!q.required) kb.text(t("survey.buttons.skip"), d("s"));
  return kb;
}

/** The answers, one question per line (free text shortened to `textMax`). */
export function answerLines(t: T, s: QuestionnaireSession, lang: Locale, textMax = 300): string[] {
  return s.questions.map((q, i) => {
    const answer = shorten(answerText(t, q, s.answers[q.id], lang, s.languages), textMax);
    return `${i + 1}. ${escapeHtml(shorten(pickText(q.text, lang, s.languages), 200))}\n   → <b>${escapeHtml(answer)}</b>`;
  });
}

export function inputErrorText(t: T, e: InputError): string {
  const { code, ...params } = e;
  return t(`survey.error.${code}`, params);
}
