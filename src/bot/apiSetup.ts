import { autoRetry } from "@grammyjs/auto-retry";
import type { Api, Context, NextFunction, Transformer } from "grammy";

/** grammY's InlineKeyboard leaves an empty last row after a trailing .row(); Telegram needs none. */
const dropEmptyKeyboardRows: Transformer = (prev, method, payload, signal) => {
  const markup = (payload as { reply_markup?: { inline_keyboard?: unknown[][] } }).reply_markup;
  if (markup?.inline_keyboard?.some((row) => row.length === 0)) {
    const inline_keyboard = markup.inline_keyboard.filter((row) => row.length > 0);
    payload = { ...payload, reply_markup: { ...markup, inline_keyboard } };
  }
  return prev(method, payload, signal);
};

/**
 * What every Api object that talks to Telegram for an update needs: 429 "retry after N" waited
 * out (auto-retry), and tidy keyboards.
 */
export function setUpReplyApi(api: Api): void {
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: false }));
  api.config.use(dropEmptyKeyboardRows);
}

/**
 * Conversations build their own Api per update from the token and client options, so bot.api's
 * transformers do not reach them: pass this in createConversation's `plugins`.
 */
export function conversationApiPlugin(ctx: Context, next: NextFunction): Promise<void> {
  setUpReplyApi(ctx.api);
  return next();
}
