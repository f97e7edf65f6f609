import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The dialog (quiz attempt or questionnaire response) a learner's typed messages go to. Quizzes
 * and questionnaires keep every step in their own tables; this row only says which one is in the
 * foreground, so a pause (/cancel) or another dialog stops text from being taken as an answer.
 * (It replaces @grammyjs/conversations' replay state, table conversation_state.)
 */
export const openDialogs = sqliteTable("open_dialogs", {
  learnerId: integer("learner_id").primaryKey(),
  kind: text("kind").$type<"quiz" | "questionnaire">().notNull(),
  /** quiz_attempts.id or questionnaire_responses.id */
  refId: integer("ref_id").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * The one message in a learner's chat whose buttons belong to the step they are on (a quiz
 * question, a questionnaire item or summary, an /ask prompt). Showing the next step, or the same
 * step again after an invalid input, takes the buttons off this message first, so old copies
 * cannot be pressed and the chat has one live question.
 */
export const liveKeyboards = sqliteTable("live_keyboards", {
  learnerId: integer("learner_id").primaryKey(),
  messageId: integer("message_id").notNull(),
  /** Whose step it is ("quiz:<attempt>", "questionnaire:<response>", "ask"): only its own end clears it. */
  owner: text("owner").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Update ids already handled: Telegram may deliver an update again after a crash. Written on every
 * update, so no index beside the key (pruning walks the key: dedupeUpdates.ts).
 */
export const processedUpdates = sqliteTable("processed_updates", {
  updateId: integer("update_id").primaryKey(),
  handledAt: integer("handled_at").notNull(),
});

/**
 * Updates fetched from Telegram and not handled yet. The runner confirms a batch to Telegram (the
 * next getUpdates' offset) while its updates are still being handled, so a crash would lose them:
 * each batch is kept here before it is handed on, dropped once handled, and replayed at start.
 */
export const updateInbox = sqliteTable("update_inbox", {
  updateId: integer("update_id").primaryKey(),
  /** The update as Telegram sent it (JSON); gone once handled, so learners' words do not stay. */
  payload: text("payload").notNull(),
  receivedAt: integer("received_at").notNull(),
  /** Starts that replayed it: an update that brings the process down each time is given up after a few. */
  replays: integer("replays").notNull().default(0),
});

/**
 * pending -> sending -> sent | failed | blocked | pending (retry later);
 * sending -> uncertain when the process died mid-request (never resent: at most once);
 * pending -> expired when its `expiresAt` passed before it could go out (e.g. a module closed).
 */
export type OutboxState = "pending" | "sending" | "sent" | "failed" | "blocked" | "uncertain" | "expired";

/**
 * What a message says, stored once: a broadcast to 100,000 learners has one body per language,
 * referenced by every learner's outbox row (a message of its own has a body of its own).
 */
export const outboxBodies = sqliteTable(
  "outbox_bodies",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Names a shared body, e.g. `announce:python-101:0:kk`, so a second tick reuses it; null for one-off messages. */
    key: text("key").unique(),
    /** What produced it, for reports: enrollment-open, announcement, reminder, broadcast, ... */
    kind: text("kind").notNull(),
    /** Optional grouping, e.g. a broadcast id, for progress reports. */
    batch: text("batch"),
    /** Bot API method, e.g. sendMessage, sendPhoto, copyMessage. */
    method: text("method").notNull(),
    /** Method parameters except chat_id. */
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("outbox_bodies_batch").on(t.batch)],
);

/** Lower numbers go first: a learner's own notice before a broadcast's row. */
export const OUTBOX_PRIORITY = { single: 0, bulk: 1 } as const;

/**
 * Durable outbox: every message the bot sends on its own initiative (not as a reply) is a row
 * here first, so a restart resumes sending and nothing goes out twice (see jobs/outbox.ts).
 * One row per recipient, kept lean (the text lives in outbox_bodies).
 */
export const outbox = sqliteTable(
  // A new name for the lean per-recipient table (the old `outbox` held a full payload per row).
  "outbox_items",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Uniquely names the message, e.g. `enrollment-open:intro:12345`; a second enqueue is a no-op. */
    dedupeKey: text("dedupe_key").notNull().unique(),
    bodyId: integer("body_id")
      .notNull()
      .references(() => outboxBodies.id),
    chatId: integer("chat_id").notNull(),
    state: text("state").$type<OutboxState>().notNull().default("pending"),
    priority: integer("priority").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    notBefore: integer("not_before").notNull(),
    /** After this instant the message is pointless (its module closed): not sent, marked "expired". */
    expiresAt: integer("expires_at").notNull(),
    messageId: integer("message_id"),
    error: text("error"),
    sentAt: integer("sent_at"),
  },
  (t) => [
    // The drain walks only pending rows, in due order per priority: the cost of a batch does not
    // grow with the number of rows waiting (checked with EXPLAIN QUERY PLAN in the tests).
    index("outbox_due")
      .on(t.priority, t.notBefore)
      .where(sql`state = 'pending'`),
    index("outbox_expiry")
      .on(t.expiresAt)
      .where(sql`state = 'pending'`),
    index("outbox_in_flight")
      .on(t.id)
      .where(sql`state = 'sending'`),
    // Progress counts of a broadcast: its bodies' rows by state, from the index alone.
    index("outbox_body_state").on(t.bodyId, t.state),
  ],
);

export type OutboxRow = typeof outbox.$inferSelect;
export type OutboxBody = typeof outboxBodies.$inferSelect;
