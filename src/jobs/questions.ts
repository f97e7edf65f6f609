import { setImmediate as tick } from "node:timers/promises";
import type { Config } from "../config.js";
import { MINUTE } from "../clock.js";
import { digestDay } from "../domain/questions.js";
import { RULES } from "../domain/rules.js";
import { fromLocal } from "../domain/time.js";
import type { Db } from "../db/client.js";
import { getLearner } from "../db/learnersRepo.js";
import { chatLocale, coursesServedBy, servingChats } from "../db/courseChatsRepo.js";
import {
  getQuestion,
  markLearnerNotified,
  openQuestionList,
  type OpenQuestionList,
  questionsMissingMedia,
  unnotifiedQuestions,
  unpostedQuestions,
} from "../db/questionsRepo.js";
import type { Question } from "../db/schema/index.js";
import { openQuestionLines } from "../messages/questionViews.js";
import { chunkLines } from "../messages/html.js";
import { formatDate } from "../messages/format.js";
import { isLocale, translator } from "../messages/i18n.js";
import { logger } from "../log.js";
import { enqueue } from "../db/outboxRepo.js";
import type { Job } from "./scheduler.js";

/**
 * Once a day at DIGEST_HOUR (in TIMEZONE), every assistants' chat (ASSISTANT_CHAT_ID and each
 * linked chat the bot is still in) gets the list of questions of the courses it serves still
 * waiting for an answer that were asked before that hour, in the chat's language. The day (and
 * the chat) is in the outbox dedupe key, so however many ticks see the hour, one digest goes out
 * per chat; a bot that was down at that hour sends it when it comes back the same day. No open
 * questions, no message. Like /questions, it lists the oldest RULES.questions.listLimit of each
 * kind and counts the rest (a backlog of thousands would be dozens of messages a day).
 */
export function questionsDigestJob(db: Db, config: Config, onEnqueued: () => void): Job {
  return {
    name: "questions-digest",
    async run(now) {
      const chats = servingChats(db, config);
      if (chats.length === 0) return;
      const day = digestDay(now, config.timezone, config.digestHour);
      if (!day) return;
      const [year, month, date] = day.split("-").map(Number) as [number, number, number];
      const digestAt = fromLocal({ year, month, day: date, hour: config.digestHour, minute: 0 }, config.timezone);
      let added = false;
      for (const chatId of chats) {
        const list = openQuestionList(db, coursesServedBy(db, config, chatId), digestAt, RULES.questions.listLimit);
        if (list.waitingTotal + list.instructorTotal === 0) continue;
        // ASSISTANT_CHAT_ID keeps the key it had before course chats, so an upgrade mid-day sends no second digest.
        const key = chatId === config.assistantChatId ? `questions-digest:${day}` : `questions-digest:${chatId}:${day}`;
        if (enqueueDigest(db, config, { chatId, key, list, digestAt }, now)) added = true;
        await tick();
      }
      if (added) onEnqueued();
    },
  };
}

function enqueueDigest(
  db: Db,
  config: Config,
  digest: { chatId: number; key: string; list: OpenQuestionList; digestAt: number },
  now: number,
): boolean {
  const { chatId, key, list, digestAt } = digest;
  const lang = chatLocale(db, config, chatId);
  const t = translator(lang);
  const header = t("assist.digest.header", {
    date: formatDate(digestAt, lang, config.timezone),
    open: list.waitingTotal,
    instructor: list.instructorTotal,
  });
  const items = openQuestionLines(t, list, lang, digestAt);
  const chunks = chunkLines([header, "", ...items], RULES.telegramMaxMessageLength);
  const added = db.transaction(() => {
    for (const [i, text] of chunks.entries()) {
      const fresh = enqueue(
        db,
        {
          dedupeKey: `${key}:${i + 1}`,
          kind: "questions-digest",
          batch: key,
          chatId,
          method: "sendMessage",
          payload: { text, parse_mode: "HTML", link_preview_options: { is_disabled: true } },
        },
        now,
      );
      // The first part decides: if today's digest exists, a longer list now adds nothing.
      if (!fresh) return i > 0;
    }
    return true;
  });
  return added;
}

/** Posts a question to the assistants' chat (bot/questionRelay.ts's postQuestion, injected by main). */
export type PostQuestion = (q: Question, now: number, options: { maybeCopy: boolean }) => Promise<unknown>;

/**
 * Questions not posted yet are posted to the assistants as soon as Telegram answers again: saved
 * while it was unreachable, or interrupted by a crash between the send and its record (posted
 * again then, with a note that a copy may exist; a reply to either copy reaches the learner);
 * a photo/document whose header went out but which was not recorded is sent under the header.
 * Questions whose course's chat is gone (the bot was removed) are skipped by `post` and wait for a
 * new link (courseChats.ts posts them then, whatever their age). Only questions older than two minutes are taken, so a question still being posted by its own
 * update is not posted twice; questions older than a week are left alone. A learner who was not
 * told the question's number (a crash before the confirmation was recorded) is told through the
 * outbox, once.
 */
export function questionsRedeliveryJob(db: Db, config: Config, post: PostQuestion, onEnqueued: () => void = () => undefined): Job {
  return {
    name: "questions-redelivery",
    async run(now) {
      const since = now - 7 * 24 * 60 * MINUTE;
      const settled = now - RULES.questions.settledMinutes * MINUTE;
      const due = [...unpostedQuestions(db, since).filter((q) => q.createdAt < settled), ...questionsMissingMedia(db, since, settled)];
      for (const q of due) {
        try {
          await post(q, now, { maybeCopy: q.postStartedAt !== null && q.assistantMessageId === null });
        } catch (err) {
          logger.child({ job: "questions-redelivery" }).error({ err, question: q.id }, "question still not posted");
          break; // Telegram is still unreachable: try again on the next tick.
        }
      }
      let told = 0;
      for (const stale of unnotifiedQuestions(db, since, settled)) {
        const q = getQuestion(db, stale.id)!;
        const learner = getLearner(db, q.learnerId);
        const t = translator(learner && isLocale(learner.language) ? learner.language : config.defaultLocale);
        const text = t(q.assistantMessageId !== null ? "ask.sent" : "ask.queued", { number: q.id });
        db.transaction(() => {
          enqueue(
            db,
            {
              dedupeKey: `ask-number:${q.id}`,
              kind: "ask-number",
              chatId: q.learnerId,
              method: "sendMessage",
              payload: { text, parse_mode: "HTML" },
            },
            now,
          );
          markLearnerNotified(db, q.id, now);
        });
        told++;
      }
      if (told > 0) onEnqueued();
    },
  };
}
