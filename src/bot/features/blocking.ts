import { Composer } from "grammy";
import { setLearnerBlocked } from "../../db/learnersRepo.js";
import type { BotContext } from "../context.js";

/** Telegram tells us when a learner blocks or unblocks the bot; the outbox skips blocked learners. */
export const blockingFeature = new Composer<BotContext>();

blockingFeature.on("my_chat_member", (ctx) => {
  if (ctx.chat.type !== "private") return;
  const status = ctx.myChatMember.new_chat_member.status;
  const blocked = status === "kicked" || status === "left";
  setLearnerBlocked(ctx.deps.db, ctx.chat.id, blocked, ctx.deps.clock.now());
});
