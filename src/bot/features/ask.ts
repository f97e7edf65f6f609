import { Composer, InlineKeyboard } from "grammy";
import type { Message } from "grammy/types";
import { pickText } from "../../domain/course.js";
import { askRefusal, type AskRefusal } from "../../domain/questions.js";
import { shorten } from "../../domain/text.js";
import { RULES } from "../../domain/rules.js";
import { getCourse, getModules, isEnrolled, learnerCourses } from "../../db/coursesRepo.js";
import {
  createQuestion,
  deleteDraft,
  getDraft,
  lastLearnerMessageAt,
  mapMessage,
  markLearnerNotified,
  openQuestionCount,
  questionByMediaGroup,
  questionByMessage,
  recordFollowUp,
  saveDraft,
} from "../../db/questionsRepo.js";
import type { AskDraft, Course, Question } from "../../db/schema/index.js";
import type { BotContext } from "../context.js";
import { courseTitle } from "../../messages/courseViews.js";
import { postAttachment, postFollowUp, postQuestion, refreshHeaderButtons } from "../questionRelay.js";
import { askCancelButton, askCourseButton, askModuleButton, coursesButton } from "../../messages/callbackData.js";
import { answerCallback, buttonValues, HTML, show } from "../ui.js";
import { assistantsChatFeature } from "./askAssistants.js";
import { assistantChatFor, questionsEnabled } from "../../db/courseChatsRepo.js";
import { pauseOpenDialog } from "./dialogs.js";
import { flowEnded, keyboardRemoved, stepShown } from "../liveKeyboard.js";
import { myQuestionsFeature } from "./myQuestions.js";
import { recordThreadEntry } from "../../db/questionThreadRepo.js";

/**
 * Learners' questions to the instructor's assistants (issue 6). The learner's side lives here:
 * /ask (course, optional module, then the question), /myquestions, /cancel, and follow-ups sent
 * as replies to the bot's messages about a question. The assistants' side is askAssistants.ts.
 *
 * The /ask flow keeps its few steps in a small table (ask_drafts) instead of a conversation: each
 * step is one button or one message, the buttons carry the course id themselves, and a restart
 * or a stale button cannot replay anything.
 */
export const askFeature = new Composer<BotContext>();
askFeature.use(assistantsChatFeature);
askFeature.use(myQuestionsFeature);
const pm = askFeature.chatType("private");

/** Questions can be asked (of this course): some assistants' chat serves it (courseChatsRepo's routing). */
function enabled(ctx: BotContext, courseId?: string): boolean {
  const { db, config } = ctx.deps;
  return courseId === undefined ? questionsEnabled(db, config) : assistantChatFor(db, config, courseId).kind !== "off";
}

function refusalText(ctx: BotContext, r: AskRefusal): string {
  return r.reason === "too_many_open" ? ctx.t("ask.too_many_open", { max: r.max }) : ctx.t("ask.too_soon", { seconds: r.waitSeconds });
}

function refusalFor(ctx: BotContext, learnerId: number, newQuestion: boolean): AskRefusal | null {
  const { db, clock } = ctx.deps;
  return askRefusal({
    openCount: openQuestionCount(db, learnerId),
    lastAt: lastLearnerMessageAt(db, learnerId),
    now: clock.now(),
    newQuestion,
  });
}

/**
 * Opening the form checks only the number of open questions: the pause between messages applies
 * when the question is sent (the form takes longer than the pause to fill in anyway), so /ask right
 * after a question opens and the learner is told to wait only if they send within the minute.
 */
function openingRefusal(ctx: BotContext, learnerId: number): AskRefusal | null {
  const refusal = refusalFor(ctx, learnerId, true);
  return refusal?.reason === "too_many_open" ? refusal : null;
}

/** The learner's draft, unless it has been left untouched for too long (then it is forgotten). */
function liveDraft(ctx: BotContext, learnerId: number): AskDraft | null {
  const draft = getDraft(ctx.deps.db, learnerId);
  if (!draft) return null;
  if (ctx.deps.clock.now() - draft.updatedAt > RULES.questions.draftMinutes * 60_000) {
    deleteDraft(ctx.deps.db, learnerId);
    return null;
  }
  return draft;
}

const cancelButton = (ctx: BotContext) => new InlineKeyboard().text(ctx.t("buttons.cancel"), askCancelButton.encode());

// ---- /ask ----

pm.command("ask", async (ctx) => {
  if (!enabled(ctx)) {
    await ctx.reply(ctx.t("ask.disabled"), HTML);
    return;
  }
  const mine = learnerCourses(ctx.deps.db, ctx.from.id);
  if (mine.length === 0) {
    await ctx.reply(ctx.t("ask.no_courses"), {
      ...HTML,
      reply_markup: new InlineKeyboard().text(ctx.t("buttons.all_courses"), coursesButton.encode(undefined)),
    });
    return;
  }
  const refusal = openingRefusal(ctx, ctx.from.id);
  if (refusal) {
    await ctx.reply(refusalText(ctx, refusal), HTML);
    return;
  }
  if (mine.length === 1) {
    await chooseModule(ctx, mine[0]!.course, false);
    return;
  }
  saveDraft(ctx.deps.db, { learnerId: ctx.from.id, step: "course", courseId: null, modulePosition: null, updatedAt: ctx.deps.clock.now() });
  const kb = new InlineKeyboard();
  for (const { course } of mine) {
    const title = courseTitle(course, ctx.lang);
    kb.text(shorten(title, 60), askCourseButton.encode(course.id)).row();
  }
  kb.text(ctx.t("buttons.cancel"), askCancelButton.encode());
  const sent = await ctx.reply(ctx.t("ask.choose_course"), { ...HTML, reply_markup: kb });
  await stepShown(ctx, "ask", sent.message_id);
});

/** Second step: the module (week) the question is about, or a general question. */
async function chooseModule(ctx: BotContext, course: Course, edit: boolean): Promise<void> {
  const { db, clock } = ctx.deps;
  const learnerId = ctx.from!.id;
  const modules = getModules(db, course.id);
  if (modules.length === 0) {
    await askForText(ctx, course, null, edit);
    return;
  }
  saveDraft(db, { learnerId, step: "module", courseId: course.id, modulePosition: null, updatedAt: clock.now() });
  const kb = new InlineKeyboard();
  for (const m of modules) {
    const label = ctx.t("ask.module_button", { week: m.position + 1, title: pickText(m.title, ctx.lang, course.languages) });
    kb.text(shorten(label, 60), askModuleButton.encode(course.id, m.position)).row();
  }
  kb.text(ctx.t("ask.general_button"), askModuleButton.encode(course.id, null)).row();
  kb.text(ctx.t("buttons.cancel"), askCancelButton.encode());
  const text = ctx.t("ask.choose_module", { title: courseTitle(course, ctx.lang) });
  await stepShown(ctx, "ask", edit ? await show(ctx, text, kb) : (await ctx.reply(text, { ...HTML, reply_markup: kb })).message_id);
}

async function askForText(ctx: BotContext, course: Course, position: number | null, edit: boolean): Promise<void> {
  const { db, clock } = ctx.deps;
  await pauseOpenDialog(ctx);
  saveDraft(db, { learnerId: ctx.from!.id, step: "text", courseId: course.id, modulePosition: position, updatedAt: clock.now() });
  const modules = getModules(db, course.id);
  const m = position === null ? undefined : modules.find((x) => x.position === position);
  const about =
    position === null
      ? ctx.t("ask.about_general")
      : ctx.t("ask.about_module", { week: position + 1, title: m ? pickText(m.title, ctx.lang, course.languages) : "" });
  // `about` is already escaped by t(), so it is joined here rather than interpolated again.
  const text = [
    ctx.t("ask.write_title", { title: courseTitle(course, ctx.lang) }),
    about,
    "",
    ctx.t("ask.write", { max: RULES.questions.maxLength }),
  ].join("\n");
  const kb = cancelButton(ctx);
  await stepShown(ctx, "ask", edit ? await show(ctx, text, kb) : (await ctx.reply(text, { ...HTML, reply_markup: kb })).message_id);
}

/** A course named in a button, if the learner may ask about it; otherwise they are told why. */
async function askableCourse(ctx: BotContext, courseId: string): Promise<Course | null> {
  if (!enabled(ctx)) {
    await answerCallback(ctx);
    await ctx.reply(ctx.t("ask.disabled"), HTML);
    return null;
  }
  const course = getCourse(ctx.deps.db, courseId);
  if (!course) {
    await answerCallback(ctx, ctx.t("errors.course_gone"), true);
    return null;
  }
  if (!isEnrolled(ctx.deps.db, ctx.from!.id, course.id)) {
    await answerCallback(ctx, ctx.t("ask.not_enrolled", { title: courseTitle(course, ctx.lang) }), true);
    return null;
  }
  return course;
}

// The course chosen in the list, or the "Ask a question" button of a course card.
pm.callbackQuery(askCourseButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, askCourseButton);
  if (!values) return;
  const course = await askableCourse(ctx, values[0]);
  if (!course) return;
  const refusal = openingRefusal(ctx, ctx.from.id);
  if (refusal) {
    await answerCallback(ctx);
    await ctx.reply(refusalText(ctx, refusal), HTML);
    return;
  }
  await answerCallback(ctx);
  // From our own course list the message is replaced; from a course card a new message keeps the card.
  const fromList = liveDraft(ctx, ctx.from.id)?.step === "course";
  await chooseModule(ctx, course, fromList);
});

pm.callbackQuery(askModuleButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, askModuleButton);
  if (!values) return;
  const [courseId, position] = values;
  const draft = liveDraft(ctx, ctx.from.id);
  if (!draft || draft.step !== "module" || draft.courseId !== courseId) {
    await answerCallback(ctx, ctx.t("ask.stale"), true);
    return;
  }
  const course = await askableCourse(ctx, courseId);
  if (!course) return;
  if (position !== null && !getModules(ctx.deps.db, course.id).some((m) => m.position === position)) {
    await answerCallback(ctx, ctx.t("ask.stale"), true);
    return;
  }
  await answerCallback(ctx);
  await askForText(ctx, course, position, true);
});

pm.callbackQuery(askCancelButton.filter, async (ctx) => {
  if (!(await buttonValues(ctx, askCancelButton))) return;
  const had = deleteDraft(ctx.deps.db, ctx.from.id);
  await answerCallback(ctx);
  await show(ctx, ctx.t(had ? "ask.cancelled" : "ask.nothing_to_cancel"));
  keyboardRemoved(ctx);
  if (had) await flowEnded(ctx, "ask");
});

pm.command("cancel", async (ctx, next) => {
  if (deleteDraft(ctx.deps.db, ctx.from.id)) {
    await ctx.reply(ctx.t("ask.cancelled"), HTML);
    await flowEnded(ctx, "ask");
    return;
  }
  // Not ours: another feature may have something to cancel (the fallback says when nobody has).
  return next();
});

// /myquestions lives in myQuestions.ts (the questions with the assistants' replies and follow-ups).

// ---- the question itself, and follow-ups ----

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
  if (!draft) return next();
  if (draft.step !== "text" || draft.courseId === null) {
    await ctx.reply(ctx.t("ask.expected_button"), HTML);
    return;
  }
  await submitQuestion(ctx, draft, draft.courseId);
});

async function submitQuestion(ctx: BotContext, draft: AskDraft, courseId: string): Promise<void> {
  const { db, clock, config } = ctx.deps;
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
  let outcome = "ask.sent";
  try {
    // Not posted: the bot was removed from the course's chat; it waits until a chat is linked again.
    if (!(await postQuestion(ctx.api, db, config, question, now))) outcome = "ask.waiting";
  } catch (err) {
    // Saved all the same: the redelivery job posts it when Telegram answers again.
    outcome = "ask.queued";
    ctx.log.warn({ err, question: question.id }, "question not posted yet");
  }
  const confirmation = await ctx.reply(ctx.t(outcome, { number: question.id }), HTML);
  // Until this is recorded, the redelivery job tells the learner the number (after a crash here).
  db.transaction(() => {
    mapMessage(
      db,
      { chatId: learnerId, messageId: confirmation.message_id, questionId: question.id, side: "learner", kind: "confirmation" },
      now,
    );
    markLearnerNotified(db, question.id, now);
  });
  // The prompt's Cancel button has nothing left to cancel.
  await flowEnded(ctx, "ask");
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
