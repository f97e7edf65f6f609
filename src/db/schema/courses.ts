import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { Locale } from "../../domain/locale.js";
import type { Translated } from "../../domain/course.js";
import { learners } from "./learners.js";

export const courses = sqliteTable("courses", {
  /** Slug from the course file; used in deep links and callback data. */
  id: text("id").primaryKey(),
  /** Languages the course is written in; the first is the fallback. */
  languages: text("languages", { mode: "json" }).$type<Locale[]>().notNull(),
  title: text("title", { mode: "json" }).$type<Translated>().notNull(),
  description: text("description", { mode: "json" }).$type<Translated>().notNull(),
  timezone: text("timezone").notNull(),
  startAt: integer("start_at").notNull(),
  /**
   * For files dated relative to "today" (demo courses): the instant "today" meant at first import,
   * reused on every reload so the course does not move each time the bot restarts.
   */
  dateAnchor: integer("date_anchor"),
  enrollOpensAt: integer("enroll_opens_at").notNull(),
  enrollClosesAt: integer("enroll_closes_at").notNull(),
  endAt: integer("end_at").notNull(),
  hoursPerWeek: integer("hours_per_week"),
  sourceFile: text("source_file").notNull(),
  sourceHash: text("source_hash").notNull(),
  /** The whole validated course file, for features that read parts not mapped to columns. */
  content: text("content", { mode: "json" }).$type<unknown>().notNull(),
  loadedAt: integer("loaded_at").notNull(),
});

export const modules = sqliteTable(
  "modules",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    courseId: text("course_id")
      .notNull()
      .references(() => courses.id, { onDelete: "cascade" }),
    /** 0-based week number. */
    position: integer("position").notNull(),
    title: text("title", { mode: "json" }).$type<Translated>().notNull(),
    announcement: text("announcement", { mode: "json" }).$type<Translated>().notNull(),
    opensAt: integer("opens_at").notNull(),
    closesAt: integer("closes_at").notNull(),
  },
  (t) => [uniqueIndex("modules_course_position").on(t.courseId, t.position)],
);

export const enrollments = sqliteTable(
  "enrollments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    learnerId: integer("learner_id")
      .notNull()
      .references(() => learners.id),
    courseId: text("course_id")
      .notNull()
      .references(() => courses.id),
    /** active | unenrolled. One row per learner and course: re-enrolling reactivates it. */
    status: text("status").$type<"active" | "unenrolled">().notNull(),
    enrolledAt: integer("enrolled_at").notNull(),
    unenrolledAt: integer("unenrolled_at"),
  },
  (t) => [
    uniqueIndex("enrollments_learner_course").on(t.learnerId, t.courseId),
    index("enrollments_course_status").on(t.courseId, t.status),
  ],
);

/** People who asked to be told when an upcoming course opens for enrollment. */
export const courseWatchers = sqliteTable(
  "course_watchers",
  {
    learnerId: integer("learner_id")
      .notNull()
      .references(() => learners.id),
    courseId: text("course_id")
      .notNull()
      .references(() => courses.id),
    createdAt: integer("created_at").notNull(),
    notifiedAt: integer("notified_at"),
  },
  (t) => [primaryKey({ columns: [t.learnerId, t.courseId] })],
);

export type Course = typeof courses.$inferSelect;
export type Module = typeof modules.$inferSelect;
export type Enrollment = typeof enrollments.$inferSelect;
