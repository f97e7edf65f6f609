/** How fast the outbox may send: Telegram's limits, backoff after failures, and the adaptive pace. */

/** Telegram's limits: about 30 messages a second overall, 1 a second per chat, 20 a minute per group. */
export const TELEGRAM_MAX_RATE = 30;
export const PRIVATE_CHAT_GAP_MS = 1000;
export const GROUP_CHAT_GAP_MS = 3000;

/** Longest wait between two tries of a message Telegram could not take (network down, 5xx). */
export const MAX_BACKOFF_MS = 60_000;

/**
 * Wait before try `attempt + 1` after a retryable failure: 2 s, 4 s, 8 s … capped at 60 s, each
 * scaled by a random factor in [0.5, 1] so that thousands of rows do not all come back at once.
 * There is no fixed number of tries: a row is retried until it expires (its `expiresAt`).
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, 2 ** attempt * 1000);
  return Math.round(base * (0.5 + random() * 0.5));
}

export interface PaceOptions {
  /** Messages per second to start at. */
  start: number;
  /** Never above this (Telegram: 30/s). */
  ceiling: number;
  floor?: number;
  /** Rate multiplied by this on a 429. */
  decrease?: number;
  /** Added per quiet second while below the rate of the last 429 (recovering what was known to work). */
  fastStep?: number;
  /** Added per quiet second near or above the rate of the last 429 (probing carefully). */
  step?: number;
  /** "Near" the rate of the last 429: this share of it (the quick climb stops there). */
  nearFlood?: number;
}

/**
 * The pace toward Telegram, adapted to its answers (AIMD): start at the configured rate, slow down
 * multiplicatively on a 429 (the request also waits out `retry_after`), and creep back up
 * additively for every second without one, never above the ceiling (Telegram's 30/s). The climb is
 * quick back to just under the rate that last drew a 429, then slow, so 429s stay rare.
 *
 * One overshoot draws a 429 for every request in flight at that moment (up to a few hundred at
 * once): they are one episode, answered by one slow-down. Until the pause they ask for is over and
 * a second has passed, further 429s change nothing, and the rate to climb back to is the one
 * before the episode. (Slowing down once per 429 had cut the pace to a third after a single
 * overshoot, and it then crept back at the slow step for minutes.)
 */
export class AdaptivePace {
  rate: number;
  readonly ceiling: number;
  private readonly floor: number;
  private readonly decrease: number;
  private readonly fastStep: number;
  private readonly step: number;
  private readonly nearFlood: number;
  private lastChange: number;
  private floodRate = Infinity;
  /** Until when 429s belong to the episode already answered. */
  private episodeUntil = -Infinity;

  constructor(o: PaceOptions, now = 0) {
    this.ceiling = o.ceiling;
    this.rate = Math.min(o.start, o.ceiling);
    this.floor = o.floor ?? 1;
    this.decrease = o.decrease ?? 0.85;
    this.fastStep = o.fastStep ?? o.ceiling * 0.05;
    this.nearFlood = o.nearFlood ?? 0.98;
    this.step = o.step ?? Math.max(0.05, o.ceiling * 0.002);
    this.lastChange = now;
  }

  /** A 429 asking for a pause of `pauseMs`. */
  onFlood(now: number, pauseMs = 1000): void {
    if (now < this.episodeUntil) return;
    this.episodeUntil = now + pauseMs + 1000;
    this.floodRate = this.rate;
    this.rate = Math.max(this.floor, this.rate * this.decrease);
    this.lastChange = now;
  }

  /** Called as messages go out: every whole second since the last change adds a step. */
  tick(now: number): void {
    for (; now - this.lastChange >= 1000; this.lastChange += 1000) {
      const near = this.floodRate * this.nearFlood;
      // Quickly back to just under the rate of the last 429 (not past it), then slowly.
      this.rate = Math.min(this.ceiling, this.rate < near ? Math.min(near, this.rate + this.fastStep) : this.rate + this.step);
    }
  }
}
