import { blob, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export type VersionOrigin = "upload" | "folder" | "rollback";
export type UploadKind = "course" | "bank";
export type UploadStatus = "pending" | "applied" | "cancelled" | "superseded";

/**
 * Every version of every course ever imported, with its whole source (the course file and its
 * quiz banks, gzipped): what /versions lists and a rollback re-imports. No foreign key to courses:
 * the history outlives whatever happens to the course row.
 */
export const courseVersions = sqliteTable(
  "course_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    courseId: text("course_id").notNull(),
    /** 1, 2, 3… per course, in the order imported. */
    version: integer("version").notNull(),
    origin: text("origin").$type<VersionOrigin>().notNull(),
    /** The validated course's hash (course file and banks): a folder file is re-imported only when it changes. */
    sourceHash: text("source_hash").notNull(),
    /** The course file's name as the author or the folder gave it. */
    sourceFile: text("source_file").notNull(),
    /** gzip(JSON of the source bundle): see db/courseVersionsRepo.ts. */
    bundle: blob("bundle", { mode: "buffer" }).notNull(),
    /** Who uploaded or rolled back (null for the folder). */
    createdBy: integer("created_by"),
    createdAt: integer("created_at").notNull(),
    /** For a rollback: the version whose source it restored. */
    restoredFrom: integer("restored_from"),
  },
  (t) => [
    uniqueIndex("course_versions_course_version").on(t.courseId, t.version),
    index("course_versions_origin").on(t.courseId, t.origin),
  ],
);

/**
 * An upload waiting for its author's confirmation. Kept in the database, not in memory, so the
 * summary's Confirm button still works after a restart; `baseVersion` is the course's version
 * the summary was computed against (a newer one makes the upload stale).
 */
export const courseUploads = sqliteTable(
  "course_uploads",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id").notNull(),
    courseId: text("course_id").notNull(),
    kind: text("kind").$type<UploadKind>().notNull(),
    fileName: text("file_name").notNull(),
    bundle: blob("bundle", { mode: "buffer" }).notNull(),
    baseVersion: integer("base_version"),
    status: text("status").$type<UploadStatus>().notNull(),
    createdAt: integer("created_at").notNull(),
    decidedAt: integer("decided_at"),
  },
  (t) => [index("course_uploads_user").on(t.userId, t.status)],
);

export type CourseVersionRow = typeof courseVersions.$inferSelect;
export type CourseUploadRow = typeof courseUploads.$inferSelect;
