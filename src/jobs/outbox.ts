import { and, asc, eq, lte, sql } from "drizzle-orm";
import { GrammyError, HttpError, type Api } from "grammy";
import type { Clock } from "../clock.js";
import type { Db } from "../db/client.js";
import { setLearnerBlocked } from "../db/learnersRepo.js";
import { learners, outbox, type OutboxRow, type OutboxState } from "../db/schema/index.js";
import { redact } from "../log.js";

export interface OutgoingMessage {
  dedupeKey: string;
  kind: string;
  chatId: number;
  method: "sendMessage" | "sendPhoto" | "sendDocument" | "copyMessage";
  payload: Record<string, unknown>;
  batch?: string;
  notBefore?: number;
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
      createdAt: now,
    })
    .onConflictDoNothing({ target: outbox.dedupeKey })
    .run();
  return result.changes > 0;
}

/**
 * A row marked "sending" when the process died may or may not have reached Telegram. Resending
 * could duplicate it, so it becomes "uncertain" (reported, not resent): at most once, by design.
 */
export function recoverInterrupted(db: Db): number {
  return db.update(outbox).set({ state: "uncertain" }).where(eq(outbox.state, "sending")).run().changes;
}

export function batchCounts(db: Db, batch: string): Record<OutboxState, number> & { total: number } {
  const rows = db
    .select({ state: outbox.state, n: sql<number>`count(*)` })
    .from(outbox)
    .where(eq(outbox.batch, batch))
    .groupBy(outbox.state)
    .all();
  const counts = { pending: 0, sending: 0, sent: 0, failed: 0, blocked: 0, uncertain: 0, total: 0 };
  for (const r of rows) {
    counts[r.state] = r.n;
    counts.total += r.n;
  }
  return counts;
}

const MAX_ATTEMPTS = 5;

export interface SenderOptions {
  api: Api;
  db: Db;
  clock: Clock;
  /** Messages per second overall (Telegram: about 30). */
  ratePerSecond: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface DrainResult {
  sent: number;
  failed: number;
  blocked: number;
  retried: number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Walks the due pending rows in order and sends them at a steady pace. Each row is marked
 * "sending" in the database before the request and "sent" (with Telegram's message id) right
 * after the answer, so the only window where a crash leaves doubt is one HTTP round trip.
 */
export class OutboxSender {
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: SenderOptions) {
    this.sleep = opts.sleep ?? realSleep;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    recoverInterrupted(this.opts.db);
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
        const result = await this.drain();
        if (result.sent + result.failed + result.blocked + result.retried > 0) continue;
      } catch (err) {
        console.error("[outbox] drain failed:", redact(String(err)));
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

  /** Sends every due pending row (in batches), pacing requests to the configured rate. */
  async drain(maxBatch = 500): Promise<DrainResult> {
    const { db, clock } = this.opts;
    const result: DrainResult = { sent: 0, failed: 0, blocked: 0, retried: 0 };
    const interval = 1000 / this.opts.ratePerSecond;
    const inFlight = new Set<Promise<void>>();
    for (;;) {
      const rows = db
        .select({ row: outbox, blockedAt: learners.blockedAt })
        .from(outbox)
        .leftJoin(learners, eq(learners.id, outbox.chatId))
        .where(and(eq(outbox.state, "pending"), lte(outbox.notBefore, clock.now())))
        .orderBy(asc(outbox.id))
        .limit(maxBatch)
        .all();
      if (rows.length === 0) break;
      let next = performance.now();
      for (const { row, blockedAt } of rows) {
        if (!this.running && this.loop) break;
        if (blockedAt !== null) {
          this.finish(row.id, { state: "blocked", error: "learner has blocked the bot" });
          result.blocked++;
          continue;
        }
        const wait = next - performance.now();
        if (wait > 0) await this.sleep(wait);
        next = Math.max(next, performance.now() - interval) + interval;
        db.update(outbox).set({ state: "sending", attempts: row.attempts + 1 }).where(eq(outbox.id, row.id)).run();
        const p = this.sendOne(row, result).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.all(inFlight);
      if (!this.running && this.loop) break;
    }
    return result;
  }

  private async sendOne(row: OutboxRow, result: DrainResult): Promise<void> {
    const { api, db, clock } = this.opts;
    try {
      const method = api.raw[row.method as "sendMessage"] as unknown as (p: Record<string, unknown>) => Promise<{ message_id: number }>;
      const sent = await method({ chat_id: row.chatId, ...row.payload });
      this.finish(row.id, { state: "sent", messageId: sent.message_id, sentAt: clock.now(), error: null });
      result.sent++;
    } catch (err) {
      const now = clock.now();
      if (err instanceof GrammyError && err.error_code === 403) {
        setLearnerBlocked(db, row.chatId, true, now);
        this.finish(row.id, { state: "blocked", error: err.description });
        result.blocked++;
      } else if (err instanceof GrammyError && err.error_code === 429) {
        const after = (err.parameters.retry_after ?? 5) * 1000;
        this.finish(row.id, { state: "pending", notBefore: now + after, error: err.description });
        result.retried++;
      } else if (err instanceof GrammyError && err.error_code < 500) {
        this.finish(row.id, { state: "failed", error: err.description });
        result.failed++;
      } else if (row.attempts + 1 < MAX_ATTEMPTS) {
        // Network trouble or a 5xx: try again later, backing off.
        const message = err instanceof HttpError ? String(err.error) : String(err);
        this.finish(row.id, { state: "pending", notBefore: now + 2 ** row.attempts * 2000, error: redact(message) });
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
