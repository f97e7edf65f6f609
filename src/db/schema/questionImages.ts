import { blob, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Photos of quiz questions (Moodle XML `@@PLUGINFILE@@` images), by content hash: a question's
 * content refers to its photo by sha256, so the same picture in several banks is stored once and
 * re-importing an unchanged bank writes nothing new. `fileId` caches Telegram's file_id after the
 * first upload, so the photo is sent by id from then on.
 */
export const questionImages = sqliteTable("question_images", {
  sha256: text("sha256").primaryKey(),
  mime: text("mime").notNull(),
  name: text("name").notNull(),
  bytes: blob("bytes", { mode: "buffer" }).notNull(),
  fileId: text("file_id"),
  createdAt: integer("created_at").notNull(),
});

export type QuestionImageRow = typeof questionImages.$inferSelect;
