import { Composer } from "grammy";
import { setLearnerBlocked } from "../../db/learnersRepo.js";
import type { BotContext } from "../context.js";

/** Telegram tells us when a learner blocks or unblocks the bot; the outbox skips blocked learners. Groups: courseChats.ts. */
export const blockingFeature = new Composer<BotContext>();

blockingFeature.on("my_chat_member", (ctx, next) => {
  if (ctx.chat.type !== "private") return next();
  const status = ctx.myChatMember.new_chat_member.status;
  const blocked = status === "kicked" || status === "left";
  setLearnerBlocked(ctx.deps.db, ctx.chat.id, blocked, ctx.deps.clock.now());
});
