import { DAY } from "../clock.js";
import type { Locale } from "../domain/locale.js";
import type { Db } from "../db/client.js";
import { coursesWithQuestionnaires, learnersToMessage } from "../db/questionnaireRepo.js";
import { offerDedupeKey, offerMessage } from "../bot/features/questionnaire.js";
import { questionnaireWindow, reminderAt } from "../domain/questionnaire.js";
import { enqueue } from "./outbox.js";
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
    run(now) {
      let enqueued = 0;
      db.transaction(() => {
        for (const { course, kind, questions } of coursesWithQuestionnaires(db)) {
          const w = questionnaireWindow(kind, course);
          if (now < w.opensAt || now >= w.closesAt) continue;
          const send = (which: "offer" | "remind", enrolledBefore?: number) => {
            const prefix = offerDedupeKey(which, kind, course.id, "");
            for (const learner of learnersToMessage(db, course.id, kind, prefix, enrolledBefore)) {
              const lang: Locale = learner.language;
              const added = enqueue(
                db,
                {
                  dedupeKey: `${prefix}${learner.id}`,
                  kind: `questionnaire-${which}`,
                  batch: `questionnaire-${which}:${kind}:${course.id}`,
                  chatId: learner.id,
                  method: "sendMessage",
                  payload: offerMessage(course, kind, which, lang, questions.length),
                },
                now,
              );
              if (added) enqueued++;
            }
          };
          const remindAt = reminderAt(kind, course);
          if (kind === "pre") {
            if (now < course.startAt) send("offer");
            // Those who enrolled in the last day before the reminder just got the offer: no reminder for them.
            if (now >= remindAt) send("remind", remindAt - DAY);
          } else {
            send("offer");
            if (now >= remindAt) send("remind");
          }
        }
      });
      if (enqueued > 0) onEnqueued();
    },
  };
}
