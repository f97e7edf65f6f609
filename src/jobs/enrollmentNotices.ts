import { InlineKeyboard } from "grammy";
import type { Db } from "../db/client.js";
import { dueEnrollmentNotices } from "../db/coursesRepo.js";
import { DEFAULT_EXPIRY_MS, enqueueForWatchers, saveBody } from "../db/outboxRepo.js";
import { isLocale, LOCALES } from "../domain/locale.js";
import { courseTitle } from "../messages/courseViews.js";
import { formatDate } from "../messages/format.js";
import { courseCardNew } from "../messages/callbackData.js";
import { translator } from "../messages/i18n.js";
import type { Job } from "./scheduler.js";

/**
 * Tells the people who asked that an upcoming course is now open for enrollment: one text per
 * language, one row per watcher, set-based (db/outboxRepo.ts enqueueForWatchers).
 */
export function enrollmentNoticesJob(db: Db, onEnqueued: () => void): Job {
  return {
    name: "enrollment-open-notices",
    run(now) {
      const courses = new Map(dueEnrollmentNotices(db, now).map(({ course }) => [course.id, course]));
      if (courses.size === 0) return;
      for (const course of courses.values()) {
        const prefix = `enrollment-open:${course.id}:`;
        const bodies: Record<string, number> = {};
        for (const lang of LOCALES) {
          const t = translator(lang);
          const text = t("notify.enrollment_open", {
            title: courseTitle(course, lang),
            start: formatDate(course.startAt, lang, course.timezone),
            closes: formatDate(course.enrollClosesAt - 1, lang, course.timezone),
          });
          const payload = {
            text,
            parse_mode: "HTML",
            reply_markup: new InlineKeyboard().text(t("buttons.open_course"), courseCardNew.encode(course.id)),
          };
          bodies[lang] = saveBody(db, `${prefix}${lang}`, { kind: "enrollment-open", method: "sendMessage", payload }, now);
        }
        const first = course.languages.find(isLocale) ?? "kk";
        // Worth sending while enrollment is open (and at least the usual 3 days after a long outage).
        const expiresAt = Math.max(course.enrollClosesAt, now + DEFAULT_EXPIRY_MS);
        enqueueForWatchers(
          db,
          { courseId: course.id, keyPrefix: prefix, bodies, fallbackBody: bodies[first]!, expiresAt, priority: 0 },
          now,
        );
      }
      onEnqueued();
    },
  };
}
