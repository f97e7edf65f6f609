import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import { GrammyError, HttpError, type Api } from "grammy";
import type { Clock } from "../clock.js";
import type { Db } from "../db/client.js";
import { setLearnerBlocked } from "../db/learnersRepo.js";
import { learners, outbox, type OutboxRow, type OutboxState } from "../db/schema/index.js";
import { logger, redact } from "../log.js";

const log = logger.child({ component: "outbox" });

export interface OutgoingMessage {
  dedupeKey: string;
  kind: string;
  chatId: number;
  method: "sendMessage" | "sendPhoto" | "sendDocument" | "copyMessage";
  payload: Record<string, unknown>;
  batch?: string;
  notBefore?: number;
  /** After this instant the message is no longer worth sending (e.g. its module closed). */
  expiresAt?: number;
}

/** Adds a message to the outbox; a message with the same dedupe key is never added twice. */
export function enqueue(db: Db, msg: OutgoingMessage, now: number): boolean {
  const result = db
    .insert(outbox)
    .values({
      dedupeKey: msg.dedupeKey,
      kind: msg.kind,
      batch: msg.batch ?? null,
      chatId: msg.chatId,
      method: msg.method,
      payload: msg.payload,
      notBefore: msg.notBefore ?? now,
      expiresAt: msg.expiresAt ?? null,
      createdAt: now,
    })
    .onConflictDoNothing({ target: outbox.dedupeKey })
    .run();
  return result.changes > 0;
}

/**
 * A row still marked "sending" when the process died may or may not have reached Telegram
 * (there is no idempotency key in the Bot API to ask). Resending could show the learner the
 * same message twice, so it becomes "uncertain": reported, never resent (at most once).
 * See OutboxSender for how small that window is.
 */
export function recoverInterrupted(db: Db): number {
  return db.update(outbox).set({ state: "uncertain" }).where(eq(outbox.state, "sending")).run().changes;
}

export type BatchCounts = Record<OutboxState, number> & { total: number };

export function batchCounts(db: Db, batch: string): BatchCounts {
  const rows = db
    .select({ state: outbox.state, n: sql<number>`count(*)` })
    .from(outbox)
    .where(eq(outbox.batch, batch))
    .groupBy(outbox.state)
    .all();
  const counts: BatchCounts = { pending: 0, sending: 0, sent: 0, failed: 0, blocked: 0, uncertain: 0, expired: 0, total: 0 };
  for (const r of rows) {
    counts[r.state] = r.n;
    counts.total += r.n;
  }
  return counts;
}

/** Attempts for retryable failures (network before the request left, 5xx) before a row is "failed". */
export const MAX_ATTEMPTS = 5;
/** Backoff after a retryable failure: 2 s, 4 s, 8 s, 16 s. */
export function backoffMs(attempt: number): number {
  return 2 ** attempt * 1000;
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
  /** Messages per second overall (Telegram: about 30). */
  ratePerSecond: number;
  /** Requests waiting for an answer at once, so a slow Telegram does not pile up sockets. */
  maxInFlight?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface DrainResult {
  sent: number;
  failed: number;
  blocked: number;
  retried: number;
  expired: number;
  uncertain: number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Walks the due pending rows in order and sends them at a steady pace, outside the update
 * pipeline (so a broadcast never delays replies to learners).
 *
 * Exactly-once is impossible with the Bot API (no idempotency key), so the sender is at most
 * once across crashes (the one exception: a connection reset after Telegram processed the
 * request is retried, see maybeDelivered), with the doubt kept to one HTTP round trip per row:
 *  - the row is marked "sending" (a committed write; WAL survives kill -9) synchronously right
 *    before the request is handed to the HTTP client, and marked "sent" with Telegram's
 *    message id in the same tick as the answer arrives (no await in between);
 *  - a kill -9 inside that round trip leaves the row "sending"; on restart it becomes
 *    "uncertain" and is reported, not resent. What remains: if the process dies after the
 *    mark but before the bytes left, that learner misses the message (counted as uncertain);
 *    if it dies after Telegram delivered but before the answer was written, nothing is lost
 *    and nothing is repeated. The mark-to-send gap is a few microtasks (no I/O), so in practice
 *    uncertain rows were delivered; WAL with synchronous=NORMAL keeps commits across a process
 *    kill (only a power cut can lose the last ones, which could then be resent).
 *    At most `rate x round-trip` rows (about 30 x 0.2 s = 6) can be in that state per crash.
 */
export class OutboxSender {
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly sleep: (ms: number) => Promise<void>;
  /** performance.now() before which nothing is sent: Telegram asked us to wait (429). */
  private pausedUntil = 0;
  /** Number of 429 answers seen, for the benchmark and logs. */
  floodWaits = 0;

  // The two writes of every message, prepared once (the hot path of a big broadcast).
  private readonly markSending;
  private readonly markSent;

  constructor(private readonly opts: SenderOptions) {
    this.sleep = opts.sleep ?? realSleep;
    this.markSending = opts.db.$client.prepare<[number]>(
      "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ? AND state = 'pending'",
    );
    this.markSent = opts.db.$client.prepare<[number, number, number]>(
      "UPDATE outbox SET state = 'sent', message_id = ?, sent_at = ?, error = NULL WHERE id = ?",
    );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const doubtful = recoverInterrupted(this.opts.db);
    if (doubtful > 0) log.warn({ doubtful }, "messages in flight at the last stop: marked uncertain, not resent");
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
        log.error({ err }, "drain failed");
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

  /** Sends every due pending row (in batches), pacing requests to the configured rate. */
  async drain(maxBatch = 500): Promise<DrainResult> {
    const { db, clock } = this.opts;
    const result: DrainResult = { sent: 0, failed: 0, blocked: 0, retried: 0, expired: 0, uncertain: 0 };
    const interval = 1000 / this.opts.ratePerSecond;
    const burst = Math.max(1, Math.floor(this.opts.ratePerSecond * 0.02));
    const maxInFlight = this.opts.maxInFlight ?? 100;
    const inFlight = new Set<Promise<void>>();
    const blockedNow = new Set<number>();
    let next = performance.now();
    for (;;) {
      const now = clock.now();
      this.expireDue(now, result);
      const rows = db
        .select({ row: outbox, blockedAt: learners.blockedAt })
        .from(outbox)
        .leftJoin(learners, eq(learners.id, outbox.chatId))
        .where(and(eq(outbox.state, "pending"), lte(outbox.notBefore, now)))
        .orderBy(asc(outbox.id))
        .limit(maxBatch)
        .all();
      if (rows.length === 0) break;
      for (const { row, blockedAt } of rows) {
        if (this.stopped()) break;
        if (blockedAt !== null || blockedNow.has(row.chatId)) {
          this.finish(row.id, { state: "blocked", error: "learner has blocked the bot" });
          result.blocked++;
          continue;
        }
        // Pace: one request per interval; after a 429, wait as long as Telegram asked.
        const wait = Math.max(next, this.pausedUntil) - performance.now();
        if (wait > 0) await this.sleep(wait);
        while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
        if (this.pausedUntil > performance.now()) {
          // A 429 arrived while we waited for a free slot: wait it out first.
          await this.sleep(this.pausedUntil - performance.now());
        }
        // A late timer may be made up for by at most `burst` slots, so over any second the pace
        // stays within rate + burst (timers fire late under load; without catch-up we would lag).
        next = Math.max(next, performance.now() - burst * interval) + interval;
        // Only if still pending (a 403 or a retry may have changed it since the batch was selected).
        if (this.markSending.run(row.id).changes === 0) continue;
        const p = this.sendOne(row, result, blockedNow)
          .catch((err: unknown) => log.error({ err, message: row.id }, "could not record the outcome of a message"))
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.all(inFlight);
      if (this.stopped()) break;
    }
    await Promise.all(inFlight);
    return result;
  }

  /** Pending rows whose moment has passed (their module closed while waiting) are not sent. */
  private expireDue(now: number, result: DrainResult): void {
    const ids = this.opts.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.state, "pending"), lte(outbox.expiresAt, now)))
      .all()
      .map((r) => r.id);
    if (ids.length === 0) return;
    this.opts.db.update(outbox).set({ state: "expired", error: "too late: its moment has passed" }).where(inArray(outbox.id, ids)).run();
    result.expired += ids.length;
  }

  private async sendOne(row: OutboxRow, result: DrainResult, blockedNow: Set<number>): Promise<void> {
    const { api, db, clock } = this.opts;
    try {
      const method = api.raw[row.method as "sendMessage"] as unknown as (p: Record<string, unknown>) => Promise<{ message_id: number }>;
      const sent = await method({ chat_id: row.chatId, ...row.payload });
      // Same tick as the answer: no await between Telegram's answer and this write.
      this.markSent.run(sent.message_id, clock.now(), row.id);
      result.sent++;
    } catch (err) {
      const now = clock.now();
      if (err instanceof GrammyError && err.error_code === 403) {
        // Blocked, deactivated, or never started the bot: skip them from now on.
        blockedNow.add(row.chatId);
        setLearnerBlocked(db, row.chatId, true, now);
        this.finish(row.id, { state: "blocked", error: err.description });
        result.blocked++;
      } else if (err instanceof GrammyError && err.error_code === 429) {
        const seconds = err.parameters.retry_after ?? 5;
        this.floodWaits++;
        this.pausedUntil = Math.max(this.pausedUntil, performance.now() + seconds * 1000);
        this.finish(row.id, { state: "pending", notBefore: now + seconds * 1000, error: err.description });
        result.retried++;
      } else if (err instanceof GrammyError && err.error_code < 500) {
        // Bad request (e.g. chat not found, caption too long): sending again would not help.
        this.finish(row.id, { state: "failed", error: err.description });
        result.failed++;
      } else if (err instanceof HttpError && maybeDelivered(err)) {
        // We stopped waiting for the answer: Telegram may have delivered it.
        this.finish(row.id, { state: "uncertain", error: redact(String(err.error)) });
        result.uncertain++;
      } else if (err instanceof HttpError && (httpStatus(err) ?? 500) < 500) {
        this.finish(row.id, { state: "failed", error: redact(String(err.error)) });
        result.failed++;
      } else if (row.attempts + 1 < MAX_ATTEMPTS) {
        // Telegram's 5xx, or the request did not get through: try again later, backing off.
        const message = err instanceof HttpError ? String(err.error) : err instanceof GrammyError ? err.description : String(err);
        this.finish(row.id, { state: "pending", notBefore: now + backoffMs(row.attempts + 1), error: redact(message) });
        result.retried++;
      } else {
        this.finish(row.id, { state: "failed", error: redact(String(err)) });
        result.failed++;
      }
    }
  }

  private finish(id: number, set: Partial<typeof outbox.$inferInsert>): void {
    this.opts.db.update(outbox).set(set).where(eq(outbox.id, id)).run();
  }
}
