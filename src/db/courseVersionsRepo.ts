import { gunzipSync, gzipSync } from "node:zlib";
import type { CourseBundle } from "../domain/courseBundle.js";
import { statement, type Db } from "./client.js";
import type { UploadKind, UploadStatus, VersionOrigin } from "./schema/index.js";

/** A bundle as stored: gzip of JSON with the files in base64 (a course and its banks compress well). */
export function packBundle(bundle: CourseBundle): Buffer {
  const files = Object.fromEntries(Object.entries(bundle.files).map(([p, b]) => [p, Buffer.from(b).toString("base64")]));
  return gzipSync(JSON.stringify({ courseFile: bundle.courseFile, files }));
}

export function unpackBundle(blob: Buffer): CourseBundle {
  const raw = JSON.parse(gunzipSync(blob).toString("utf8")) as { courseFile: string; files: Record<string, string> };
  return {
    courseFile: raw.courseFile,
    files: Object.fromEntries(Object.entries(raw.files).map(([p, b]) => [p, Buffer.from(b, "base64")])),
  };
}

export interface CourseVersion {
  courseId: string;
  version: number;
  origin: VersionOrigin;
  sourceHash: string;
  sourceFile: string;
  createdBy: number | null;
  createdAt: number;
  restoredFrom: number | null;
}

interface VersionRow {
  course_id: string;
  version: number;
  origin: VersionOrigin;
  source_hash: string;
  source_file: string;
  created_by: number | null;
  created_at: number;
  restored_from: number | null;
}

const VERSION_COLUMNS = "course_id, version, origin, source_hash, source_file, created_by, created_at, restored_from";

const toVersion = (r: VersionRow): CourseVersion => ({
  courseId: r.course_id,
  version: r.version,
  origin: r.origin,
  sourceHash: r.source_hash,
  sourceFile: r.source_file,
  createdBy: r.created_by,
  createdAt: r.created_at,
  restoredFrom: r.restored_from,
});

/** The course's current version (the newest), if it has any. */
export function latestVersion(db: Db, courseId: string): CourseVersion | undefined {
  const r = statement<[string], VersionRow>(
    db,
    `SELECT ${VERSION_COLUMNS} FROM course_versions WHERE course_id = ? ORDER BY version DESC LIMIT 1`,
  ).get(courseId);
  return r ? toVersion(r) : undefined;
}

/** The hash of the course file last imported from COURSES_DIR: the folder wins only when it differs. */
export function lastFolderHash(db: Db, courseId: string): string | undefined {
  return statement<[string], { source_hash: string }>(
    db,
    "SELECT source_hash FROM course_versions WHERE course_id = ? AND origin = 'folder' ORDER BY version DESC LIMIT 1",
  ).get(courseId)?.source_hash;
}

/** Newest first. */
export function listVersions(db: Db, courseId: string, limit = 10): CourseVersion[] {
  return statement<[string, number], VersionRow>(
    db,
    `SELECT ${VERSION_COLUMNS} FROM course_versions WHERE course_id = ? ORDER BY version DESC LIMIT ?`,
  )
    .all(courseId, limit)
    .map(toVersion);
}

export function courseVersion(db: Db, courseId: string, version: number): CourseVersion | undefined {
  const r = statement<[string, number], VersionRow>(
    db,
    `SELECT ${VERSION_COLUMNS} FROM course_versions WHERE course_id = ? AND version = ?`,
  ).get(courseId, version);
  return r ? toVersion(r) : undefined;
}

export function versionBundle(db: Db, courseId: string, version: number): CourseBundle | undefined {
  const r = statement<[string, number], { bundle: Buffer }>(
    db,
    "SELECT bundle FROM course_versions WHERE course_id = ? AND version = ?",
  ).get(courseId, version);
  return r ? unpackBundle(r.bundle) : undefined;
}

/** Adds the next version of the course; call inside the import's transaction. Returns its number. */
export function recordVersion(
  db: Db,
  v: {
    courseId: string;
    origin: VersionOrigin;
    sourceHash: string;
    sourceFile: string;
    bundle: CourseBundle;
    createdBy: number | null;
    now: number;
    restoredFrom?: number;
  },
): number {
  const next = (latestVersion(db, v.courseId)?.version ?? 0) + 1;
  statement(
    db,
    `INSERT INTO course_versions (course_id, version, origin, source_hash, source_file, bundle, created_by, created_at, restored_from)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(v.courseId, next, v.origin, v.sourceHash, v.sourceFile, packBundle(v.bundle), v.createdBy, v.now, v.restoredFrom ?? null);
  return next;
}

export interface PendingUpload {
  id: number;
  userId: number;
  courseId: string;
  kind: UploadKind;
  fileName: string;
  bundle: CourseBundle;
  baseVersion: number | null;
  status: UploadStatus;
  createdAt: number;
}

/**
 * Keeps an upload until its author confirms or cancels. An earlier upload of the same person for
 * the same course that is still pending is superseded: only the newest summary's button imports.
 */
export function savePendingUpload(
  db: Db,
  u: {
    userId: number;
    courseId: string;
    kind: UploadKind;
    fileName: string;
    bundle: CourseBundle;
    baseVersion: number | null;
    now: number;
  },
): number {
  return db.$client.transaction(() => {
    statement(
      db,
      "UPDATE course_uploads SET status = 'superseded', decided_at = ? WHERE user_id = ? AND course_id = ? AND status = 'pending'",
    ).run(u.now, u.userId, u.courseId);
    const r = statement(
      db,
      `INSERT INTO course_uploads (user_id, course_id, kind, file_name, bundle, base_version, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`,
    ).run(u.userId, u.courseId, u.kind, u.fileName, packBundle(u.bundle), u.baseVersion, u.now);
    return Number(r.lastInsertRowid);
  })();
}

export function getUpload(db: Db, id: number): PendingUpload | undefined {
  const r = statement<
    [number],
    {
      id: number;
      user_id: number;
      course_id: string;
      kind: UploadKind;
      file_name: string;
      bundle: Buffer;
      base_version: number | null;
      status: UploadStatus;
      created_at: number;
    }
  >(db, "SELECT id, user_id, course_id, kind, file_name, bundle, base_version, status, created_at FROM course_uploads WHERE id = ?").get(
    id,
  );
  return r
    ? {
        id: r.id,
        userId: r.user_id,
        courseId: r.course_id,
        kind: r.kind,
        fileName: r.file_name,
        bundle: unpackBundle(r.bundle),
        baseVersion: r.base_version,
        status: r.status,
        createdAt: r.created_at,
      }
    : undefined;
}

/** Moves a pending upload to its outcome; false when it was not pending any more (a double tap). */
export function decideUpload(db: Db, id: number, status: Exclude<UploadStatus, "pending">, now: number): boolean {
  return (
    statement(db, "UPDATE course_uploads SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending'").run(status, now, id).changes >
    0
  );
}

/** Learners enrolled now: how many an import of a new version affects. */
export function activeEnrollmentCount(db: Db, courseId: string): number {
  return statement<[string], { n: number }>(db, "SELECT COUNT(*) AS n FROM enrollments WHERE course_id = ? AND status = 'active'").get(
    courseId,
  )!.n;
}
