import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Locale } from "../../domain/locale.js";

export const learners = sqliteTable("learners", {
  /** Telegram user id (also the private chat id). */
  id: integer("id").primaryKey(),
  firstName: text("first_name").notNull().default(""),
  lastName: text("last_name"),
  username: text("username"),
  language: text("language").$type<Locale>().notNull(),
  /** Set when the learner picked a language with /language, so Telegram's language_code no longer applies. */
  languageChosen: integer("language_chosen", { mode: "boolean" }).notNull().default(false),
  /** Set when Telegram says the learner blocked the bot (403 or my_chat_member); cleared when they come back. */
  blockedAt: integer("blocked_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export type Learner = typeof learners.$inferSelect;
