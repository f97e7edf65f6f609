import { InlineKeyboard } from "grammy";
import type { Locale } from "../domain/locale.js";
import { courseState, currentModuleIndex, type CourseState } from "../domain/calendar.js";
import { pickText } from "../domain/course.js";
import type { Course, Module } from "../db/schema/index.js";
import { formatDate, formatDeadline } from "./format.js";
import { escapeHtml as escape, type T } from "./i18n.js";
import { quizButton } from "./quizButton.js";
import { askCourseButton, coursesButton, enrollButton, notifyButton, unenrollButton } from "./callbackData.js";

export const STATE_ICON: Record<CourseState, string> = {
  upcoming: "🕓",
  enrolling: "🟢",
  running_enrolling: "🟢",
  running: "▶️",
  finished: "🏁",
};

export function courseTitle(course: Course, lang: Locale): string {
  return pickText(course.title, lang, course.languages);
}

/** One line saying where the course stands, with the date that matters next. */
export function courseStatus(t: T, course: Course, lang: Locale, now: number): string {
  const d = (ms: number) => formatDate(ms, lang, course.timezone);
  const state = courseState(course, now);
  switch (state) {
    case "upcoming":
      return t("course.status.upcoming", { opens: d(course.enrollOpensAt), start: d(course.startAt) });
    case "enrolling":
      return t("course.status.enrolling", { start: d(course.startAt), closes: d(course.enrollClosesAt - 1) });
    case "running_enrolling":
      return t("course.status.running_enrolling", { closes: d(course.enrollClosesAt - 1) });
    case "running":
      return t("course.status.running", { end: d(course.endAt - 1) });
    case "finished":
      return t("course.status.finished", { end: d(course.endAt - 1) });
  }
}

export interface CardFacts {
  enrolled: boolean;
  watching: boolean;
  /** The module whose quiz is open now (this week's), for a direct button to it. */
  openQuizModule?: number;
}

export function courseCard(t: T, course: Course, modules: Module[], lang: Locale, now: number, facts: CardFacts): string {
  const d = (ms: number) => formatDate(ms, lang, course.timezone);
  const lines = [
    `<b>${escape(courseTitle(course, lang))}</b>`,
    "",
    escape(pickText(course.description, lang, course.languages)),
    "",
    t("course.card.start", { date: d(course.startAt) }),
    t("course.card.enrollment", { opens: d(course.enrollOpensAt), closes: d(course.enrollClosesAt - 1) }),
    course.hoursPerWeek
      ? t("course.card.modules_hours", { count: modules.length, hours: course.hoursPerWeek })
      : t("course.card.modules", { count: modules.length }),
    "",
    `${STATE_ICON[courseState(course, now)]} ${courseStatus(t, course, lang, now)}`,
  ];
  if (facts.enrolled) {
    lines.push("", t("course.card.enrolled"));
    const k = currentModuleIndex(modules, now);
    if (k !== null) lines.push(currentModuleLine(t, course, modules[k]!, modules.length, lang));
  } else if (facts.watching) {
    lines.push("", t("course.card.watching"));
  }
  return lines.join("\n");
}

export function currentModuleLine(t: T, course: Course, module: Module, total: number, lang: Locale): string {
  return t("course.current_module", {
    week: module.position + 1,
    total,
    title: pickText(module.title, lang, course.languages),
    deadline: formatDeadline(module.closesAt, lang, course.timezone),
  });
}

export function cardKeyboard(t: T, course: Course, now: number, facts: CardFacts): InlineKeyboard {
  const kb = new InlineKeyboard();
  const state = courseState(course, now);
  if (facts.enrolled) {
    if (facts.openQuizModule !== undefined) kb.add(quizButton(t, course.id, facts.openQuizModule)).row();
    kb.text(t("ask.button"), askCourseButton.encode(course.id)).row();
    kb.text(t("buttons.unenroll"), unenrollButton.encode(course.id)).row();
  } else if (state === "enrolling" || state === "running_enrolling") {
    kb.text(t("buttons.enroll"), enrollButton.encode(course.id)).row();
  } else if (state === "upcoming" && !facts.watching) {
    kb.text(t("buttons.notify_me"), notifyButton.encode(course.id)).row();
  }
  kb.text(t("buttons.all_courses"), coursesButton.encode(undefined));
  return kb;
}
