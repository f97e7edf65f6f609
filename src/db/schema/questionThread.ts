import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { questions, type QuestionMedia } from "./questions.js";

export type ThreadAuthor = "assistant" | "learner";

/**
 * What was said about a question after it was asked, in order: the assistants' replies and the
 * learner's follow-ups, with their text, so /myquestions can show the answers it promises
 * (question_messages only maps message ids). The source message (chat, message) is unique, so a
 * redelivered reply or follow-up is written once.
 */
export const questionThread = sqliteTable(
  "question_thread",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    questionId: integer("question_id")
      .notNull()
      .references(() => questions.id, { onDelete: "cascade" }),
    author: text("author").$type<ThreadAuthor>().notNull(),
    /** The assistant's display name (replies); null for the learner. */
    authorName: text("author_name"),
    /** The text, or the caption of a photo/document (may be empty for media). */
    text: text("text").notNull(),
    mediaKind: text("media_kind").$type<QuestionMedia>(),
    /** Where the message was written: the assistants' chat (replies) or the learner's chat (follow-ups). */
    sourceChatId: integer("source_chat_id").notNull(),
    sourceMessageId: integer("source_message_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("question_thread_question").on(t.questionId, t.id),
    uniqueIndex("question_thread_source").on(t.sourceChatId, t.sourceMessageId),
  ],
);

export type QuestionThreadEntry = typeof questionThread.$inferSelect;
