import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { courses } from "./courses.js";

/**
 * sending -> sent | failed (retried on a later tick, a few times) | uncertain (the process died
 * mid-send: never resent, like the outbox); unchanged = the end-of-analysis report was due but
 * nothing had changed since the first one, so it was not sent.
 */
export type AnalysisReportState = "sending" | "sent" | "failed" | "uncertain" | "unchanged";

/** start = when the analysis window opens (the last module closed); end = when it closes, two weeks later. */
export type AnalysisReportPhase = "start" | "end";

/**
 * The automatic analysis reports sent to a course's authors (jobs/analysisReports.ts): one row
 * per course, author and phase, written before sending, so a restart never sends one twice.
 */
export const analysisReports = sqliteTable(
  "analysis_reports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    courseId: text("course_id")
      .notNull()
      .references(() => courses.id, { onDelete: "cascade" }),
    /** Telegram user id of the author (also their private chat id). */
    authorId: integer("author_id").notNull(),
    phase: text("phase").$type<AnalysisReportPhase>().notNull(),
    state: text("state").$type<AnalysisReportState>().notNull(),
    /** What the report was computed from (db/analysisRepo analysisFingerprint): "changed since" is a different value. */
    fingerprint: text("fingerprint").notNull(),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    sentAt: integer("sent_at"),
  },
  (t) => [uniqueIndex("analysis_reports_course_author_phase").on(t.courseId, t.authorId, t.phase)],
);

export type AnalysisReportRow = typeof analysisReports.$inferSelect;
