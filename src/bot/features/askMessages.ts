/**
 * The learner's question itself, and what follows it: the message that completes /ask (text, a
 * photo or a document, an album's later photos), and follow-ups sent as replies to the bot's
 * messages about a question. Both are checked against the limits and posted to the course's
 * assistants' chat (questionRelay.ts).
 */
import { Composer } from "grammy";
import type { Message } from "grammy/types";
import { RULES } from "../../domain/rules.js";
import { getCourse, isEnrolled } from "../../db/coursesRepo.js";
import {
  createQuestion,
  deleteDraft,
  mapMessage,
  markLearnerNotified,
  questionByMediaGroup,
  questionByLearnerMessage,
  questionByMessage,
  recordFollowUp,
} from "../../db/questionsRepo.js";
import type { AskDraft, Question } from "../../db/schema/index.js";
import { recordThreadEntry } from "../../db/questionThreadRepo.js";
import { courseTitle } from "../../messages/courseViews.js";
import type { BotContext } from "../context.js";
import { flowEnded } from "../liveKeyboard.js";
import { postAttachment, postFollowUp, postQuestion, refreshHeaderButtons } from "../questionRelay.js";
import { HTML } from "../ui.js";
import { enabled, liveDraft, refusalFor, refusalText } from "./askChecks.js";

export const askMessagesFeature = new Composer<BotContext>();
const pm = askMessagesFeature.chatType("private");
function isCommand(msg: Message): boolean {
  return (msg.entities ?? []).some((e) => e.type === "bot_command" && e.offset === 0);
}

interface Content {
  text: string;
  mediaKind: "photo" | "document" | null;
  fileId: string | null;
}

function contentOf(msg: Message): Content | null {
  if (msg.text !== undefined) return { text: msg.text, mediaKind: null, fileId: null };
  if (msg.photo && msg.photo.length > 0)
    return { text: msg.caption ?? "", mediaKind: "photo", fileId: msg.photo[msg.photo.length - 1]!.file_id };
  if (msg.document) return { text: msg.caption ?? "", mediaKind: "document", fileId: msg.document.file_id };
  return null;
}

/** Checks the content; tells the learner what is wrong and returns null when it cannot be sent. */
async function acceptableContent(ctx: BotContext, msg: Message): Promise<Content | null> {
  const content = contentOf(msg);
  if (!content) {
    await ctx.reply(ctx.t("ask.unsupported"), HTML);
    return null;
  }
  const length = [...content.text].length;
  if (length > RULES.questions.maxLength) {
    await ctx.reply(ctx.t("ask.too_long", { length, max: RULES.questions.maxLength }), HTML);
    return null;
  }
  if (content.mediaKind === null && content.text.trim() === "") {
    await ctx.reply(ctx.t("ask.unsupported"), HTML);
    return null;
  }
  return content;
}

pm.on("message", async (ctx, next) => {
  // A command is never a question (unknown ones reach the fallback). Telegram marks commands with
  // an entity, so a question that merely starts with a path such as "/usr/bin/python3" still counts.
  if (isCommand(ctx.msg)) return next();
  // The 2nd, 3rd... photo of an album belongs to the question (or follow-up) its first photo made.
  const group = ctx.msg.media_group_id;
  const albumOf = group ? questionByMediaGroup(ctx.deps.db, ctx.from.id, group) : undefined;
  if (albumOf) {
    const content = contentOf(ctx.msg);
    if (content?.mediaKind && content.fileId && enabled(ctx)) {
      await postAttachment(
        ctx.api,
        ctx.deps.db,
        ctx.deps.config,
        albumOf,
        { kind: content.mediaKind, fileId: content.fileId },
        ctx.deps.clock.now(),
      );
    }
    return;
  }
  const replyTo = ctx.msg.reply_to_message;
  if (replyTo) {
    const q = questionByMessage(ctx.deps.db, ctx.chat.id, replyTo.message_id, "learner");
    if (q && q.learnerId === ctx.from.id) {
      await followUp(ctx, q);
      return;
    }
  }
  const draft = liveDraft(ctx, ctx.from.id);
  if (!draft) {
    // The message that made a question, handled again (a crash before it was recorded as handled).
    const made = questionByLearnerMessage(ctx.deps.db, ctx.from.id, ctx.msg.message_id);
    if (made) return finishInterrupted(ctx, made);
    return next();
  }
  if (draft.step !== "text" || draft.courseId === null) {
    await ctx.reply(ctx.t("ask.expected_button"), HTML);
    return;
  }
  await submitQuestion(ctx, draft, draft.courseId);
});

async function submitQuestion(ctx: BotContext, draft: AskDraft, courseId: string): Promise<void> {
  const { db, clock } = ctx.deps;
  const learnerId = ctx.from!.id;
  if (!enabled(ctx, courseId)) {
    deleteDraft(db, learnerId);
    await ctx.reply(ctx.t("ask.disabled"), HTML);
    return;
  }
  const course = getCourse(db, courseId);
  if (!course || !isEnrolled(db, learnerId, courseId)) {
    deleteDraft(db, learnerId);
    await ctx.reply(course ? ctx.t("ask.not_enrolled", { title: courseTitle(course, ctx.lang) }) : ctx.t("errors.course_gone"), HTML);
    return;
  }
  const msg = ctx.msg!;
  const content = await acceptableContent(ctx, msg);
  if (!content) return;
  const refusal = refusalFor(ctx, learnerId, true);
  if (refusal) {
    // Too many open questions: the flow ends. Too soon: the draft stays, so sending again later works.
    await ctx.reply(refusalText(ctx, refusal), HTML);
    if (refusal.reason === "too_many_open") {
      deleteDraft(db, learnerId);
      await flowEnded(ctx, "ask");
    }
    return;
  }
  const now = clock.now();
  const question = db.transaction(() => {
    const q = createQuestion(
      db,
      {
        learnerId,
        courseId,
        modulePosition: draft.modulePosition,
        text: content.text,
        mediaKind: content.mediaKind,
        mediaFileId: content.fileId,
        mediaGroupId: msg.media_group_id ?? null,
        learnerMessageId: msg.message_id,
      },
      now,
    );
    deleteDraft(db, learnerId);
    return q;
  });
  await confirm(ctx, question.id, await post(ctx, question, now, false), now);
}

/** Posts a stored question to its assistants' chat; returns the key of what the learner is told. */
async function post(ctx: BotContext, q: Question, now: number, maybeCopy: boolean): Promise<string> {
  const { db, config } = ctx.deps;
  try {
    // Not posted: the bot was removed from the course's chat; it waits until a chat is linked again.
    return (await postQuestion(ctx.api, db, config, q, now, { maybeCopy })) ? "ask.sent" : "ask.waiting";
  } catch (err) {
    // Saved all the same: the redelivery job posts it when Telegram answers again.
    ctx.log.warn({ err, question: q.id }, "question not posted yet");
    return "ask.queued";
  }
}

/** Tells the learner the question's number and how it went; then the /ask flow is over. */
async function confirm(ctx: BotContext, questionId: number, outcome: string, now: number): Promise<void> {
  const { db } = ctx.deps;
  const learnerId = ctx.from!.id;
  const confirmation = await ctx.reply(ctx.t(outcome, { number: questionId }), HTML);
  // Until this is recorded, the redelivery job tells the learner the number (after a crash here).
  db.transaction(() => {
    mapMessage(db, { chatId: learnerId, messageId: confirmation.message_id, questionId, side: "learner", kind: "confirmation" }, now);
    markLearnerNotified(db, questionId, now);
  });
  // The prompt's Cancel button has nothing left to cancel.
  await flowEnded(ctx, "ask");
}

/**
 * The question this message made was stored, then the process died: the same message handled
 * again finishes the job (posts it, with the note that a copy may exist, and tells the learner its
 * number) instead of being taken for a stray text. Once settled, the redelivery job owns it.
 */
async function finishInterrupted(ctx: BotContext, q: Question): Promise<void> {
  const { clock } = ctx.deps;
  const now = clock.now();
  if (now - q.createdAt >= RULES.questions.settledMinutes * 60_000) return;
  const outcome = q.assistantMessageId === null ? await post(ctx, q, now, q.postStartedAt !== null) : "ask.sent";
  if (q.learnerNotifiedAt === null) await confirm(ctx, q.id, outcome, now);
}

async function followUp(ctx: BotContext, q: Question): Promise<void> {
  const { db, clock, config } = ctx.deps;
  if (!enabled(ctx, q.courseId)) {
    await ctx.reply(ctx.t("ask.disabled"), HTML);
    return;
  }
  const content = await acceptableContent(ctx, ctx.msg!);
  if (!content) return;
  const refusal = refusalFor(ctx, q.learnerId, false);
  if (refusal) {
    await ctx.reply(refusalText(ctx, refusal), HTML);
    return;
  }
  const now = clock.now();
  if (!(await postFollowUp(ctx.api, db, config, q, content, now))) {
    await ctx.reply(ctx.t("ask.followup_waiting", { number: q.id }), HTML);
    return;
  }
  recordFollowUp(db, q.id, now, ctx.msg!.media_group_id ?? null);
  recordThreadEntry(
    db,
    {
      questionId: q.id,
      author: "learner",
      authorName: null,
      text: content.text,
      mediaKind: content.mediaKind,
      sourceChatId: q.learnerId,
      sourceMessageId: ctx.msg!.message_id,
    },
    now,
  );
  if (q.state !== "open") await refreshHeaderButtons(ctx.api, db, config, q.id);
  const sent = await ctx.reply(ctx.t("ask.followup_sent", { number: q.id }), HTML);
  mapMessage(db, { chatId: q.learnerId, messageId: sent.message_id, questionId: q.id, side: "learner", kind: "confirmation" }, now);
}
