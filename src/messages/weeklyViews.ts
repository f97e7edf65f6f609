import { InlineKeyboard } from "grammy";
import type { Db } from "../db/client.js";
import { moduleQuiz, modulesClosingWithin, notPassed, openModules } from "../db/announceRepo.js";
import { bodyIdByKey, saveBody, type FanOut } from "../db/outboxRepo.js";
import type { Course, Module } from "../db/schema/index.js";
import { pickText } from "../domain/course.js";
import { isLocale, LOCALES, type Locale } from "../domain/locale.js";
import { formatDeadline } from "./format.js";
import { courseCardNew } from "./callbackData.js";
import { escapeHtml, translator, type T } from "./i18n.js";
import { quizButton } from "./quizButton.js";

export function announcementKeyPrefix(courseId: string, position: number): string {
  return `announce:${courseId}:${position}:`;
}

export function reminderKeyPrefix(courseId: string, position: number): string {
  return `reminder:${courseId}:${position}:`;
}

/** The weekly announcement as a learner reads it: who it is from, the text, the quiz deadline. */
export function renderAnnouncement(course: Course, module: Module, total: number, lang: Locale, hasQuiz = true): string {
  const t = translator(lang);
  const header = t("weekly.header", {
    course: pickText(course.title, lang, course.languages),
    week: module.position + 1,
    total,
    module: pickText(module.title, lang, course.languages),
  });
  const body = escapeHtml(pickText(module.announcement, lang, course.languages));
  const deadline = t(hasQuiz ? "weekly.deadline" : "weekly.open_until", {
    deadline: formatDeadline(module.closesAt, lang, course.timezone),
  });
  return `${header}\n\n${body}\n\n${deadline}`;
}

export function renderReminder(course: Course, module: Module, total: number, lang: Locale): string {
  return translator(lang)("weekly.reminder", {
    course: pickText(course.title, lang, course.languages),
    week: module.position + 1,
    total,
    module: pickText(module.title, lang, course.languages),
    deadline: formatDeadline(module.closesAt, lang, course.timezone),
  });
}

function weeklyKeyboard(t: T, courseId: string, quizModule: number | undefined): InlineKeyboard {
  const kb = new InlineKeyboard();
  if (quizModule !== undefined) kb.add(quizButton(t, courseId, quizModule)).row();
  return kb.text(t("buttons.open_course"), courseCardNew.encode(courseId));
}

/**
 * Renders a per-module message once per language and stores each as a shared body (a later tick
 * reuses it), so 100,000 learners share three texts. A learner whose language the bot does not
 * speak gets the course's first language.
 */
function storeBodies(
  db: Db,
  now: number,
  course: Course,
  message: {
    prefix: string;
    kind: string;
    batch: string;
    text: (lang: Locale) => string;
    /** The module whose quiz gets a direct button (issue 10: the quiz is one tap from its announcement). */
    quizModule?: number;
  },
): Pick<FanOut, "bodies" | "fallbackBody"> {
  const bodies: Record<string, number> = {};
  for (const lang of LOCALES) {
    // Stored once (the first writer wins): a later enrollment or tick need not render it again.
    const stored = bodyIdByKey(db, `${message.prefix}${lang}`);
    if (stored !== undefined) {
      bodies[lang] = stored;
      continue;
    }
    const t = translator(lang);
    bodies[lang] = saveBody(
      db,
      `${message.prefix}${lang}`,
      {
        kind: message.kind,
        batch: message.batch,
        method: "sendMessage",
        payload: {
          text: message.text(lang),
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
          reply_markup: weeklyKeyboard(t, course.id, message.quizModule),
        },
      },
      now,
    );
  }
  const first = course.languages.find(isLocale) ?? "kk";
  return { bodies, fallbackBody: bodies[first]! };
}

/**
 * The weekly announcement of every open module (of one course, or all): bodies stored, and the
 * fan-out to queue (db/outboxRepo.ts enqueueFanOut). The dedupe key makes it once per (module,
 * learner); `expiresAt` drops it if the module closes before it could go out.
 */
export function announcementFanOuts(db: Db, now: number, courseId?: string): FanOut[] {
  return openModules(db, now, courseId).map(({ course, module, total }) => {
    const prefix = announcementKeyPrefix(course.id, module.position);
    const hasQuiz = moduleQuiz(db, course.id, module.position) !== undefined;
    const bodies = storeBodies(db, now, course, {
      prefix,
      kind: "announcement",
      batch: `announce:${course.id}:${module.position}`,
      text: (lang) => renderAnnouncement(course, module, total, lang, hasQuiz),
      quizModule: hasQuiz ? module.position : undefined,
    });
    return { courseId: course.id, keyPrefix: prefix, ...bodies, expiresAt: module.closesAt };
  });
}

/**
 * "The quiz closes soon" for modules whose graded quiz closes within `windowMs`, to learners who
 * have not passed it (decided in SQL, db/announceRepo.ts notPassed). No quiz, no reminder.
 */
export function reminderFanOuts(db: Db, now: number, windowMs: number): FanOut[] {
  const out: FanOut[] = [];
  for (const { course, module, total } of modulesClosingWithin(db, now, windowMs)) {
    if (now < module.opensAt) continue;
    const quiz = moduleQuiz(db, course.id, module.position);
    if (!quiz) continue;
    const prefix = reminderKeyPrefix(course.id, module.position);
    const bodies = storeBodies(db, now, course, {
      prefix,
      kind: "reminder",
      batch: `reminder:${course.id}:${module.position}`,
      text: (lang) => renderReminder(course, module, total, lang),
      quizModule: module.position,
    });
    out.push({ courseId: course.id, keyPrefix: prefix, ...bodies, expiresAt: module.closesAt, where: notPassed(quiz) });
  }
  return out;
}
