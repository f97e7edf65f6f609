import { HOUR, MINUTE } from "../clock.js";
import type { Db } from "../db/client.js";
import { enqueueFanOut, enqueueFanOutNow } from "../db/outboxRepo.js";
import { RULES } from "../domain/rules.js";
import { announcementFanOuts, reminderFanOuts } from "../messages/weeklyViews.js";
import type { FanOut } from "../db/outboxRepo.js";
import type { Job } from "./scheduler.js";

/**
 * After a complete pass over a course, a job looks at it again only this much later: newly
 * enrolled learners are queued at once by the enrollment hook, so the re-check only catches
 * rarer changes (a learner who unblocked the bot, a score that no longer passes). At 100,000
 * learners a pass is about a second of (chunked) work, which is too much to repeat every minute.
 */
export const RECHECK_MS = 10 * MINUTE;

/** Runs each fan-out, skipping those completed less than RECHECK_MS ago (per job instance; a restart re-checks all). */
function recheckEvery(ms: number) {
  const completed = new Map<string, number>();
  return async (db: Db, fanOuts: FanOut[], now: number): Promise<number> => {
    let queued = 0;
    for (const f of fanOuts) {
      const last = completed.get(f.keyPrefix);
      if (last !== undefined && now >= last && now - last < ms) continue;
      queued += await enqueueFanOut(db, f, now);
      completed.set(f.keyPrefix, now);
    }
    return queued;
  };
}

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
  const run = recheckEvery(RECHECK_MS);
  return {
    name: "weekly-announcements",
    async run(now) {
      if ((await run(db, announcementFanOuts(db, now), now)) > 0) onEnqueued();
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
  const run = recheckEvery(RECHECK_MS);
  return {
    name: "deadline-reminders",
    async run(now) {
      if ((await run(db, reminderFanOuts(db, now, RULES.deadlineReminderHours * HOUR), now)) > 0) onEnqueued();
    },
  };
}
