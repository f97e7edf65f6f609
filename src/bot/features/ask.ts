import { Composer, InlineKeyboard } from "grammy";
import { pickText } from "../../domain/course.js";
import type { AskRefusal } from "../../domain/questions.js";
import { shorten } from "../../domain/text.js";
import { RULES } from "../../domain/rules.js";
import { getCourse, getModules, isEnrolled, learnerCourses } from "../../db/coursesRepo.js";
import { deleteDraft, saveDraft } from "../../db/questionsRepo.js";
import type { Course } from "../../db/schema/index.js";
import type { BotContext } from "../context.js";
import { courseTitle } from "../../messages/courseViews.js";
import { askCancelButton, askCourseButton, askModuleButton, coursesButton } from "../../messages/callbackData.js";
import { answerCallback, buttonValues, HTML, show } from "../ui.js";
import { assistantsChatFeature } from "./askAssistants.js";
import { pauseOpenDialog } from "./dialogs.js";
import { flowEnded, keyboardRemoved, stepShown } from "../liveKeyboard.js";
import { myQuestionsFeature } from "./myQuestions.js";
import { askMessagesFeature } from "./askMessages.js";
import { enabled, liveDraft, refusalFor, refusalText } from "./askChecks.js";

/**
 * Learners' questions to the instructor's assistants (issue 6). The learner's side: here /ask
 * (course, optional module) and /cancel; the question itself and follow-ups sent as replies to the
 * bot's messages about a question in askMessages.ts; /myquestions in myQuestions.ts. The
 * assistants' side is askAssistants.ts.
 *
 * The /ask flow keeps its few steps in a small table (ask_drafts) instead of a conversation: each
 * step is one button or one message, the buttons carry the course id themselves, and a restart
 * or a stale button cannot replay anything.
 */
export const askFeature = new Composer<BotContext>();
askFeature.use(assistantsChatFeature);
askFeature.use(myQuestionsFeature);
const pm = askFeature.chatType("private");

/**
 * Opening the form checks only the number of open questions: the pause between messages applies
 * when the question is sent (the form takes longer than the pause to fill in anyway), so /ask right
 * after a question opens and the learner is told to wait only if they send within the minute.
 */
function openingRefusal(ctx: BotContext, learnerId: number): AskRefusal | null {
  const refusal = refusalFor(ctx, learnerId, true);
  return refusal?.reason === "too_many_open" ? refusal : null;
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

// After the /ask steps and /cancel: a message that is not theirs may be the question itself.
askFeature.use(askMessagesFeature);
