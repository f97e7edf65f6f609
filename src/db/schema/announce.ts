import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Locale } from "../../domain/locale.js";

/**
 * An author's ad-hoc announcement (/announce), from draft to final report. The whole dialogue
 * lives in this row (a small state machine), so a restart resumes it at the same step.
 *
 * choosing_course -> collecting (one language version per step) -> confirming -> sending -> done;
 * any draft step -> cancelled.
 */
export type BroadcastStatus = "choosing_course" | "collecting" | "confirming" | "sending" | "done" | "cancelled";

/** What one language version sends: the Bot API method and its parameters (no chat_id). */
export interface BroadcastVersion {
  method: "sendMessage" | "sendPhoto" | "sendDocument";
  payload: Record<string, unknown>;
}

export const broadcasts = sqliteTable(
  "broadcasts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    authorId: integer("author_id").notNull(),
    /** The author's language when they started (progress and report are written in it). */
    authorLang: text("author_lang").$type<Locale>().notNull(),
    courseId: text("course_id"),
    status: text("status").$type<BroadcastStatus>().notNull(),
    /** Language versions keyed by locale (kk, ru, en). */
    versions: text("versions", { mode: "json" }).$type<Record<string, BroadcastVersion>>().notNull().default({}),
    /** Index into the course's languages of the version being asked for (collecting). */
    step: integer("step").notNull().default(0),
    /** The message that shows progress, edited as sending goes on. */
    progressChatId: integer("progress_chat_id"),
    progressMessageId: integer("progress_message_id"),
    /** Last progress text shown, so unchanged counts do not cause an edit. */
    progressShown: text("progress_shown"),
    total: integer("total"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    confirmedAt: integer("confirmed_at"),
    /** Set once every learner's outbox row exists (queued in chunks after the confirmation; a restart finishes it). */
    queuedAt: integer("queued_at"),
    finishedAt: integer("finished_at"),
  },
  (t) => [index("broadcasts_author_status").on(t.authorId, t.status), index("broadcasts_status").on(t.status)],
);

export type Broadcast = typeof broadcasts.$inferSelect;
