import { InlineKeyboard } from "grammy";
import type { Locale } from "../domain/locale.js";
import type { Db } from "../db/client.js";
import { learnersWithoutMessage, modulesClosingWithin, openModules, type Recipient } from "../db/announceRepo.js";
import { learnerAttempts, quizByModule } from "../db/quizRepo.js";
import type { Course, Module } from "../db/schema/index.js";
import { pickText } from "../domain/course.js";
import { moduleScore } from "../domain/quiz.js";
import { RULES } from "../domain/rules.js";
import { HOUR } from "../clock.js";
import { formatDeadline } from "../messages/format.js";
import { escapeHtml, translator } from "../messages/i18n.js";
import { enqueue } from "./outbox.js";
import type { Job } from "./scheduler.js";

/** The learner's language (typed in the schema; a course text missing in it falls back in pickText). */
function learnerLocale(r: Recipient): Locale {
  return r.language;
}

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
  const deadline = t(hasQuiz ? "weekly.deadline" : "weekly.open_until", { deadline: formatDeadline(module.closesAt, lang, course.timezone) });
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

function courseButton(lang: Locale, courseId: string) {
  return new InlineKeyboard().text(translator(lang)("buttons.open_course"), `crs:${courseId}`);
}

/** One outbox row per learner, in their language, in one transaction; returns how many were new. */
function queuePerLearner(
  db: Db,
  now: number,
  recipients: Recipient[],
  course: Course,
  message: { prefix: string; kind: string; batch: string; expiresAt: number; text: (lang: Locale) => string },
): number {
  let queued = 0;
  db.transaction(() => {
    for (const r of recipients) {
      const lang = learnerLocale(r);
      const added = enqueue(
        db,
        {
          dedupeKey: `${message.prefix}${r.id}`,
          kind: message.kind,
          batch: message.batch,
          chatId: r.id,
          method: "sendMessage",
          payload: {
            text: message.text(lang),
            parse_mode: "HTML",
            link_preview_options: { is_disabled: true },
            reply_markup: courseButton(lang, course.id),
          },
          expiresAt: message.expiresAt,
        },
        now,
      );
      if (added) queued++;
    }
  });
  return queued;
}

/**
 * Queues the announcement of every open module of a course (or of all courses) for each active,
 * not blocked learner who has not had it yet. The dedupe key makes it once per (module, learner)
 * however many ticks, hooks or restarts see it; `expiresAt` drops it if the module closes first.
 */
export function queueAnnouncements(db: Db, now: number, only?: { courseId: string; learnerId: number }): number {
  let queued = 0;
  for (const { course, module, total } of openModules(db, now, only?.courseId)) {
    const prefix = announcementKeyPrefix(course.id, module.position);
    const recipients = learnersWithoutMessage(db, course.id, prefix, only?.learnerId);
    if (recipients.length === 0) continue;
    const hasQuiz = quizProgress.hasQuiz?.(db, course.id, module.position) ?? true;
    queued += queuePerLearner(db, now, recipients, course, {
      prefix,
      kind: "announcement",
      batch: `announce:${course.id}:${module.position}`,
      expiresAt: module.closesAt,
      text: (lang) => renderAnnouncement(course, module, total, lang, hasQuiz),
    });
  }
  return queued;
}

export function weeklyAnnouncementsJob(db: Db, onEnqueued: () => void): Job {
  return {
    name: "weekly-announcements",
    run(now) {
      if (queueAnnouncements(db, now) > 0) onEnqueued();
    },
  };
}

// ---- deadline reminders ----

/**
 * What the reminders need to know about quizzes. The default reads the quiz feature's tables
 * (db/quizRepo.ts): a module without a graded quiz gets no reminder, and a learner has passed
 * when their counted score (best or last finished attempt, per the quiz's policy) reaches the
 * pass score. registerQuizProgress() swaps it (tests; another grading source).
 */
export interface QuizProgress {
  /** True when the learner has passed the graded quiz of module `position` (0-based) of the course. */
  hasPassed(db: Db, learnerId: number, courseId: string, position: number): boolean;
  /** Optional: false when the module has no graded quiz, so there is nothing to remind about. */
  hasQuiz?(db: Db, courseId: string, position: number): boolean;
}

export const quizTablesProgress: QuizProgress = {
  hasQuiz: (db, courseId, position) => {
    const q = quizByModule(db, courseId, position);
    return q !== undefined && q.quiz.removedAt === null;
  },
  hasPassed: (db, learnerId, courseId, position) => {
    const q = quizByModule(db, courseId, position);
    if (!q) return false;
    const finished = learnerAttempts(db, learnerId, q.quiz.id)
      .filter((a) => a.finishedAt !== null)
      .map((a) => a.score ?? 0);
    const score = moduleScore(finished, q.quiz.scorePolicy);
    return score !== null && score >= q.quiz.passScore;
  },
};

let quizProgress: QuizProgress = quizTablesProgress;

/** Replaces how reminders learn about quizzes; null restores the default (the quiz tables). */
export function registerQuizProgress(progress: QuizProgress | null): void {
  quizProgress = progress ?? quizTablesProgress;
}

/** Queues "the quiz closes soon" for learners who have not passed it, once per (module, learner). */
export function queueDeadlineReminders(db: Db, now: number): number {
  let queued = 0;
  const window = RULES.deadlineReminderHours * HOUR;
  for (const { course, module, total } of modulesClosingWithin(db, now, window)) {
    if (now < module.opensAt) continue;
    if (quizProgress.hasQuiz && !quizProgress.hasQuiz(db, course.id, module.position)) continue;
    const prefix = reminderKeyPrefix(course.id, module.position);
    const recipients = learnersWithoutMessage(db, course.id, prefix).filter(
      (r) => !quizProgress.hasPassed(db, r.id, course.id, module.position),
    );
    if (recipients.length === 0) continue;
    queued += queuePerLearner(db, now, recipients, course, {
      prefix,
      kind: "reminder",
      batch: `reminder:${course.id}:${module.position}`,
      expiresAt: module.closesAt,
      text: (lang) => renderReminder(course, module, total, lang),
    });
  }
  return queued;
}

export function deadlineRemindersJob(db: Db, onEnqueued: () => void): Job {
  return {
    name: "deadline-reminders",
    run(now) {
      if (queueDeadlineReminders(db, now) > 0) onEnqueued();
    },
  };
}
