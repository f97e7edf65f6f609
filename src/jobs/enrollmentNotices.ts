import { InlineKeyboard } from "grammy";
import type { Locale } from "../domain/locale.js";
import type { Db } from "../db/client.js";
import { dueEnrollmentNotices, markWatcherNotified } from "../db/coursesRepo.js";
import { getLearner } from "../db/learnersRepo.js";
import { courseTitle } from "../messages/courseViews.js";
import { formatDate } from "../messages/format.js";
import { translator } from "../messages/i18n.js";
import { enqueue } from "../db/outboxRepo.js";
import type { Job } from "./scheduler.js";

/** Tells the people who asked that an upcoming course is now open for enrollment. */
export function enrollmentNoticesJob(db: Db, onEnqueued: () => void): Job {
  return {
    name: "enrollment-open-notices",
    run(now) {
      const due = dueEnrollmentNotices(db, now);
      if (due.length === 0) return;
      db.transaction(() => {
        for (const { learnerId, course } of due) {
          const learner = getLearner(db, learnerId);
          const lang = (learner?.language ?? course.languages[0]) as Locale;
          const t = translator(lang);
          const text = t("notify.enrollment_open", {
            title: courseTitle(course, lang),
            start: formatDate(course.startAt, lang, course.timezone),
            closes: formatDate(course.enrollClosesAt - 1, lang, course.timezone),
          });
          enqueue(
            db,
            {
              dedupeKey: `enrollment-open:${course.id}:${learnerId}`,
              kind: "enrollment-open",
              chatId: learnerId,
              method: "sendMessage",
              payload: {
                text,
                parse_mode: "HTML",
                reply_markup: new InlineKeyboard().text(t("buttons.open_course"), `crs:${course.id}`),
              },
            },
            now,
          );
          markWatcherNotified(db, learnerId, course.id, now);
        }
      });
      onEnqueued();
    },
  };
}
