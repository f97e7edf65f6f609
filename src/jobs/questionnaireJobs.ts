import { DAY } from "../clock.js";
import { LOCALES } from "../domain/locale.js";
import type { Db } from "../db/client.js";
import { enqueueFanOut, saveBody } from "../db/outboxRepo.js";
import { coursesWithQuestionnaires, notSubmitted } from "../db/questionnaireRepo.js";
import { offerDedupeKey, offerMessage } from "../messages/questionnaireOffers.js";
import { questionnaireWindow, reminderAt } from "../domain/questionnaire.js";
import type { Job } from "./scheduler.js";

/**
 * Sends the questionnaires through the outbox, each message once (dedupe keys):
 * - pre: offered to every enrolled learner while it is open and before the course starts (the
 *   enrollment hook offers it at once; this catches the rest), and one reminder two days before
 *   the start to those enrolled before then who have not submitted;
 * - post: offered to every enrolled learner when the last module's window closes (course endAt),
 *   and one reminder three days later to those who have not submitted.
 */
export function questionnaireJob(db: Db, onEnqueued: () => void): Job {
  return {
    name: "questionnaires",
    async run(now) {
      let enqueued = 0;
      for (const { course, kind, questions } of coursesWithQuestionnaires(db)) {
        const w = questionnaireWindow(kind, course);
        if (now < w.opensAt || now >= w.closesAt) continue;
        // Set-based and chunked (db/outboxRepo.ts): one body per language, one lean row per learner.
        const send = async (which: "offer" | "remind", enrolledBefore?: number) => {
          const prefix = offerDedupeKey(which, kind, course.id, "");
          const batch = `questionnaire-${which}:${kind}:${course.id}`;
          const bodies: Record<string, number> = {};
          for (const lang of LOCALES) {
            const payload = offerMessage(course, kind, which, lang, questions.length, now);
            bodies[lang] = saveBody(db, `${prefix}${lang}`, { kind: `questionnaire-${which}`, batch, method: "sendMessage", payload }, now);
          }
          enqueued += await enqueueFanOut(
            db,
            {
              courseId: course.id,
              keyPrefix: prefix,
              bodies,
              fallbackBody: bodies.kk!,
              expiresAt: w.closesAt,
              enrolledBefore,
              where: notSubmitted(course.id, kind),
            },
            now,
          );
        };
        const remindAt = reminderAt(kind, course);
        if (kind === "pre") {
          if (now < course.startAt) await send("offer");
          // Those who enrolled in the last day before the reminder just got the offer: no reminder for them.
          if (now >= remindAt) await send("remind", remindAt - DAY);
        } else {
          await send("offer");
          if (now >= remindAt) await send("remind");
        }
      }
      if (enqueued > 0) onEnqueued();
    },
  };
}
