import { HOUR } from "../clock.js";
import type { Db } from "../db/client.js";
import { enqueueFanOut, enqueueFanOutNow } from "../db/outboxRepo.js";
import { RULES } from "../domain/rules.js";
import { announcementFanOuts, reminderFanOuts } from "../messages/weeklyViews.js";
import type { Job } from "./scheduler.js";

export { announcementKeyPrefix, reminderKeyPrefix, renderAnnouncement, renderReminder } from "../messages/weeklyViews.js";

/**
 * Queues the announcement of every open module of a course (or of all courses) for each active,
 * not blocked learner who has not had it yet: set-based SQL in chunks that yield to the event loop
 * (db/outboxRepo.ts), so 100,000 learners never stall the bot. A tick after downtime catches up.
 */
export async function queueAnnouncements(db: Db, now: number, only?: { courseId: string; learnerId: number }): Promise<number> {
  let queued = 0;
  for (const f of announcementFanOuts(db, now, only?.courseId)) {
    queued += only ? enqueueFanOutNow(db, { ...f, onlyLearner: only.learnerId }, now) : await enqueueFanOut(db, f, now);
  }
  return queued;
}

export function weeklyAnnouncementsJob(db: Db, onEnqueued: () => void): Job {
  return {
    name: "weekly-announcements",
    async run(now) {
      if ((await queueAnnouncements(db, now)) > 0) onEnqueued();
    },
  };
}

/**
 * Queues "the quiz closes soon" for learners who have not passed it, once per (module, learner).
 * Who passed is decided in SQL, so passed learners cost nothing and nobody is re-checked row by row.
 */
export async function queueDeadlineReminders(db: Db, now: number): Promise<number> {
  let queued = 0;
  for (const f of reminderFanOuts(db, now, RULES.deadlineReminderHours * HOUR)) queued += await enqueueFanOut(db, f, now);
  return queued;
}

export function deadlineRemindersJob(db: Db, onEnqueued: () => void): Job {
  return {
    name: "deadline-reminders",
    async run(now) {
      if ((await queueDeadlineReminders(db, now)) > 0) onEnqueued();
    },
  };
}
