import type { Statement } from "better-sqlite3";
import { GrammyError, HttpError, type Api } from "grammy";
import type { Clock } from "../clock.js";
import type { Db } from "../db/client.js";
import { setLearnerBlocked } from "../db/learnersRepo.js";
import { recoverInterrupted } from "../db/outboxRepo.js";
import { OUTBOX_PRIORITY, type OutboxState } from "../db/schema/index.js";
import { logger as rootLogger, redact, type Logger } from "../log.js";

import { AdaptivePace, backoffMs, GROUP_CHAT_GAP_MS, MAX_BACKOFF_MS, PRIVATE_CHAT_GAP_MS } from "./pace.js";

/**
 * What the replies to learners tell the outbox (bot/apiSetup.ts ReplyTraffic): replies share the
 * bot's rate limit and go first.
 */
export interface ReplySignal {
  /** Milliseconds the outbox should hold off now (a reply is waiting out a 429's retry_after). */
  holdMs(): number;
  /** Replies sent during the last second: the outbox leaves that much of the rate to them. */
  recentPerSecond(): number;
}

/**
 * Network errors after which the request may well have been delivered: the connection was up
 * and we gave up waiting for the answer. Resending could duplicate, so such a row is
 * "uncertain". Every other network error (refused, DNS, reset, broken pipe — mostly a stale
 * keep-alive socket that Telegram had closed, before it read the request) is retried with
 * backoff; a reset after Telegram processed the request is possible but rare, and is the one
 * case where a learner could see a message twice.
 */
function maybeDelivered(err: HttpError): boolean {
  const inner = err.error as { code?: unknown; name?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  const code = inner?.code ?? inner?.cause?.code;
  if (code === "ETIMEDOUT" || code === "ESOCKETTIMEDOUT") return true;
  if (inner?.name === "AbortError") return true;
  return typeof inner?.message === "string" && /timed out/i.test(inner.message);
}

/** A non-JSON HTTP answer (e.g. a proxy's 502 page) carries the status; 4xx will not get better. */
function httpStatus(err: HttpError): number | undefined {
  const inner = err.error as { status?: unknown } | undefined;
  return typeof inner?.status === "number" ? inner.status : undefined;
}

export interface SenderOptions {
  /**
   * The API to send with. Best a dedicated Api without the auto-retry plugin: the sender handles
   * 429 itself (pauses all sending for `retry_after` and re-queues the row), so no request is held.
   */
  api: Api;
  db: Db;
  clock: Clock;
  /** Messages per second to start at (BROADCAST_RATE). */
  ratePerSecond: number;
  /** The pace never goes above this (production: Telegram's 30/s); default: `ratePerSecond`. */
  maxRatePerSecond?: number;
  /** Requests waiting for an answer at once, so a slow Telegram does not pile up sockets. */
  maxInFlight?: number;
  /** Replies to learners go first (bot/apiSetup.ts replyTraffic). */
  replies?: ReplySignal;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log?: Logger;
}

export interface DrainResult {
  sent: number;
  failed: number;
  blocked: number;
  retried: number;
  expired: number;
  uncertain: number;
}

interface DueRow {
  id: number;
  chatId: number;
  bodyId: number;
  attempts: number;
  blockedAt: number | null;
}

interface Body {
  method: string;
  payload: Record<string, unknown>;
}

/**
 * The drain's batch: due pending rows of one priority, in due order. Walks the partial index
 * outbox_due, so its cost does not depend on how many rows wait (tests check the plan).
 */
export const DUE_SQL = `SELECT o.id AS id, o.chat_id AS chatId, o.body_id AS bodyId, o.attempts AS attempts, l.blocked_at AS blockedAt
  FROM outbox_items o LEFT JOIN learners l ON l.id = o.chat_id
  WHERE o.state = 'pending' AND o.priority = ? AND o.not_before <= ?
  ORDER BY o.not_before, o.id LIMIT ?`;

/** Expiry in chunks, through the partial index outbox_expiry. */
export const EXPIRE_SQL = `UPDATE outbox_items SET state = 'expired', error = 'too late: its moment has passed'
  WHERE id IN (SELECT id FROM outbox_items WHERE state = 'pending' AND expires_at <= ? LIMIT ?)`;

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));
const EXPIRE_CHUNK = 2000;

/**
 * Walks the due pending rows (a learner's own notices before broadcast rows) and sends them at
 * an adaptive pace, outside the update pipeline (so a broadcast never delays replies to learners).
 *
 * Exactly-once is impossible with the Bot API (no idempotency key), so the sender is at most
 * once across crashes (the one exception: a connection reset after Telegram processed the
 * request is retried, see maybeDelivered), with the doubt kept to one HTTP round trip per row:
 *  - the row is marked "sending" (a committed write; WAL survives kill -9) synchronously right
 *    before the request is handed to the HTTP client, and marked "sent" with Telegram's
 *    message id in the same tick as the answer arrives (no await in between);
 *  - a kill -9 inside that round trip leaves the row "sending"; on restart it becomes
 *    "uncertain" and is reported, not resent. At most `rate x round-trip` rows (about
 *    30 x 0.2 s = 6) can be in that state per crash.
 * Network errors and 5xx are retried with capped, jittered backoff until the row expires; the
 * start and the end of such an outage are logged once each.
 */
export class OutboxSender {
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly log: Logger;
  /** performance.now() before which nothing is sent: Telegram asked us to wait (429), or it is down. */
  private pausedUntil = 0;
  /** Number of 429 answers seen, for the benchmark and logs. */
  floodWaits = 0;
  readonly pace: AdaptivePace;
  /** clock.now() when Telegram stopped answering (network errors, 5xx); null while it answers. */
  private outageSince: number | null = null;
  private outageProbeMs = 1000;
  /** performance.now() of the last send per chat (1/s per chat, 20/min per group). */
  private readonly lastToChat = new Map<number, number>();
  private readonly bodies = new Map<number, Body>();

  private readonly dueStmt: Statement<[number, number, number], DueRow>;
  private readonly bodyStmt: Statement<[number], { method: string; payload: string }>;
  private readonly markSending: Statement<[number]>;
  private readonly markSent: Statement<[number, number, number]>;
  private readonly expireStmt: Statement<[number, number]>;
  private readonly finishStmt: Statement<[OutboxState, number | null, string | null, number]>;

  constructor(private readonly opts: SenderOptions) {
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.log = opts.log ?? rootLogger.child({ job: "outbox" });
    this.pace = new AdaptivePace({ start: opts.ratePerSecond, ceiling: opts.maxRatePerSecond ?? opts.ratePerSecond }, performance.now());
    const c = opts.db.$client;
    // The hot path of a big broadcast: prepared once, each walking a partial index (see schema/runtime.ts).
    this.dueStmt = c.prepare(DUE_SQL);
    this.bodyStmt = c.prepare("SELECT method, payload FROM outbox_bodies WHERE id = ?");
    this.markSending = c.prepare("UPDATE outbox_items SET state = 'sending', attempts = attempts + 1 WHERE id = ? AND state = 'pending'");
    this.markSent = c.prepare("UPDATE outbox_items SET state = 'sent', message_id = ?, sent_at = ?, error = NULL WHERE id = ?");
    this.expireStmt = c.prepare(EXPIRE_SQL);
    this.finishStmt = c.prepare("UPDATE outbox_items SET state = ?, not_before = coalesce(?, not_before), error = ? WHERE id = ?");
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const doubtful = recoverInterrupted(this.opts.db);
    if (doubtful > 0) this.log.warn({ doubtful }, "messages were in flight at the last stop: marked uncertain, not resent");
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.loop;
  }

  /** Something was enqueued: send it now rather than at the next poll. */
  kick(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const r = await this.drain();
        if (r.sent + r.failed + r.blocked + r.expired + r.uncertain > 0) continue;
      } catch (err) {
        this.log.error({ err }, "drain failed");
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private stopped(): boolean {
    return !this.running && this.loop !== null;
  }

  private due(now: number, max: number): DueRow[] {
    const rows = this.dueStmt.all(OUTBOX_PRIORITY.single, now, max);
    if (rows.length < max) rows.push(...this.dueStmt.all(OUTBOX_PRIORITY.bulk, now, max - rows.length));
    return rows;
  }

  private body(id: number): Body | undefined {
    let b = this.bodies.get(id);
    if (!b) {
      const row = this.bodyStmt.get(id);
      if (!row) return undefined;
      b = { method: row.method, payload: JSON.parse(row.payload) as Record<string, unknown> };
      if (this.bodies.size > 1000) this.bodies.clear();
      this.bodies.set(id, b);
    }
    return b;
  }

  /** Milliseconds until `chatId` may get another message (Telegram: 1/s per chat, 20/min per group). */
  private chatWait(chatId: number, t: number): number {
    const last = this.lastToChat.get(chatId);
    if (last === undefined) return 0;
    return last + (chatId < 0 ? GROUP_CHAT_GAP_MS : PRIVATE_CHAT_GAP_MS) - t;
  }

  /** Sends every due pending row (in batches), pacing requests to the adaptive rate. */
  async drain(maxBatch = 500): Promise<DrainResult> {
    const { clock } = this.opts;
    const result: DrainResult = { sent: 0, failed: 0, blocked: 0, retried: 0, expired: 0, uncertain: 0 };
    const inFlight = new Set<Promise<void>>();
    const blockedNow = new Set<number>();
    let next = performance.now();
    for (;;) {
      const now = clock.now();
      await this.expireDue(now, result);
      const rows = this.due(now, maxBatch);
      if (rows.length === 0) break;
      if (this.lastToChat.size > 10_000) this.lastToChat.clear();
      // A chat that just got a message waits its turn (1/s per chat, 3 s per group) at the end
      // of the batch, while the other chats go on.
      const later: DueRow[] = [];
      for (const row of rows) {
        if (this.stopped()) break;
        if (row.blockedAt === null && !blockedNow.has(row.chatId) && this.chatWait(row.chatId, performance.now()) > 0) later.push(row);
        else next = await this.sendRow(row, next, result, blockedNow, inFlight);
      }
      for (const row of later) {
        if (this.stopped()) break;
        const chatWait = this.chatWait(row.chatId, performance.now());
        if (chatWait > 0) await this.sleep(chatWait);
        next = await this.sendRow(row, next, result, blockedNow, inFlight);
      }
      await Promise.all(inFlight);
      if (this.stopped()) break;
    }
    await Promise.all(inFlight);
    return result;
  }

  /** Paces, marks and sends one row; returns the next pacing slot. */
  private async sendRow(
    row: DueRow,
    nextSlot: number,
    result: DrainResult,
    blockedNow: Set<number>,
    inFlight: Set<Promise<void>>,
  ): Promise<number> {
    let next = nextSlot;
    if (row.blockedAt !== null || blockedNow.has(row.chatId)) {
      this.finish(row.id, "blocked", null, "learner has blocked the bot");
      result.blocked++;
      return next;
    }
    // Replies to learners first: while one waits out a 429, the outbox waits too.
    const hold = this.opts.replies?.holdMs() ?? 0;
    if (hold > 0) await this.sleep(hold);
    // Pace: one request per interval at the adaptive rate, less what replies use;
    // after a 429 or during an outage, wait as long as needed.
    this.pace.tick(performance.now());
    const rate = Math.max(1, this.pace.rate - (this.opts.replies?.recentPerSecond() ?? 0));
    const interval = 1000 / rate;

    const wait = Math.max(next, this.pausedUntil) - performance.now();
    if (wait > 0) await this.sleep(wait);
    while (inFlight.size >= (this.opts.maxInFlight ?? 100)) await Promise.race(inFlight);
    if (this.pausedUntil > performance.now()) {
      // A 429 or an outage arrived while we waited for a free slot: wait it out first.
      await this.sleep(this.pausedUntil - performance.now());
    }
    // A late timer is made up for by one slot at most. Catching up several (2% of the rate) sent
    // small bursts that Telegram's window counts: 429s every few seconds at 95% of its limit, each
    // pausing everything for retry_after (71% of the limit reached); with one, none (96%).
    next = Math.max(next, performance.now() - interval) + interval;
    const body = this.body(row.bodyId);
    if (!body) {
      this.finish(row.id, "failed", null, "message body missing");
      result.failed++;
      return next;
    }
    // Only if still pending (a 403 or a retry may have changed it since the batch was selected).
    if (this.markSending.run(row.id).changes === 0) return next;
    this.lastToChat.set(row.chatId, performance.now());
    const p = this.sendOne(row, body, result, blockedNow)
      .catch((err: unknown) => this.log.error({ err, id: row.id }, "could not record the outcome of a message"))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    // During an outage, one message at a time probes whether Telegram is back.
    if (this.outageSince !== null) await p;
    return next;
  }

  /** Pending rows whose moment has passed (their module closed while waiting) are not sent. */
  private async expireDue(now: number, result: DrainResult): Promise<void> {
    for (;;) {
      const n = this.expireStmt.run(now, EXPIRE_CHUNK).changes;
      result.expired += n;
      if (n < EXPIRE_CHUNK) return;
      await yieldToEventLoop();
    }
  }

  private async sendOne(row: DueRow, body: Body, result: DrainResult, blockedNow: Set<number>): Promise<void> {
    const { api, db, clock } = this.opts;
    try {
      const method = api.raw[body.method as "sendMessage"] as unknown as (p: Record<string, unknown>) => Promise<{ message_id: number }>;
      const sent = await method({ chat_id: row.chatId, ...body.payload });
      // Same tick as the answer: no await between Telegram's answer and this write.
      this.markSent.run(sent.message_id, clock.now(), row.id);
      result.sent++;
      this.telegramAnswered();
    } catch (err) {
      const now = clock.now();
      if (err instanceof GrammyError) this.telegramAnswered();
      if (err instanceof GrammyError && err.error_code === 403) {
        // Blocked, deactivated, or never started the bot: skip them from now on.
        blockedNow.add(row.chatId);
        setLearnerBlocked(db, row.chatId, true, now);
        this.finish(row.id, "blocked", null, err.description);
        result.blocked++;
      } else if (err instanceof GrammyError && err.error_code === 429) {
        const seconds = err.parameters.retry_after ?? 5;
        this.floodWaits++;
        this.pace.onFlood(performance.now(), seconds * 1000);
        this.pausedUntil = Math.max(this.pausedUntil, performance.now() + seconds * 1000);
        this.finish(row.id, "pending", now + seconds * 1000, err.description);
        result.retried++;
      } else if (err instanceof GrammyError && err.error_code < 500) {
        // Bad request (e.g. chat not found, caption too long): sending again would not help.
        this.finish(row.id, "failed", null, err.description);
        result.failed++;
      } else if (err instanceof HttpError && maybeDelivered(err)) {
        // We stopped waiting for the answer: Telegram may have delivered it.
        this.finish(row.id, "uncertain", null, redact(String(err.error)));
        result.uncertain++;
      } else if (err instanceof HttpError && (httpStatus(err) ?? 500) < 500) {
        this.finish(row.id, "failed", null, redact(String(err.error)));
        result.failed++;
      } else {
        // Telegram's 5xx, or the request did not get through: try again later, until it expires.
        const message = err instanceof HttpError ? String(err.error) : err instanceof GrammyError ? err.description : String(err);
        this.telegramUnreachable(now, message);
        this.finish(row.id, "pending", now + backoffMs(row.attempts + 1, this.random), redact(message));
        result.retried++;
      }
    }
  }

  private telegramUnreachable(now: number, reason: string): void {
    if (this.outageSince === null) {
      this.outageSince = now;
      this.outageProbeMs = 1000;
      this.log.warn({ reason: redact(reason) }, "Telegram unreachable: outbox messages wait and are retried until they expire");
    } else {
      this.outageProbeMs = Math.min(MAX_BACKOFF_MS / 2, this.outageProbeMs * 2);
    }
    this.pausedUntil = Math.max(this.pausedUntil, performance.now() + this.outageProbeMs);
  }

  private telegramAnswered(): void {
    if (this.outageSince === null) return;
    const durationMs = this.opts.clock.now() - this.outageSince;
    this.outageSince = null;
    this.pausedUntil = 0;
    this.log.info({ durationMs }, `Telegram reachable again after ${Math.round(durationMs / 1000)} s: outbox resumes`);
  }

  /** True while Telegram does not answer the outbox (tests, health). */
  get inOutage(): boolean {
    return this.outageSince !== null;
  }

  private finish(id: number, state: OutboxState, notBefore: number | null, error: string | null): void {
    this.finishStmt.run(state, notBefore, error, id);
  }
}
