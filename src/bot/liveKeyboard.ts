/**
 * One live step per chat: the message whose buttons answer the quiz question, questionnaire item or
 * /ask prompt the learner is on. When a step is shown (the next one, or the same one again after an
 * invalid input) the previous message loses its buttons, so old copies cannot be pressed and after a
 * whole quiz only the current step carries buttons. Editing the keyboard away tolerates Telegram's
 * "message is not modified" and "message to edit not found" (a message deleted or too old).
 */
import { GrammyError } from "grammy";
import { clearLiveKeyboard, liveKeyboard, setLiveKeyboard } from "../db/liveKeyboardsRepo.js";
import type { BotContext } from "./context.js";

/** Messages whose buttons this update already took away (by editing the answered question). */
const removedThisUpdate = new WeakMap<BotContext, Set<number>>();

/** Notes that this update edited the buttons off a message (default: the pressed one), saving a call. */
export function keyboardRemoved(ctx: BotContext, messageId = ctx.callbackQuery?.message?.message_id): void {
  if (messageId === undefined) return;
  const set = removedThisUpdate.get(ctx) ?? new Set<number>();
  set.add(messageId);
  removedThisUpdate.set(ctx, set);
}

async function stripKeyboard(ctx: BotContext, chatId: number, messageId: number): Promise<void> {
  if (removedThisUpdate.get(ctx)?.has(messageId)) return;
  try {
    await ctx.api.editMessageReplyMarkup(chatId, messageId);
  } catch (err) {
    // Not modified (no buttons left), not found, too old to edit: nothing to take away.
    if (!(err instanceof GrammyError && err.error_code === 400)) throw err;
  }
  keyboardRemoved(ctx, messageId);
}

/**
 * A step was just shown: `messageId` carries its buttons (null when it has none, or the flow ended).
 * The message that carried the previous step's buttons loses them.
 */
export async function stepShown(ctx: BotContext, messageId: number | null): Promise<void> {
  const learnerId = ctx.from?.id;
  if (learnerId === undefined) return;
  const { db, clock } = ctx.deps;
  const old = liveKeyboard(db, learnerId);
  if (messageId !== null) {
    if (old !== messageId) setLiveKeyboard(db, learnerId, messageId, clock.now());
  } else if (old !== undefined) clearLiveKeyboard(db, learnerId);
  if (old !== undefined && old !== messageId) await stripKeyboard(ctx, ctx.chat?.id ?? learnerId, old);
}

/** The flow ended (result, thanks, question sent, cancelled): no step keeps buttons. */
export function flowEnded(ctx: BotContext): Promise<void> {
  return stepShown(ctx, null);
}
