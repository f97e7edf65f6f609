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

/** Update ids already handled: Telegram may deliver an update again after a crash. */
export const processedUpdates = sqliteTable(
  "processed_updates",
  {
    updateId: integer("update_id").primaryKey(),
    handledAt: integer("handled_at").notNull(),
  },
  (t) => [index("processed_updates_handled_at").on(t.handledAt)],
);

/**
 * pending -> sending -> sent | failed | blocked | pending (retry later);
 * sending -> uncertain when the process died mid-request (never resent: at most once);
 * pending -> expired when its `expiresAt` passed before it could go out (e.g. a module closed).
 */
export type OutboxState = "pending" | "sending" | "sent" | "failed" | "blocked" | "uncertain" | "expired";

/**
 * Durable outbox: every message the bot sends on its own initiative (not as a reply) is a row
 * here first, so a restart resumes sending and nothing goes out twice (see jobs/outbox.ts).
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Uniquely names the message, e.g. `enrollment-open:intro:12345`; a second enqueue is a no-op. */
    dedupeKey: text("dedupe_key").notNull().unique(),
    /** What produced the row, for reports: enrollment-open, announcement, reminder, ... */
    kind: text("kind").notNull(),
    /** Optional grouping, e.g. a broadcast id, for progress reports. */
    batch: text("batch"),
    chatId: integer("chat_id").notNull(),
    /** Bot API method, e.g. sendMessage, sendPhoto, copyMessage. */
    method: text("method").notNull(),
    /** Method parameters except chat_id. */
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    state: text("state").$type<OutboxState>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    notBefore: integer("not_before").notNull(),
    /** After this instant the message is pointless (its module closed): not sent, marked "expired". */
    expiresAt: integer("expires_at"),
    messageId: integer("message_id"),
    error: text("error"),
    createdAt: integer("created_at").notNull(),
    sentAt: integer("sent_at"),
  },
  (t) => [index("outbox_state_not_before").on(t.state, t.notBefore), index("outbox_batch").on(t.batch)],
);

export type OutboxRow = typeof outbox.$inferSelect;
