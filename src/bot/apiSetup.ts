import { autoRetry } from "@grammyjs/auto-retry";
import type { Api, Transformer } from "grammy";
import { logger } from "../log.js";

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
 * What replies to learners are doing, for the outbox (jobs/outbox.ts ReplySignal): replies and
 * broadcasts share one rate limit, and replies go first. While a reply waits out a 429's
 * retry_after the outbox holds off, and it leaves the rate replies used in the last second.
 */
export class ReplyTraffic {
  /** performance.now() until which a reply is waiting out Telegram's retry_after. */
  private floodUntil = 0;
  private readonly recent: number[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  noteCall(): void {
    const t = this.now();
    this.recent.push(t);
    while (this.recent.length > 0 && this.recent[0]! <= t - 1000) this.recent.shift();
  }

  noteFlood(retryAfterSeconds: number): void {
    this.floodUntil = Math.max(this.floodUntil, this.now() + retryAfterSeconds * 1000);
  }

  holdMs(): number {
    return Math.max(0, this.floodUntil - this.now());
  }

  recentPerSecond(): number {
    const t = this.now();
    while (this.recent.length > 0 && this.recent[0]! <= t - 1000) this.recent.shift();
    return this.recent.length;
  }
}

/** The process's replies (main.ts passes it to the outbox sender). */
export const replyTraffic = new ReplyTraffic();

/** Records each reply attempt and each 429 a reply gets (before auto-retry waits it out). */
function watchReplies(traffic: ReplyTraffic): Transformer {
  return async (prev, method, payload, signal) => {
    if (method === "getUpdates") return prev(method, payload, signal);
    traffic.noteCall();
    const result = await prev(method, payload, signal);
    if (!result.ok && result.error_code === 429) traffic.noteFlood(result.parameters?.retry_after ?? 5);
    return result;
  };
}

/**
 * A reply is never dropped because a broadcast uses the rate limit: it waits out every
 * retry_after (up to 10 tries, each at most 5 minutes), and network errors and 5xx are retried
 * with auto-retry's backoff. getUpdates is left to the runner, which retries it every few
 * seconds (main.ts): auto-retry's backoff grows to an hour, which left the bot deaf after an outage.
 */
function retryReplies(): Transformer {
  const retry = autoRetry({ maxRetryAttempts: 10, maxDelaySeconds: 300, rethrowHttpErrors: false });
  return (prev, method, payload, signal) =>
    method === "getUpdates" ? prev(method, payload, signal) : retry(prev, method, payload, signal);
}

/**
 * What every Api object that talks to Telegram for an update needs: 429 "retry after N" waited
 * out with priority over broadcasts, and tidy keyboards.
 */
export function setUpReplyApi(api: Api, traffic: ReplyTraffic = replyTraffic): void {
  // Installed first = innermost: it sees every attempt, including those auto-retry repeats.
  api.config.use(watchReplies(traffic));
  api.config.use(retryReplies());
  api.config.use(dropEmptyKeyboardRows);
}

/**
 * Logs a polling outage once when it starts and once when it ends, with its duration (the runner
 * itself is silenced: it would print every failed getUpdates).
 */
export function watchPolling(api: Api, now: () => number = Date.now, log = logger.child({ feature: "polling" })): void {
  let downSince: number | null = null;
  api.config.use(async (prev, method, payload, signal) => {
    if (method !== "getUpdates") return prev(method, payload, signal);
    const down = (err: unknown) => {
      if (downSince !== null || signal?.aborted) return;
      downSince = now();
      log.warn({ err }, "polling failed: Telegram unreachable, retrying every few seconds");
    };
    let result;
    try {
      result = await prev(method, payload, signal);
    } catch (err) {
      down(err);
      throw err;
    }
    if (!result.ok && result.error_code >= 500) {
      down(new Error(`${result.error_code} ${result.description}`));
    } else if (downSince !== null) {
      const durationMs = now() - downSince;
      downSince = null;
      log.info({ durationMs }, `polling restored after ${Math.round(durationMs / 1000)} s`);
    }
    return result;
  });
}

/**
 * Calls `then` once the first getUpdates is on its way: when it answers, or `graceMs` after it
 * was made, whichever comes first (a long poll may wait 30 s for an update). Start-up work that
 * blocks the thread (course files, catch-up jobs) goes there, so polling starts within a second.
 * The grace is generous because the request is only written once the event loop has turned a
 * few times (connect, write): blocking it right after the call delays the poll itself.
 */
export function afterFirstPoll(api: Api, then: () => void, graceMs = 1000): void {
  let fired = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    then();
  };
  api.config.use(async (prev, method, payload, signal) => {
    if (method !== "getUpdates" || fired) return prev(method, payload, signal);
    const timer = setTimeout(fire, graceMs);
    try {
      return await prev(method, payload, signal);
    } finally {
      clearTimeout(timer);
      setImmediate(fire);
    }
  });
}

/**
 * Runs an optional call (command menus) in the background until it succeeds, with capped
 * backoff, so nothing at start-up waits on it. Returns a function that stops retrying.
 */
export function retryInBackground(
  what: string,
  call: () => Promise<unknown>,
  log = logger.child({ feature: "startup" }),
  maxDelayMs = 60_000,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let delay = 1000;
  const attempt = async () => {
    if (stopped) return;
    try {
      await call();
      if (delay > 1000) log.info(`${what}: done after retrying`);
    } catch (err) {
      if (delay === 1000) log.warn({ err }, `${what} failed: retrying in the background`);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may have run while the call was out
      if (stopped) return;
      timer = setTimeout(() => void attempt(), delay);
      delay = Math.min(maxDelayMs, delay * 2);
    }
  };
  void attempt();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
