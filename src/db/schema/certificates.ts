import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { Locale } from "../../domain/locale.js";
import { courses } from "./courses.js";
import { learners } from "./learners.js";

/**
 * Certificates (issue 10 item 2). A row is written when the learner becomes eligible, before
 * anything is sent: the partial unique index keeps one live certificate per learner and course,
 * so a second job run, a restart or a double tap inserts nothing. Delivery finds rows with
 * `sent_at` unset, so a crash between the insert and the send loses nothing.
 */
export const certificates = sqliteTable(
  "certificates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** The verification code (12 letters and digits, no look-alikes); the QR's deep link carries it. */
    code: text("code").notNull().unique(),
    learnerId: integer("learner_id")
      .notNull()
      .references(() => learners.id),
    courseId: text("course_id")
      .notNull()
      .references(() => courses.id),
    /** The name as the learner confirmed it; null until they do (the PDF waits for it). */
    fullName: text("full_name"),
    /** Course progress in percent when issued. */
    score: real("score").notNull(),
    /** The course's learning hours when issued (null when the file gives none). */
    hours: real("hours"),
    issuedAt: integer("issued_at").notNull(),
    sentAt: integer("sent_at"),
    /** Telegram's file_id of the sent PDF and the language it was written in, for /certificates. */
    fileId: text("file_id"),
    fileLang: text("file_lang").$type<Locale>(),
    /** Failed sends so far; delivery gives up after a few (a learner who blocked the bot). */
    sendFailures: integer("send_failures").notNull().default(0),
    revokedAt: integer("revoked_at"),
    revokedBy: integer("revoked_by"),
  },
  (t) => [
    uniqueIndex("certificates_live_learner_course")
      .on(t.learnerId, t.courseId)
      .where(sql`${t.revokedAt} IS NULL`),
    index("certificates_course").on(t.courseId),
    index("certificates_unsent").on(t.sentAt, t.revokedAt),
  ],
);

export type CertificateNameState = "asking" | "confirming" | "confirmed";

/**
 * The name a learner wants on their certificates, and where the asking stands: kept in the
 * database so a restart between "type your name" and "Yes" resumes where it was.
 */
export const certificateNames = sqliteTable("certificate_names", {
  learnerId: integer("learner_id")
    .primaryKey()
    .references(() => learners.id),
  state: text("state").$type<CertificateNameState>().notNull(),
  /** The name typed and waiting for "Yes". */
  draft: text("draft"),
  /** The confirmed name. */
  name: text("name"),
  updatedAt: integer("updated_at").notNull(),
});

export type Certificate = typeof certificates.$inferSelect;
