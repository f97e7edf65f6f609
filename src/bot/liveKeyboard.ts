/**
 * One live step per chat: the message whose buttons answer the quiz question, questionnaire item or
 * /ask prompt the learner is on. When a step is shown (the next one, or the same one again after an
 * invalid input) the previous message loses its buttons, so old copies cannot be pressed and after a
 * whole quiz only the current step carries buttons. Editing the keyboard away tolerates Telegram's
 * "message is not modified" and "message to edit not found" (a message deleted or too old).
 */
import { GrammyError } from "grammy";
import { transaction } from "../db/client.js";
import { clearLiveKeyboard, liveKeyboard, setLiveKeyboard } from "../db/liveKeyboardsRepo.js";
import type { BotContext } from "./context.js";

/** Messages whose buttons this update already took away (by editing the answered question). */
const removedThisUpdate = new WeakMap<BotContext, Set<number>>();

/**
 * Notes that this update edited the buttons off a message (default: the pressed one), saving a
 * call. If that message is the recorded live step, the record goes at once too: otherwise a kill
 * before the next step is recorded would leave it pointing at a message without buttons, and the
 * step shown after the restart would edit it again (Telegram answers 400 "message is not modified").
 */
export function keyboardRemoved(ctx: BotContext, messageId = ctx.callbackQuery?.message?.message_id): void {
  if (messageId === undefined) return;
  noteRemoved(ctx, messageId);
  const learnerId = ctx.from?.id;
  if (learnerId !== undefined && liveKeyboard(ctx.deps.db, learnerId)?.messageId === messageId) clearLiveKeyboard(ctx.deps.db, learnerId);
}

function noteRemoved(ctx: BotContext, messageId: number): void {
  const set = removedThisUpdate.get(ctx) ?? new Set<number>();
  set.add(messageId);
  removedThisUpdate.set(ctx, set);
}

/** Takes the buttons off a message that is no longer the recorded live step (both callers moved the record first). */
async function stripKeyboard(ctx: BotContext, chatId: number, messageId: number): Promise<void> {
  if (removedThisUpdate.get(ctx)?.has(messageId)) return;
  try {
    await ctx.api.editMessageReplyMarkup(chatId, messageId);
  } catch (err) {
    // Not modified (no buttons left), not found, too old to edit: nothing to take away.
    if (!(err instanceof GrammyError && err.error_code === 400)) throw err;
  }
  noteRemoved(ctx, messageId);
}

/** Whose step a live keyboard is: a quiz attempt, a questionnaire response, or the /ask form. */
export type StepOwner = `quiz:${number}` | `questionnaire:${number}` | "ask";

/**
 * A step of `owner` was just shown: `messageId` carries its buttons (null when it has none). The
 * message that carried the previous step's buttons, of this flow or of another one it supersedes,
 * loses them. `record`: the flow's own note of the step shown (e.g. the quiz's shown item), written
 * in the same commit as the live keyboard (one commit per step instead of two).
 */
export async function stepShown(ctx: BotContext, owner: StepOwner, messageId: number | null, record?: () => void): Promise<void> {
  const learnerId = ctx.from?.id;
  if (learnerId === undefined) {
    record?.();
    return;
  }
  const { db, clock } = ctx.deps;
  const old = transaction(db, () => {
    record?.();
    const old = liveKeyboard(db, learnerId);
    if (messageId !== null) {
      if (old?.messageId !== messageId || old.owner !== owner) setLiveKeyboard(db, learnerId, { messageId, owner }, clock.now());
    } else if (old !== undefined) clearLiveKeyboard(db, learnerId);
    return old;
  });
  if (old !== undefined && old.messageId !== messageId) await stripKeyboard(ctx, ctx.chat?.id ?? learnerId, old.messageId);
}

/**
 * `owner`'s flow ended (result, thanks, question sent, cancelled): its step keeps no buttons. The
 * step of another flow (a quiz under way when an old questionnaire's answers are shown) is left alone.
 */
export async function flowEnded(ctx: BotContext, owner: StepOwner): Promise<void> {
  const learnerId = ctx.from?.id;
  if (learnerId === undefined) return;
  const old = liveKeyboard(ctx.deps.db, learnerId);
  if (old?.owner !== owner) return;
  clearLiveKeyboard(ctx.deps.db, learnerId);
  await stripKeyboard(ctx, ctx.chat?.id ?? learnerId, old.messageId);
}
