import { Api, GrammyError, HttpError, type Bot } from "grammy";
import { redact } from "../log.js";
import type { BotContext } from "./context.js";

/** Telegram refused the token itself: retrying cannot help, the operator must fix BOT_TOKEN. */
export class TokenRejectedError extends Error {}

export interface ConnectOptions {
  /** Where the "cannot reach" and "reached" lines go. */
  log: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Backoff between getMe attempts: 1 s doubling up to this cap. */
  maxDelayMs?: number;
}

/**
 * getMe until Telegram answers. A network error or a 5xx/429 is an outage: said once, retried
 * with capped backoff, and the recovery is logged with its duration. 401/404 mean a wrong token
 * (404 is what api.telegram.org answers for a token it cannot parse): TokenRejectedError.
 * getMe goes through a bare Api: bot.api's auto-retry would hide an outage behind its own waits.
 */
export async function connectToTelegram(bot: Bot<BotContext>, token: string, apiRoot: string, options: ConnectOptions): Promise<void> {
  const api = new Api(token, { apiRoot });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxDelay = options.maxDelayMs ?? 15_000;
  let delay = 1000;
  let failingSince: number | null = null;
  for (;;) {
    try {
      bot.botInfo = await api.getMe();
      if (failingSince !== null) {
        options.log(`[bot] reached the Telegram Bot API after ${Math.round((Date.now() - failingSince) / 1000)} s`);
      }
      return;
    } catch (err) {
      if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)) {
        throw new TokenRejectedError(
          `BOT_TOKEN was refused by the Bot API (${err.error_code} ${err.description}): copy the token again from @BotFather`,
        );
      }
      const transient = err instanceof HttpError || (err instanceof GrammyError && (err.error_code >= 500 || err.error_code === 429));
      if (!transient) throw err;
      if (failingSince === null) {
        failingSince = Date.now();
        const reason = err instanceof GrammyError ? `${err.error_code} ${err.description}` : redact(String(err.error));
        options.log(`[bot] cannot reach the Telegram Bot API at ${apiRoot} (${reason}); retrying until it answers`);
      }
      const retryAfter = err instanceof GrammyError ? (err.parameters.retry_after ?? 0) * 1000 : 0;
      await sleep(Math.max(delay, retryAfter));
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
