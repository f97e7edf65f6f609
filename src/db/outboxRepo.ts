import { eq, sql, type SQL } from "drizzle-orm";
import { runSql, statement, transaction, type Db } from "./client.js";
import { OUTBOX_PRIORITY, outbox, outboxBodies, type OutboxState } from "./schema/index.js";

const DAY = 24 * 60 * 60 * 1000;

/** A message with no moment of its own (a notice, an author's broadcast) is still worth sending for this long. */
export const DEFAULT_EXPIRY_MS = 3 * DAY;

export type OutboxMethod = "sendMessage" | "sendPhoto" | "sendDocument" | "copyMessage";

export interface MessageBody {
  kind: string;
  method: OutboxMethod;
  /** Method parameters except chat_id. */
  payload: Record<string, unknown>;
  batch?: string | null;
}

export interface OutgoingMessage extends MessageBody {
  dedupeKey: string;
  chatId: number;
  notBefore?: number;
  /** After this instant the message is no longer worth sending (e.g. its module closed). Default: 3 days on. */
  expiresAt?: number;
}

/** Adds one message to the outbox; a message with the same dedupe key is never added twice. */
export function enqueue(db: Db, msg: OutgoingMessage, now: number): boolean {
  // Statements prepared once per connection: enrolling queues a notice on a learner's own update,
  // and drizzle building these three queries cost more than running them.
  const exists = statement<[string], { id: number }>(db, "SELECT id FROM outbox_items WHERE dedupe_key = ?");
  const insertBody = statement<[string, string | null, string, string, number], { id: number }>(
    db,
    "INSERT INTO outbox_bodies (kind, batch, method, payload, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
  );
  const insertItem = statement<[string, number, number, number, number, number]>(
    db,
    "INSERT INTO outbox_items (dedupe_key, body_id, chat_id, priority, not_before, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  return transaction(db, () => {
    if (exists.get(msg.dedupeKey)) return false;
    const body = insertBody.get(msg.kind, msg.batch ?? null, msg.method, JSON.stringify(msg.payload), now)!;
    const notBefore = msg.notBefore ?? now;
    insertItem.run(msg.dedupeKey, body.id, msg.chatId, OUTBOX_PRIORITY.single, notBefore, msg.expiresAt ?? notBefore + DEFAULT_EXPIRY_MS);
    return true;
  });
}

/**
 * Stores a body shared by many rows under `key` (e.g. `announce:python-101:0:kk`) and returns its
 * id; a body already stored under that key is reused as it is (what went out to some learners
 * goes out to the rest unchanged).
 */
/** The id of the body stored under `key`, if any (a body is written once and never changed). */
export function bodyIdByKey(db: Db, key: string): number | undefined {
  return statement<[string], { id: number }>(db, "SELECT id FROM outbox_bodies WHERE key = ?").get(key)?.id;
}

export function saveBody(db: Db, key: string, body: MessageBody, now: number): number {
  db.insert(outboxBodies)
    .values({ key, kind: body.kind, batch: body.batch ?? null, method: body.method, payload: body.payload, createdAt: now })
    .onConflictDoNothing({ target: outboxBodies.key })
    .run();
  return db.select({ id: outboxBodies.id }).from(outboxBodies).where(eq(outboxBodies.key, key)).get()!.id;
}

/**
 * One message to many learners of a course, queued by SQL (INSERT … SELECT) rather than row by row.
 * The learner's language picks the body; the dedupe key `${keyPrefix}${learnerId}` makes it once per
 * learner however many ticks, hooks or restarts run it.
 */
export interface FanOut {
  courseId: string;
  keyPrefix: string;
  /** Body id per learner language (kk, ru, en). */
  bodies: Record<string, number>;
  /** Body for a learner whose language has none above; null: such learners are skipped. */
  fallbackBody: number | null;
  expiresAt: number;
  notBefore?: number;
  priority?: number;
  /** Blocked learners get a row already "blocked" (an author's report counts them); default: skipped. */
  includeBlocked?: boolean;
  onlyLearner?: number;
  /** Only learners enrolled before this instant. */
  enrolledBefore?: number;
  /** More conditions on `e` (enrollments) and `l` (learners), e.g. "has not passed the quiz". */
  where?: SQL;
}

/** Enrollments per chunk: about 5 ms of work (15–20 ms on a loaded 2-core machine), so the event loop never waits long. */
export const FANOUT_CHUNK = 1000;

function fanOutChunk(db: Db, f: FanOut, now: number, afterId: number, throughId: number | null): number {
  const langs = Object.entries(f.bodies);
  const bodyExpr = sql.join(
    [sql`CASE l.language`, ...langs.map(([lang, id]) => sql`WHEN ${lang} THEN ${id}`), sql`ELSE ${f.fallbackBody} END`],
    sql` `,
  );
  const conds: SQL[] = [
    sql`e.course_id = ${f.courseId}`,
    sql`e.status = 'active'`,
    sql`e.id > ${afterId}`,
    sql`NOT EXISTS (SELECT 1 FROM outbox_items o WHERE o.dedupe_key = ${f.keyPrefix} || l.id)`,
  ];
  if (throughId !== null) conds.push(sql`e.id <= ${throughId}`);
  if (!f.includeBlocked) conds.push(sql`l.blocked_at IS NULL`);
  if (f.onlyLearner !== undefined) conds.push(sql`l.id = ${f.onlyLearner}`);
  if (f.enrolledBefore !== undefined) conds.push(sql`e.enrolled_at < ${f.enrolledBefore}`);
  if (f.fallbackBody === null)
    conds.push(
      sql`l.language IN (${sql.join(
        langs.map(([l]) => sql`${l}`),
        sql`, `,
      )})`,
    );
  if (f.where) conds.push(f.where);
  const notBefore = f.notBefore ?? now;
  return runSql(
    db,
    sql`
    INSERT INTO outbox_items (dedupe_key, body_id, chat_id, state, priority, attempts, not_before, expires_at)
    SELECT ${f.keyPrefix} || l.id, ${bodyExpr}, l.id,
           CASE WHEN l.blocked_at IS NULL THEN 'pending' ELSE 'blocked' END,
           ${f.priority ?? OUTBOX_PRIORITY.bulk}, 0, ${notBefore}, ${f.expiresAt}
    FROM enrollments e JOIN learners l ON l.id = e.learner_id
    WHERE ${sql.join(conds, sql` AND `)}
    ON CONFLICT (dedupe_key) DO NOTHING`,
  ).changes;
}

/** The last enrollment id of the chunk that starts after `afterId`, or null when fewer than `size` remain. */
function chunkEnd(db: Db, courseId: string, afterId: number, size: number): number | null {
  const row = db.get<{ id: number } | undefined>(sql`
    SELECT id FROM enrollments WHERE course_id = ${courseId} AND status = 'active' AND id > ${afterId}
    ORDER BY id LIMIT 1 OFFSET ${size - 1}`);
  return row?.id ?? null;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Queues a fan-out in chunks of enrollments, each its own short transaction, yielding to the event
 * loop between chunks (replies to learners go on meanwhile). A crash half way leaves the first
 * chunks queued; the next run queues the rest (the dedupe keys skip those already there).
 * Returns how many rows were added.
 */
export async function enqueueFanOut(db: Db, f: FanOut, now: number, chunk = FANOUT_CHUNK): Promise<number> {
  if (f.onlyLearner !== undefined) return fanOutChunk(db, f, now, 0, null);
  let added = 0;
  let after = 0;
  for (;;) {
    const end = chunkEnd(db, f.courseId, after, chunk);
    added += fanOutChunk(db, f, now, after, end);
    if (end === null) return added;
    after = end;
    await yieldToEventLoop();
  }
}

/** The same in one go, without yielding (one learner, or tests comparing with the chunked way). */
export function enqueueFanOutNow(db: Db, f: FanOut, now: number): number {
  return fanOutChunk(db, f, now, 0, null);
}

/**
 * A row still marked "sending" when the process died may or may not have reached Telegram
 * (there is no idempotency key in the Bot API to ask). Resending could show the learner the
 * same message twice, so it becomes "uncertain": reported, never resent (at most once).
 */
export function recoverInterrupted(db: Db): number {
  return db.update(outbox).set({ state: "uncertain" }).where(eq(outbox.state, "sending")).run().changes;
}

export type BatchCounts = Record<OutboxState, number> & { total: number };

/** Rows of a batch (e.g. a broadcast) by state, counted from the (body_id, state) index. */
export function batchCounts(db: Db, batch: string): BatchCounts {
  const rows = db.all<{ state: OutboxState; n: number }>(sql`
    SELECT o.state AS state, count(*) AS n FROM outbox_items o
    WHERE o.body_id IN (SELECT id FROM outbox_bodies WHERE batch = ${batch})
    GROUP BY o.state`);
  const counts: BatchCounts = { pending: 0, sending: 0, sent: 0, failed: 0, blocked: 0, uncertain: 0, expired: 0, total: 0 };
  for (const r of rows) {
    counts[r.state] = r.n;
    counts.total += r.n;
  }
  return counts;
}

/** Outbox rows with what they say (tests, reports): the row's own fields plus its body's. */
export function outboxMessages(db: Db) {
  return db
    .select({
      id: outbox.id,
      dedupeKey: outbox.dedupeKey,
      chatId: outbox.chatId,
      state: outbox.state,
      attempts: outbox.attempts,
      notBefore: outbox.notBefore,
      expiresAt: outbox.expiresAt,
      messageId: outbox.messageId,
      error: outbox.error,
      kind: outboxBodies.kind,
      batch: outboxBodies.batch,
      method: outboxBodies.method,
      payload: outboxBodies.payload,
    })
    .from(outbox)
    .innerJoin(outboxBodies, eq(outboxBodies.id, outbox.bodyId))
    .orderBy(outbox.id)
    .all();
}

/**
 * "Tell me when enrollment opens": one row per watcher of the course not yet notified, with the
 * body of their language, and the watchers marked notified, in one set-based transaction.
 */
export function enqueueForWatchers(
  db: Db,
  f: Omit<FanOut, "onlyLearner" | "enrolledBefore" | "where" | "includeBlocked">,
  now: number,
): number {
  const langs = Object.entries(f.bodies);
  const bodyExpr = sql.join(
    [sql`CASE l.language`, ...langs.map(([lang, id]) => sql`WHEN ${lang} THEN ${id}`), sql`ELSE ${f.fallbackBody} END`],
    sql` `,
  );
  return db.transaction((tx) => {
    const added = tx.run(sql`
      INSERT INTO outbox_items (dedupe_key, body_id, chat_id, state, priority, attempts, not_before, expires_at)
      SELECT ${f.keyPrefix} || l.id, ${bodyExpr}, l.id, 'pending', ${f.priority ?? OUTBOX_PRIORITY.bulk}, 0, ${f.notBefore ?? now}, ${f.expiresAt}
      FROM course_watchers w JOIN learners l ON l.id = w.learner_id
      WHERE w.course_id = ${f.courseId} AND w.notified_at IS NULL
      ON CONFLICT (dedupe_key) DO NOTHING`).changes;
    tx.run(sql`UPDATE course_watchers SET notified_at = ${now} WHERE course_id = ${f.courseId} AND notified_at IS NULL`);
    return added;
  });
}
