import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Locale } from "../../domain/locale.js";

/**
 * Which group answers a course's questions (issue 9): at most one chat per course, while one chat
 * may serve several courses. A course without a row uses ASSISTANT_CHAT_ID. No foreign key to
 * courses, as for course_staff: a course taken out of the catalogue keeps its chat.
 */
export const courseChats = sqliteTable(
  "course_chats",
  {
    courseId: text("course_id").primaryKey(),
    chatId: integer("chat_id").notNull(),
    linkedBy: integer("linked_by").notNull(),
    linkedAt: integer("linked_at").notNull(),
    /**
     * Set when the bot was removed from the chat: the link is kept (so the course's questions wait
     * instead of going to the default chat) until an author links a chat again.
     */
    removedAt: integer("removed_at"),
  },
  (t) => [index("course_chats_chat").on(t.chatId)],
);

/** Settings of an assistants' chat (a linked one or ASSISTANT_CHAT_ID): its language, and whether the bot was removed. */
export const assistantChats = sqliteTable("assistant_chats", {
  chatId: integer("chat_id").primaryKey(),
  /** What everything the bot writes in this chat is written in; null: DEFAULT_LOCALE. */
  locale: text("locale").$type<Locale>(),
  /** Only for ASSISTANT_CHAT_ID, which has no link to mark: the bot was removed from it. */
  removedAt: integer("removed_at"),
  updatedAt: integer("updated_at").notNull(),
});

export type CourseChat = typeof courseChats.$inferSelect;
