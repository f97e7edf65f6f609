import { InlineKeyboard } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import type { Locale } from "../domain/locale.js";
import { pickText, type Translated } from "../domain/course.js";
import { effectiveWeights, gradeAnswer, type GivenAnswer, type QuizQuestion } from "../domain/quiz.js";
import { reviewAccess, type ReviewAccess } from "../domain/quizReview.js";
import { questionHtml, telegramHtmlToPlain } from "../domain/questionText.js";
import { escapeHtml, snippet } from "../domain/text.js";
import { RULES } from "../domain/rules.js";
import type { QuizWithModule } from "../db/quizRepo.js";
import type { QuizAnswer, QuizAttempt } from "../db/schema/index.js";
import { describeMatching } from "./bankViews.js";
import { reviewButton, reviewOpenButton } from "./callbackData.js";
import { formatDate, formatDeadline, formatNumber, quoted } from "./format.js";
import type { T } from "./i18n.js";
import { letter, moduleName, quizButton, reviewLine } from "./quizViews.js";

/**
 * Attempt review (issue 10 item 1): a summary of a finished attempt (one line per question), and
 * one screen per question with the learner's answer, whether it was right, the right answer, the
 * feedback and what to review. Pages are edited in place with Back/Next; each screen stays under
 * Telegram's 4,096 characters (long questions are shown as plain excerpts).
 */

export interface ReviewData {
  quiz: QuizWithModule;
  attempt: QuizAttempt;
  bank: readonly QuizQuestion[];
  /** The attempt's answers by item. */
  answers: ReadonlyMap<number, QuizAnswer>;
}

/** Number buttons on the summary only while they fit a tidy grid; longer attempts page with Next. */
const MAX_NUMBER_BUTTONS = 40;
const LIMIT = RULES.telegramMaxMessageLength;
/** The summary keeps this much room for its header and footer. */
const SUMMARY_BODY = LIMIT - 700;

function tx(t: Translated | undefined, lang: Locale, languages: readonly string[]): string {
  return t ? pickText(t, lang, languages) : "";
}

/** A question's text as a plain one-line excerpt (HTML questions lose their tags), escaped. */
function plainExcerpt(text: string, isHtml: boolean | undefined, max: number): string {
  return escapeHtml(snippet(isHtml ? telegramHtmlToPlain(text) : text, max));
}

type Mark = "right" | "partly" | "wrong" | "none";
const MARK_ICON: Record<Mark, string> = { right: "✅", partly: "🟡", wrong: "❌", none: "⚪" };

function markOf(a: QuizAnswer | undefined): Mark {
  if (!a) return "none";
  if (a.correct) return "right";
  return a.score > 0 ? "partly" : "wrong";
}

function verdict(t: T, lang: Locale, a: QuizAnswer | undefined): string {
  const mark = markOf(a);
  if (mark === "partly") return `${MARK_ICON.partly} ${t("quizReview.partly", { percent: formatNumber(a!.score * 100, lang, 0) })}`;
  return `${MARK_ICON[mark]} ${t(`quizReview.${mark}`)}`;
}

function header(t: T, lang: Locale, d: ReviewData): string {
  const { attempt, quiz } = d;
  return [
    `🔍 <b>${t("quizReview.title", { number: attempt.attemptNo })}</b>`,
    moduleName(t, quiz, lang),
    t(attempt.passed ? "quizReview.score_passed" : "quizReview.score_failed", {
      score: formatNumber(attempt.score ?? 0, lang),
      pass: formatNumber(quiz.quiz.passScore, lang),
    }),
  ].join("\n");
}

/** The attempt at a glance: one line per question with its mark, and buttons to open each. */
export function renderReviewSummary(t: T, lang: Locale, d: ReviewData): { text: string; keyboard: InlineKeyboard } {
  const { attempt, quiz, bank, answers } = d;
  const languages = quiz.course.languages;
  const n = attempt.variant.length;
  const excerpt = Math.max(0, Math.min(60, Math.floor(SUMMARY_BODY / Math.max(1, n)) - 12));
  const lines = attempt.variant.map((v, i) => {
    const q = bank[v.q];
    const mark = MARK_ICON[markOf(answers.get(i))];
    const prompt = q && excerpt >= 10 ? ` ${plainExcerpt(tx(q.prompt, lang, languages), q.html, excerpt)}` : "";
    return `${i + 1}. ${mark}${prompt}`;
  });
  const right = attempt.variant.filter((_, i) => answers.get(i)?.correct === true).length;
  const text = [
    header(t, lang, d),
    t("quizReview.right_count", { count: right, total: n }),
    "",
    ...lines,
    "",
    `<i>${t("quizReview.summary_hint")}</i>`,
  ].join("\n");
  const kb = new InlineKeyboard();
  if (n <= MAX_NUMBER_BUTTONS) {
    attempt.variant.forEach((_, i) => {
      if (i > 0 && i % 5 === 0) kb.row();
      kb.text(`${MARK_ICON[markOf(answers.get(i))]} ${i + 1}`, reviewButton.encode(attempt.id, i + 1));
    });
    kb.row();
  } else if (n > 0) {
    kb.text(t("quizReview.first_button"), reviewButton.encode(attempt.id, 1)).row();
  }
  kb.add(quizButton(t, quiz.course.id, quiz.module.position));
  return {
    text: text.length <= LIMIT ? text : [header(t, lang, d), "", `<i>${t("quizReview.summary_hint")}</i>`].join("\n"),
    keyboard: kb,
  };
}

/** “True” / “False” (quoted the reader's way) without the buttons' icons, which would read like the verdict's ✅/❌. */
function truthLabel(t: T, lang: Locale, value: boolean): string {
  return quoted(t(value ? "quiz.true" : "quiz.false").replace(/^[^\p{L}]+/u, ""), lang);
}

/** Option indexes (bank order) that earn credit: the right answer of a choice question. */
function creditedOptions(q: QuizQuestion): number[] {
  const opts = q.options ?? [];
  if (q.kind === "single") {
    const full = opts.map((o, i) => (o.weight >= 100 ? i : -1)).filter((i) => i >= 0);
    if (full.length > 0) return full;
    const best = Math.max(...opts.map((o) => o.weight));
    return opts.map((o, i) => (o.weight === best && best > 0 ? i : -1)).filter((i) => i >= 0);
  }
  const weights = q.moodle ? opts.map((o) => o.weight) : effectiveWeights(opts);
  return weights.map((w, i) => (w > 0 ? i : -1)).filter((i) => i >= 0);
}

interface Budget {
  /** Longest prompt, option or typed answer; null: as written (HTML kept). */
  prompt: number | null;
  option: number | null;
}

function text(q: QuizQuestion, value: string, max: number | null): string {
  return max === null ? questionHtml(value, q.html) : plainExcerpt(value, q.html, max);
}

function rightAnswer(t: T, lang: Locale, languages: readonly string[], q: QuizQuestion, order: number[], b: Budget): string | null {
  switch (q.kind) {
    case "single":
    case "multiple": {
      const credited = creditedOptions(q);
      const shown = credited.map((i) => order.indexOf(i)).filter((i) => i >= 0);
      return shown.length > 0
        ? shown
            .sort((x, y) => x - y)
            .map(letter)
            .join(", ")
        : null;
    }
    case "truefalse":
      return q.answer === undefined ? null : truthLabel(t, lang, q.answer);
    case "text": {
      const accepted = q.accepted ?? {};
      const own = accepted[lang] ?? languages.map((l) => accepted[l as Locale]).find((x) => x && x.length > 0) ?? [];
      const full = own.filter((a) => a.weight >= 100).slice(0, 3);
      return full.length > 0 ? full.map((a) => escapeHtml(snippet(a.value, b.option ?? 200))).join(" / ") : null;
    }
    case "number": {
      const full = (q.numbers ?? []).filter((a) => a.weight >= 100 && !a.any).slice(0, 3);
      if (full.length === 0) return null;
      return full
        .map((a) =>
          a.tolerance > 0 ? `${formatNumber(a.value, lang, 6)} ± ${formatNumber(a.tolerance, lang, 6)}` : formatNumber(a.value, lang, 6),
        )
        .join(" / ");
    }
    case "matching": {
      const pairs = q.pairs ?? [];
      return pairs
        .map((p) => `• ${text(q, tx(p.stem, lang, languages), b.option)} → ${text(q, tx(p.answer, lang, languages), b.option)}`)
        .join("\n");
    }
  }
}

function givenAnswer(
  t: T,
  lang: Locale,
  languages: readonly string[],
  q: QuizQuestion,
  order: number[],
  given: GivenAnswer,
  b: Budget,
): string {
  switch (given.kind) {
    case "choice": {
      const shown = given.options.map((i) => order.indexOf(i)).filter((i) => i >= 0);
      return shown.length > 0
        ? shown
            .sort((x, y) => x - y)
            .map(letter)
            .join(", ")
        : "—";
    }
    case "truefalse":
      return truthLabel(t, lang, given.value);
    case "text":
      return escapeHtml(snippet(given.text, b.option ?? 300));
    case "matching":
      return b.option === null
        ? describeMatching(lang, languages, q, given.choices, true)
        : `${given.choices.filter((c) => c >= 0).length}/${(q.pairs ?? []).length}`;
  }
}

function detailLines(t: T, lang: Locale, d: ReviewData, item: number, b: Budget): string[] {
  const { attempt, quiz, bank, answers } = d;
  const languages = quiz.course.languages;
  const v = attempt.variant[item]!;
  const q = bank[v.q];
  const lines = [
    `🔍 <b>${t("quizReview.question_title", { number: attempt.attemptNo, item: item + 1, total: attempt.variant.length })}</b>`,
  ];
  if (!q) {
    lines.push("", t("quizReview.question_gone"));
    return lines;
  }
  lines.push("", text(q, tx(q.prompt, lang, languages), b.prompt));
  const a = answers.get(item);
  const given = a?.answer;
  if (q.kind === "single" || q.kind === "multiple") {
    const credited = new Set(creditedOptions(q));
    const chosen = new Set(given?.kind === "choice" ? given.options : []);
    lines.push("");
    v.order.forEach((optIndex, shown) => {
      const o = q.options![optIndex];
      if (!o) return;
      const mark = credited.has(optIndex) ? " ✅" : chosen.has(optIndex) ? " ❌" : "";
      const pointer = chosen.has(optIndex) ? "👉 " : "";
      lines.push(`${pointer}<b>${letter(shown)}.</b> ${text(q, tx(o.text, lang, languages), b.option)}${mark}`);
    });
  }
  lines.push("");
  const yours = given ? givenAnswer(t, lang, languages, q, v.order, given, b) : null;
  if (yours === null) lines.push(t("quizReview.no_answer"));
  else if (given?.kind === "matching" && b.option === null) lines.push(t("quizReview.your_answer_block"), yours);
  // The answer is HTML built here (escaped parts), so it is joined rather than interpolated.
  else lines.push(`${t("quizReview.your_answer")} <b>${yours}</b>`);
  lines.push(verdict(t, lang, a));
  if (!a?.correct) {
    const right = rightAnswer(t, lang, languages, q, v.order, b);
    if (right !== null)
      lines.push(q.kind === "matching" ? `${t("quizReview.right_answer")}\n${right}` : `${t("quizReview.right_answer")} <b>${right}</b>`);
  }
  const own = given ? gradeAnswer(q, given).feedback : undefined;
  const ownText = tx(own, lang, languages);
  const general = a?.correct ? "" : tx(q.feedback, lang, languages);
  for (const f of [ownText, general !== ownText ? general : ""]) {
    if (!f) continue;
    lines.push(b.prompt === null && q.html ? f : `<i>${plainExcerpt(f, q.html, b.option ?? 1000)}</i>`);
  }
  if (!a?.correct) {
    const title = pickText(quiz.module.title, lang, languages);
    lines.push(
      b.prompt === null
        ? reviewLine(t, lang, languages, q, title)
        : t("quiz.review", { what: snippet(telegramHtmlToPlain(tx(q.review, lang, languages)) || title, 300) }),
    );
  }
  return lines;
}

/** One question of the attempt: what was asked, what the learner gave, the right answer, feedback. */
export function renderReviewItem(t: T, lang: Locale, d: ReviewData, item: number): { text: string; keyboard: InlineKeyboard } {
  const n = d.attempt.variant.length;
  let body = detailLines(t, lang, d, item, { prompt: null, option: null }).join("\n");
  if (body.length > LIMIT) {
    // A long question: plain excerpts, sized so that even many options fit.
    const options = d.bank[d.attempt.variant[item]!.q]?.options?.length ?? 1;
    body = detailLines(t, lang, d, item, {
      prompt: 1200,
      option: Math.max(20, Math.min(200, Math.floor(1800 / Math.max(1, options)))),
    }).join("\n");
  }
  const kb = new InlineKeyboard();
  if (item > 0) kb.text(t("quizReview.prev_button"), reviewButton.encode(d.attempt.id, item));
  kb.text(t("quizReview.summary_button"), reviewButton.encode(d.attempt.id, 0));
  if (item < n - 1) kb.text(t("quizReview.next_button"), reviewButton.encode(d.attempt.id, item + 2));
  kb.row().add(quizButton(t, d.quiz.course.id, d.quiz.module.position));
  return { text: body.length <= LIMIT ? body : snippet(telegramHtmlToPlain(body), LIMIT), keyboard: kb };
}

/** Why a review cannot be shown now (an alert), or null when it can. */
export function reviewRefusal(t: T, lang: Locale, access: ReviewAccess, timezone: string): string | null {
  switch (access.state) {
    case "open":
      return null;
    case "never":
      return t("quizReview.never");
    case "unfinished":
      return t("quizReview.unfinished");
    case "after_close":
      return t("quizReview.after_close", { date: formatDeadline(access.opensAt, lang, timezone) });
  }
}

export interface PastAttempts {
  lines: string[];
  buttons: InlineKeyboardButton.CallbackButton[];
}

/** Most attempts listed on the quiz card (the newest); older ones are counted. */
const CARD_ATTEMPTS = 5;

/**
 * The quiz card's part about past attempts: each finished one with its score and date, when
 * review is possible, and a button to review each (not under `review_after: never`).
 */
export function attemptsOnCard(t: T, lang: Locale, q: QuizWithModule, attempts: readonly QuizAttempt[], now: number): PastAttempts {
  const finished = attempts.filter((a) => a.finishedAt !== null);
  if (finished.length === 0) return { lines: [], buttons: [] };
  const tz = q.course.timezone;
  const shown = finished.slice(-CARD_ATTEMPTS);
  const lines = ["", t("quizReview.card_header")];
  if (finished.length > shown.length) lines.push(t("quizReview.card_earlier", { count: finished.length - shown.length }));
  for (const a of shown) {
    lines.push(
      `${a.passed ? "✅" : "▫️"} ${t("quizReview.card_attempt", {
        number: a.attemptNo,
        score: formatNumber(a.score ?? 0, lang),
        date: formatDate(a.finishedAt!, lang, tz),
      })}`,
    );
  }
  const policy = q.quiz.reviewAfter;
  const access = reviewAccess(policy, shown[shown.length - 1]!, q.module.closesAt, now);
  if (access.state === "never") lines.push(t("quizReview.card_never"));
  else if (access.state === "after_close") lines.push(t("quizReview.card_after_close", { date: formatDeadline(access.opensAt, lang, tz) }));
  const buttons =
    policy === "never"
      ? []
      : shown.map((a) =>
          InlineKeyboard.text(
            t("quizReview.review_button", { number: a.attemptNo, score: formatNumber(a.score ?? 0, lang) }),
            reviewOpenButton.encode(a.id),
          ),
        );
  return { lines, buttons };
}
