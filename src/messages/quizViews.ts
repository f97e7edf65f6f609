import { InlineKeyboard } from "grammy";
import { shorten } from "../domain/text.js";
import type { InlineKeyboardButton } from "grammy/types";
import type { Locale } from "../domain/locale.js";
import { pickText, type Translated } from "../domain/course.js";
import type { ProgressStatus, QuizAvailability, QuizQuestion, VariantItem } from "../domain/quiz.js";
import { RULES } from "../domain/rules.js";
import { formatCode } from "../domain/certificate.js";
import type { QuizWithModule } from "../db/quizRepo.js";
import type { CourseProgressReport, ModuleProgress } from "../db/quizAttemptsRepo.js";
import type { Course, QuizAttempt } from "../db/schema/index.js";
import { formatDate, formatDateTime, formatDeadline, formatNumber } from "./format.js";
import { escapeHtml, type T } from "./i18n.js";
import { courseTitle } from "./courseViews.js";
import { quizChoice, quizDone, quizMatch, quizToggle } from "./callbackData.js";
import { describeMatching, renderMatchingStep, skippedQuestionsLine } from "./bankViews.js";
import { questionHtml } from "../domain/questionText.js";
import { nextGoalLine, progressBar } from "./progressViews.js";

/**
 * Callback data of the quiz screens (the answer buttons are declared in callbackData.ts):
 *   qz                        the quiz list
 *   qz:<course>:<module>      a quiz's card
 *   qs:<quiz id>              start or continue an attempt
 */
export const QUIZ_CARD_RE = /^qz:([\w-]+):(\d{1,2})$/;
export const QUIZ_START_RE = /^qs:(\d{1,9})$/;
/** Answer buttons of versions before the answers carried their question's state (qb/qt/qd): they resume the quiz. */
export const LEGACY_ANSWER_RE = /^q[btd]:(\d{1,9}):\d{1,3}(?::\d{1,2})?$/;

// The button that opens a module's quiz lives in its own module, so course and weekly views can use it.
export { quizButton } from "./quizButton.js";

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const letter = (i: number) => LETTERS[i] ?? String(i + 1);

export interface QuestionView {
  attemptId: number;
  item: number;
  total: number;
  question: QuizQuestion;
  variant: VariantItem;
  /** Set when the attempt has a time limit: when it ends. */
  endsAt: number | null;
  timezone: string;
  languages: string[];
  /** matching: the pair asked now (0-based; the pairs before it are answered). */
  matchingStep?: number;
}

function tx(t: Translated | undefined, lang: Locale, languages: readonly string[]): string {
  return t ? pickText(t, lang, languages) : "";
}

/** The text and buttons of one question, options in the learner's own order; `mask`: options ticked. */
export function renderQuestion(t: T, lang: Locale, v: QuestionView, mask = 0): { text: string; keyboard?: InlineKeyboard } {
  const q = v.question;
  let header = t("quiz.question_header", { number: v.item + 1, total: v.total });
  if (v.endsAt !== null) header += ` · ${t("quiz.time_left_until", { time: formatDateTime(v.endsAt, lang, v.timezone) })}`;
  const lines = [header];
  lines.push("", questionHtml(tx(q.prompt, lang, v.languages), q.html));
  const kb = new InlineKeyboard();
  switch (q.kind) {
    case "single":
    case "multiple": {
      lines.push("");
      v.variant.order.forEach((optIndex, shown) => {
        lines.push(`<b>${letter(shown)}.</b> ${questionHtml(tx(q.options![optIndex]!.text, lang, v.languages), q.html)}`);
      });
      v.variant.order.forEach((_, shown) => {
        if (shown > 0 && shown % 4 === 0) kb.row();
        if (q.kind === "single") kb.text(letter(shown), quizChoice.encode(v.attemptId, v.item, shown));
        else kb.text(`${mask & (1 << shown) ? "☑️" : "⬜"} ${letter(shown)}`, quizToggle.encode(v.attemptId, v.item, shown, mask));
      });
      lines.push("", `<i>${t(q.kind === "single" ? "quiz.hint_single" : "quiz.hint_multiple")}</i>`);
      if (q.kind === "multiple") kb.row().text(t("quiz.done_button"), quizDone.encode(v.attemptId, v.item, mask));
      return { text: lines.join("\n"), keyboard: kb };
    }
    case "truefalse":
      kb.text(t("quiz.true"), quizChoice.encode(v.attemptId, v.item, 1)).text(t("quiz.false"), quizChoice.encode(v.attemptId, v.item, 0));
      return { text: lines.join("\n"), keyboard: kb };
    case "text":
      lines.push("", `<i>${t("quiz.hint_text")}</i>`);
      return { text: lines.join("\n") };
    case "number":
      lines.push("", `<i>${t("quiz.hint_number")}</i>`);
      return { text: lines.join("\n") };
    case "matching": {
      // One step per pair; each button names its pair, so a button of an answered pair is refused.
      const step = v.matchingStep ?? 0;
      return renderMatchingStep(t, lang, v.languages, q, { step, order: v.variant.order, header }, (shown) =>
        quizMatch.encode(v.attemptId, v.item, step, shown),
      );
    }
  }
}

/**
 * A matching question once its last pair is answered: each pair as the learner matched it (right
 * or wrong marked only when `marks`: feedback after each question; "•" otherwise).
 */
export function matchingSummary(
  t: T,
  lang: Locale,
  languages: readonly string[],
  q: QuizQuestion,
  chosen: readonly number[],
  marks: boolean,
): string {
  return `${t("quiz.your_matching")}\n${describeMatching(lang, languages, q, chosen, marks)}`;
}

/** "B" or "A, C", or "True", or the typed text, for showing what the learner chose. */
export function describeGiven(t: T, q: QuizQuestion, shownIndexes: number[] | null, typed: string | null, tf: boolean | null): string {
  if (tf !== null) return t(tf ? "quiz.true" : "quiz.false");
  if (shownIndexes) return shownIndexes.map(letter).join(", ");
  return escapeHtml(shorten(typed ?? "", 200));
}

/** Feedback after one answer (feedback: after_each). */
export function answerFeedback(
  t: T,
  lang: Locale,
  languages: readonly string[],
  q: QuizQuestion,
  grade: { score: number; correct: boolean; feedback?: Translated },
  moduleTitle: string,
): string {
  const lines: string[] = [];
  if (grade.correct) lines.push(t("quiz.correct"));
  else if (grade.score > 0) lines.push(t("quiz.partly", { percent: formatNumber(grade.score * 100, lang, 0) }));
  else lines.push(t("quiz.wrong"));
  const own = grade.feedback ? tx(grade.feedback, lang, languages) : "";
  if (own) lines.push(feedbackHtml(own, q.html));
  if (!grade.correct) {
    const general = tx(q.feedback, lang, languages);
    if (general && general !== own) lines.push(feedbackHtml(general, q.html));
    lines.push(reviewLine(t, lang, languages, q, moduleTitle));
  }
  return lines.join("\n");
}

export function reviewLine(t: T, lang: Locale, languages: readonly string[], q: QuizQuestion, moduleTitle: string): string {
  const review = tx(q.review, lang, languages);
  // A formatted question's review hint is Telegram HTML already (sanitised on import).
  return review
    ? t("quiz.review", { what: review, interpolation: { escapeValue: !q.html } })
    : t("quiz.review_module", { title: moduleTitle });
}

/** Feedback in italics; formatted feedback as written (Telegram refuses code/pre inside italics). */
function feedbackHtml(text: string, isHtml: boolean | undefined): string {
  return isHtml ? text : `<i>${escapeHtml(text)}</i>`;
}

export interface ResultView {
  score: number;
  passScore: number;
  passed: boolean;
  attemptNo: number;
  attemptsAllowed: number;
  endReason: string;
  answered: number;
  total: number;
  closesAt: number;
  timezone: string;
  /** Questions not fully right, in the order asked: number, and review hint. */
  toReview: { number: number; review: string }[];
  moduleTitle: string;
}

export function renderResult(t: T, lang: Locale, r: ResultView): string {
  const lines = [
    t(r.passed ? "quiz.result_passed" : "quiz.result_failed", {
      score: formatNumber(r.score, lang),
      pass: formatNumber(r.passScore, lang),
    }),
  ];
  if (r.endReason === "time_up") lines.push(t("quiz.ended_time_up"));
  if (r.endReason === "deadline") lines.push(t("quiz.ended_deadline"));
  if (r.answered < r.total) lines.push(t("quiz.unanswered", { count: r.total - r.answered }));
  if (r.toReview.length > 0) {
    lines.push("", t("quiz.to_review_header"));
    for (const x of r.toReview) lines.push(`• ${t("quiz.question_short", { number: x.number })}: ${x.review}`);
  }
  const left = r.attemptsAllowed - r.attemptNo;
  lines.push("");
  if (left > 0) {
    lines.push(
      t(r.passed ? "quiz.retake_to_improve" : "quiz.retake", {
        count: left,
        deadline: formatDeadline(r.closesAt, lang, r.timezone),
      }),
    );
  } else {
    lines.push(t("quiz.no_attempts_left_after"));
  }
  lines.push(t("quiz.see_progress"));
  return lines.join("\n");
}

/** One line about where a quiz stands for the learner, with the date that matters. */
export function availabilityLine(t: T, lang: Locale, course: Course, a: QuizAvailability, closesAt: number): string {
  switch (a.state) {
    case "not_open":
      return t("quiz.state.not_open", { date: formatDateTime(a.opensAt, lang, course.timezone) });
    case "closed":
      return t("quiz.state.closed", { date: formatDeadline(a.closedAt, lang, course.timezone) });
    case "no_attempts_left":
      return t("quiz.state.no_attempts_left", { count: a.used });
    case "in_progress":
      return t("quiz.state.in_progress", { deadline: formatDeadline(closesAt, lang, course.timezone) });
    case "open":
      return t("quiz.state.open", { deadline: formatDeadline(closesAt, lang, course.timezone), count: a.attemptsLeft });
  }
}

export function moduleName(t: T, q: { module: { position: number; title: Translated }; course: Course }, lang: Locale): string {
  return t("quiz.module_name", { week: q.module.position + 1, title: pickText(q.module.title, lang, q.course.languages) });
}

/** The quiz card: rules, the learner's attempts, and the action available now. */
export function renderQuizCard(
  t: T,
  lang: Locale,
  q: QuizWithModule,
  attempts: QuizAttempt[],
  availability: QuizAvailability,
  bankSize: number,
  score: number | null,
  /** The learner's finished attempts with their review buttons (messages/quizReviewViews.ts). */
  past: { lines: string[]; buttons: InlineKeyboardButton.CallbackButton[] } = { lines: [], buttons: [] },
): { text: string; keyboard: InlineKeyboard } {
  const { quiz, course } = q;
  const lines = [
    `📝 <b>${escapeHtml(courseTitle(course, lang))}</b>`,
    moduleName(t, q, lang),
    "",
    quiz.pick && quiz.pick < bankSize
      ? t("quiz.card.questions_pick", { count: quiz.questionCount, bank: bankSize })
      : t("quiz.card.questions", { count: quiz.questionCount }),
    ...[skippedQuestionsLine(t, quiz.skippedQuestions)].filter((x): x is string => x !== null),
    t("quiz.card.pass", { pass: formatNumber(quiz.passScore, lang) }),
    t("quiz.card.attempts", { used: attempts.length, allowed: quiz.attemptsAllowed }),
  ];
  if (quiz.timeLimitMinutes) lines.push(t("quiz.card.time_limit", { minutes: quiz.timeLimitMinutes }));
  lines.push(
    t("quiz.card.window", {
      opens: formatDate(q.module.opensAt, lang, course.timezone),
      deadline: formatDeadline(q.module.closesAt, lang, course.timezone),
    }),
  );
  lines.push(t(quiz.feedback === "after_each" ? "quiz.card.feedback_each" : "quiz.card.feedback_end"));
  if (score !== null) {
    lines.push("", t(quiz.scorePolicy === "last" ? "quiz.card.score_last" : "quiz.card.score_best", { score: formatNumber(score, lang) }));
  }
  lines.push(...past.lines);
  lines.push("", availabilityLine(t, lang, course, availability, q.module.closesAt));
  const kb = new InlineKeyboard();
  if (availability.state === "open") kb.text(t("quiz.start_button", { number: attempts.length + 1 }), `qs:${quiz.id}`).row();
  if (availability.state === "in_progress") kb.text(t("quiz.continue_button"), `qs:${quiz.id}`).row();
  for (const b of past.buttons) kb.add(b).row();
  kb.text(t("quiz.all_quizzes_button"), "qz");
  return { text: lines.join("\n"), keyboard: kb };
}

const STATUS_ICON: Record<ProgressStatus, string> = { not_completed: "⏳", passed: "✅", certificate: "🎓" };

function moduleProgressLine(t: T, lang: Locale, course: Course, m: ModuleProgress): string {
  const name = t("quiz.module_name", { week: m.module.position + 1, title: pickText(m.module.title, lang, course.languages) });
  const score =
    m.score === null
      ? t("quiz.progress.no_score")
      : t(m.passed ? "quiz.progress.score_passed" : "quiz.progress.score_failed", {
          score: formatNumber(m.score, lang),
          pass: formatNumber(m.quiz.passScore, lang),
        });
  return `• ${name}: ${score}\n   ${availabilityLine(t, lang, course, m.availability, m.module.closesAt)}`;
}

/**
 * The learner's certificate of a course as /progress shows it: the live one's code, or, when there
 * is none yet, whether the course's policy waits for the course's end to issue it.
 */
export type ProgressCertificate = { code: string } | { code: null; whenCourseEnds: boolean };

/** Reaching the threshold is not yet a certificate: "certificate" is said only of one actually issued. */
function statusText(t: T, r: CourseProgressReport, certificate: ProgressCertificate): string {
  const params = { passed: RULES.progress.passed, certificate: RULES.progress.certificate };
  if (r.status === "certificate" && certificate.code === null) {
    return t(certificate.whenCourseEnds ? "quiz.progress.status.threshold_course_end" : "quiz.progress.status.threshold_soon", params);
  }
  return t(`quiz.progress.status.${r.status}`, params);
}

export function renderCourseProgress(t: T, lang: Locale, r: CourseProgressReport, certificate: ProgressCertificate): string {
  const lines = [`<b>${escapeHtml(courseTitle(r.course, lang))}</b>`];
  // A certificate stays the learner's even if a course update lowers the percentage below the threshold.
  const issued = certificate.code === null ? null : t("quiz.progress.certificate", { code: formatCode(certificate.code) });
  if (r.modules.length === 0) {
    lines.push(t("quiz.progress.no_quizzes"));
    if (issued) lines.push(issued);
    return lines.join("\n");
  }
  lines.push(
    `${STATUS_ICON[r.status]} ${t("quiz.progress.total", { percent: formatNumber(r.percent, lang) })} — ${statusText(t, r, certificate)}`,
  );
  if (issued) lines.push(issued);
  // The bar and what the next status needs (messages/progressViews.ts).
  lines.push(progressBar(r.percent, lang), nextGoalLine(t, lang, r.percent, r.modules));
  for (const m of r.modules) lines.push(moduleProgressLine(t, lang, r.course, m));
  return lines.join("\n");
}

/** Sent by the job that closes attempts left open past their time limit or the deadline. */
export function quizEndedNotice(t: T, lang: Locale, q: QuizWithModule, attempt: Pick<QuizAttempt, "score" | "endReason">): string {
  return [
    t("quiz.ended_notice", {
      module: moduleName(t, q, lang),
      score: formatNumber(attempt.score ?? 0, lang),
      pass: formatNumber(q.quiz.passScore, lang),
    }),
    t(attempt.endReason === "deadline" ? "quiz.ended_deadline" : "quiz.ended_time_up"),
    t("quiz.see_progress"),
  ].join("\n");
}
