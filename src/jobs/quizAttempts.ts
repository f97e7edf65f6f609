import { InlineKeyboard } from "grammy";
import type { Locale } from "../domain/locale.js";
import type { Db } from "../db/client.js";
import { getLearner } from "../db/learnersRepo.js";
import { quizById } from "../db/quizRepo.js";
import { closeOverdueAttempts } from "../db/quizAttemptsRepo.js";
import { translator } from "../messages/i18n.js";
import { quizEndedNotice } from "../messages/quizViews.js";
import { enqueue } from "../db/outboxRepo.js";
import type { Job } from "./scheduler.js";

/**
 * Closes quiz attempts whose time limit or deadline passed while the learner was away, and
 * tells them their result (through the outbox, once per attempt: the dedupe key is the attempt).
 */
export function quizAttemptsJob(db: Db, onEnqueued: () => void): Job {
  return {
    name: "quiz-overdue-attempts",
    run(now) {
      const finished = closeOverdueAttempts(db, now);
      if (finished.length === 0) return { closed: 0 };
      for (const attempt of finished) {
        const q = quizById(db, attempt.quizId);
        if (!q) continue;
        const learner = getLearner(db, attempt.learnerId);
        const lang: Locale = learner?.language ?? q.course.languages[0]!;
        const t = translator(lang);
        const text = quizEndedNotice(t, lang, q, attempt);
        enqueue(
          db,
          {
            dedupeKey: `quiz-ended:${attempt.id}`,
            kind: "quiz-ended",
            chatId: attempt.learnerId,
            method: "sendMessage",
            payload: {
              text,
              parse_mode: "HTML",
              reply_markup: new InlineKeyboard().text(t("quiz.all_quizzes_button"), "qz"),
            },
          },
          now,
        );
      }
      onEnqueued();
      return { closed: finished.length };
    },
  };
}
