import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { courses } from "./courses.js";
import { learners } from "./learners.js";

export type QuestionState = "open" | "answered";
export type QuestionMedia = "photo" | "document";

/** A learner's question to the instructor's assistants; its id is the number people see (#12). */
export const questions = sqliteTable(
  "questions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    learnerId: integer("learner_id")
      .notNull()
      .references(() => learners.id),
    courseId: text("course_id")
      .notNull()
      .references(() => courses.id),
    /** 0-based module (week) the question is about; null for a general question. */
    modulePosition: integer("module_position"),
    /** The question's text, or the caption of its photo/document (may be empty for media). */
    text: text("text").notNull(),
    mediaKind: text("media_kind").$type<QuestionMedia>(),
    /** Telegram file_id of the photo/document, sent to the assistants by id (survives the learner deleting it). */
    mediaFileId: text("media_file_id"),
    /**
     * Telegram's media_group_id of the learner's last message about this question: the other
     * photos of an album arrive as separate messages and are attached to the same question.
     */
    mediaGroupId: text("media_group_id"),
    /** The learner's own message in their private chat. */
    learnerMessageId: integer("learner_message_id").notNull(),
    state: text("state").$type<QuestionState>().notNull().default("open"),
    /** Marked by an assistant as one for the instructor (shown in its own list). */
    forInstructor: integer("for_instructor", { mode: "boolean" }).notNull().default(false),
    /** Where the question was posted for the assistants; null until that succeeded. */
    assistantChatId: integer("assistant_chat_id"),
    assistantMessageId: integer("assistant_message_id"),
    /**
     * Set (in the transaction that creates the question) before the first attempt to post it: a
     * question with this set and no assistantMessageId may have a copy in the assistants' chat.
     */
    postStartedAt: integer("post_started_at"),
    /** When the learner was told the question's number (null: not known to have reached them). */
    learnerNotifiedAt: integer("learner_notified_at"),
    createdAt: integer("created_at").notNull(),
    /** Last question or follow-up from the learner: the flood limit counts from here. */
    lastLearnerMessageAt: integer("last_learner_message_at").notNull(),
    answeredAt: integer("answered_at"),
    answeredBy: integer("answered_by"),
    answeredByName: text("answered_by_name"),
    /** Closed by the "answered without reply" button rather than by a reply. */
    closedWithoutReply: integer("closed_without_reply", { mode: "boolean" }).notNull().default(false),
    replyCount: integer("reply_count").notNull().default(0),
  },
  (t) => [index("questions_learner_state").on(t.learnerId, t.state), index("questions_state_created").on(t.state, t.createdAt)],
);

export type QuestionSide = "assistants" | "learner";

/**
 * Which message belongs to which question, on both sides: a reply in the assistants' chat is
 * routed by the message it replies to (never by forward_from, which learners may hide), and a
 * learner's reply to an answer becomes a follow-up of that question.
 */
export const questionMessages = sqliteTable(
  "question_messages",
  {
    chatId: integer("chat_id").notNull(),
    messageId: integer("message_id").notNull(),
    questionId: integer("question_id")
      .notNull()
      .references(() => questions.id, { onDelete: "cascade" }),
    side: text("side").$type<QuestionSide>().notNull(),
    /** header | media | follow-up | answer (assistants' side); confirmation | answer (learner's side). */
    kind: text("kind").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.chatId, t.messageId] }), index("question_messages_question").on(t.questionId)],
);

/** The learner's unfinished /ask flow: which course and module they picked so far. */
export const askDrafts = sqliteTable("ask_drafts", {
  learnerId: integer("learner_id")
    .primaryKey()
    .references(() => learners.id),
  /** course: choosing the course; module: choosing the module; text: waiting for the question. */
  step: text("step").$type<"course" | "module" | "text">().notNull(),
  courseId: text("course_id"),
  modulePosition: integer("module_position"),
  updatedAt: integer("updated_at").notNull(),
});

export type Question = typeof questions.$inferSelect;
export type AskDraft = typeof askDrafts.$inferSelect;
