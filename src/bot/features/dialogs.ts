/**
 * The dialog open in a learner's chat (a quiz attempt or a questionnaire), read from open_dialogs
 * on each update: typed messages go to it as answers, /cancel pauses it. Both flows keep all their
 * state in their own tables, so a pause, a restart or a crash loses nothing.
 */
import { Composer } from "grammy";
import { clearOpenDialog, openDialog } from "../../db/dialogsRepo.js";
import type { BotContext } from "../context.js";
import { HTML } from "../ui.js";
import { questionnaireText } from "./questionnaire/answers.js";
import { quizText } from "./quiz/answers.js";

export const dialogsFeature = new Composer<BotContext>();
const pm = dialogsFeature.chatType("private");

// /cancel with no dialog open passes on (the /ask flow, then the fallback's "nothing to cancel").
pm.command("cancel", async (ctx, next) => {
  const open = openDialog(ctx.deps.db, ctx.from.id);
  if (!open) return next();
  clearOpenDialog(ctx.deps.db, ctx.from.id);
  await ctx.reply(ctx.t(open.kind === "quiz" ? "quiz.paused" : "survey.paused"), HTML);
});

/**
 * Another flow that reads typed messages (the /ask question, an author's announcement) pauses the
 * open quiz or questionnaire first: otherwise the dialog, which reads every message before them,
 * would take the question as an answer. The learner is told, as with /cancel.
 */
export async function pauseOpenDialog(ctx: BotContext): Promise<void> {
  const open = openDialog(ctx.deps.db, ctx.from!.id);
  if (!open || !clearOpenDialog(ctx.deps.db, ctx.from!.id)) return;
  await ctx.reply(ctx.t(open.kind === "quiz" ? "quiz.paused" : "survey.paused"), HTML);
}

pm.on("message", async (ctx, next) => {
  const open = openDialog(ctx.deps.db, ctx.from.id);
  if (!open) return next();
  if (open.kind === "quiz") return quizText(ctx, open.refId, next);
  return questionnaireText(ctx, open.refId, next);
});
