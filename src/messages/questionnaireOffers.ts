/** The questionnaire offers and reminders, rendered for the outbox (by the enrollment hook and the jobs). */
import { InlineKeyboard } from "grammy";
import type { Locale } from "../domain/locale.js";
import { questionnaireWindow, type QuestionnaireKind } from "../domain/questionnaire.js";
import type { Course } from "../db/schema/index.js";
import { courseTitle } from "./courseViews.js";
import { formatDate } from "./format.js";
import { translator } from "./i18n.js";

/** The outbox key of an offer or reminder: each goes to a learner once. */
export function offerDedupeKey(kind: "offer" | "remind", qkind: QuestionnaireKind, courseId: string, learnerId: number | ""): string {
  return `questionnaire-${kind}:${qkind}:${courseId}:${learnerId}`;
}

/** The button that opens a course's questionnaire (offers, reminders, /mycourses). */
export function openQuestionnaireData(courseId: string, kind: QuestionnaireKind): string {
  return `qn:${courseId}:${kind}`;
}

/** The offer or reminder message in the learner's language at `now`, with the button that opens it. */
export function offerMessage(
  course: Course,
  qkind: QuestionnaireKind,
  which: "offer" | "remind",
  lang: Locale,
  questionCount: number,
  now: number,
) {
  const t = translator(lang);
  const w = questionnaireWindow(qkind, course);
  // The pre-course questionnaire stays open a week into the course: a late offer says it has started.
  const started = qkind === "pre" && which === "offer" && now >= course.startAt;
  const text = t(started ? "survey.offer_pre_started" : `survey.${which}_${qkind}`, {
    title: courseTitle(course, lang),
    questions: t("survey.questions_count", { count: questionCount }),
    closes: formatDate(w.closesAt - 1, lang, course.timezone),
    start: formatDate(course.startAt, lang, course.timezone),
  });
  return {
    text,
    parse_mode: "HTML",
    reply_markup: new InlineKeyboard().text(t("survey.buttons.open"), openQuestionnaireData(course.id, qkind)),
  };
}
