/** Texts and keyboards of the questionnaires, shared by the conversation, the offers and the results. */
import { InlineKeyboard } from "grammy";
import type { Locale } from "../domain/locale.js";
import { pickText, type Translated } from "../domain/course.js";
import type { AnswerValue, InputError, Question, QuestionnaireKind } from "../domain/questionnaire.js";
import { RULES } from "../domain/rules.js";
import { formatNumber } from "./format.js";
import { escapeHtml, type T } from "./i18n.js";
import { surveyDone, surveyMove, surveyToggle, surveyValue } from "./callbackData.js";

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

/** Answer buttons of versions before the codecs (`qa:<response>:<position>:<action>[:<n>]`): they resume the questionnaire. */
export const LEGACY_ANSWER_DATA_RE = /^qa:(\d+):(\d+):([a-z]+)(?::(\d+))?$/;

/** The options of a multiple-choice question ticked in `selected`, as a bit mask of their indexes. */
export function selectionMask(q: Question, selected: readonly string[]): number {
  if (q.type !== "multiple") return 0;
  return q.options.reduce((mask, o, i) => (selected.includes(o.id) ? mask | (1 << i) : mask), 0);
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

export function questionKeyboard(t: T, s: QuestionnaireSession, position: number, lang: Locale, mask = 0): InlineKeyboard {
  const q = s.questions[position]!;
  const rid = s.responseId;
  const kb = new InlineKeyboard();
  switch (q.type) {
    case "rating": {
      const points = q.max - q.min + 1;
      const perRow = points <= 6 ? points : Math.ceil(points / 2);
      for (let i = 0; i < points; i++) {
        if (i > 0 && i % perRow === 0) kb.row();
        kb.text(String(q.min + i), surveyValue.encode(rid, position, i));
      }
      kb.row();
      break;
    }
    case "single":
      q.options.forEach((o, i) =>
        kb
          .text(shorten(pickText(o.text, lang, s.languages), RULES.questionnaire.maxOptionLength + 4), surveyValue.encode(rid, position, i))
          .row(),
      );
      break;
    case "multiple":
      q.options.forEach((o, i) => {
        const mark = mask & (1 << i) ? "☑️" : "⬜️";
        kb.text(
          `${mark} ${shorten(pickText(o.text, lang, s.languages), RULES.questionnaire.maxOptionLength)}`,
          surveyToggle.encode(rid, position, i, mask),
        ).row();
      });
      kb.text(t("survey.buttons.done"), surveyDone.encode(rid, position, mask)).row();
      break;
    case "yes_no":
      kb.text(t("survey.yes"), surveyValue.encode(rid, position, 1))
        .text(t("survey.no"), surveyValue.encode(rid, position, 0))
        .row();
      break;
    case "text":
    case "number":
      if (s.answers[q.id] !== undefined && s.answers[q.id] !== null)
        kb.text(t("survey.buttons.keep"), surveyMove.encode(rid, position, "keep")).row();
      break;
  }
  if (position > 0) kb.text(t("survey.buttons.back"), surveyMove.encode(rid, position, "back"));
  if (!q.required) kb.text(t("survey.buttons.skip"), surveyMove.encode(rid, position, "skip"));
  return kb;
}

/** The buttons under the summary: submit, or go back to the last question. */
export function summaryKeyboard(t: T, s: QuestionnaireSession, position: number): InlineKeyboard {
  return new InlineKeyboard()
    .text(t("survey.buttons.submit"), surveyMove.encode(s.responseId, position, "submit"))
    .row()
    .text(t("survey.buttons.back"), surveyMove.encode(s.responseId, position, "back"));
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
