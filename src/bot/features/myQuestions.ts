/** /myquestions: the learner's questions with the assistants' replies and follow-ups (issue 10 item 4). */
import { Composer } from "grammy";
import { escapeHtml, shorten } from "../../domain/text.js";
import { RULES } from "../../domain/rules.js";
import { getCourse } from "../../db/coursesRepo.js";
import { learnerQuestions } from "../../db/questionsRepo.js";
import { learnersThreadEntry, threadsOf } from "../../db/questionThreadRepo.js";
import { fullReplyButton } from "../../messages/callbackData.js";
import { fullReplyHeader, renderMyQuestions } from "../../messages/myQuestionsViews.js";
import type { BotContext } from "../context.js";
import { answerCallback, buttonValues, HTML } from "../ui.js";

export const myQuestionsFeature = new Composer<BotContext>();
const pm = myQuestionsFeature.chatType("private");

const MY_QUESTIONS_SHOWN = 10;

/** The text escaped for HTML, shortened (at a grapheme boundary) until it fits one message. */
function fittingText(text: string): string {
  let max = RULES.telegramMaxMessageLength - 10;
  let out = escapeHtml(shorten(text, max));
  while (out.length > RULES.telegramMaxMessageLength) {
    max = Math.floor(max / 2);
    out = escapeHtml(shorten(text, max));
  }
  return out;
}

pm.command("myquestions", async (ctx) => {
  const { db, config } = ctx.deps;
  const rows = learnerQuestions(db, ctx.from.id, MY_QUESTIONS_SHOWN);
  if (rows.length === 0) {
    await ctx.reply(ctx.t(config.assistantChatId !== null ? "ask.mine.none" : "ask.disabled"), HTML);
    return;
  }
  const threads = threadsOf(
    db,
    rows.map((r) => r.question.id),
  );
  const messages = renderMyQuestions(
    ctx.t,
    ctx.lang,
    rows.map((r) => ({ ...r, thread: threads.get(r.question.id) ?? [] })),
  );
  for (const m of messages) await ctx.reply(m.text, { ...HTML, reply_markup: m.keyboard });
});

// "Read in full": only a reply to the presser's own question (a forwarded or forged button reads nothing).
pm.callbackQuery(fullReplyButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, fullReplyButton);
  if (!values) return;
  const { db } = ctx.deps;
  const found = learnersThreadEntry(db, ctx.from.id, values[0]);
  if (!found || found.entry.author !== "assistant") {
    await answerCallback(ctx, ctx.t("myQuestions.not_found"), true);
    return;
  }
  await answerCallback(ctx);
  const { entry, question } = found;
  const header = fullReplyHeader(ctx.t, ctx.lang, question, entry, getCourse(db, question.courseId));
  const whole = `${header}\n\n${escapeHtml(entry.text)}`;
  if (entry.mediaKind === null && whole.length <= RULES.telegramMaxMessageLength) {
    await ctx.reply(whole, HTML);
    return;
  }
  // Media, or a text too long to frame: the assistant's own message, copied with its formatting.
  const first = await ctx.reply(header, HTML);
  try {
    await ctx.api.copyMessage(ctx.from.id, entry.sourceChatId, entry.sourceMessageId, {
      reply_parameters: { message_id: first.message_id, allow_sending_without_reply: true },
    });
  } catch (err) {
    ctx.log.warn({ err, entry: entry.id }, "could not copy a reply");
    if (entry.text) await ctx.reply(fittingText(entry.text), HTML);
    else await ctx.reply(ctx.t("myQuestions.copy_failed"), HTML);
  }
});
