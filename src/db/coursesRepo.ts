import type { Locale } from "../domain/locale.js";
import { and, eq, isNull, lte } from "drizzle-orm";
import type { Translated } from "../domain/course.js";
import { statement, type Db } from "./client.js";
import { courses, courseWatchers, type Course, type Enrollment, type Module } from "./schema/index.js";

/*
 * Courses are read on almost every update (cards, lists, quizzes, progress) and their JSON
 * columns (titles, the whole course file in `content`) cost far more to parse than to fetch.
 * The parsed JSON is cached per database and course, keyed by the course's version (source hash
 * and load time, both rewritten by every import in the same transaction as the modules), so a
 * reload is picked up on the next read. Scalar columns (dates, zone) are read fresh every time.
 * Cached objects are shared: callers must not mutate titles, content or announcements.
 */

interface CourseJson {
  languages: Locale[];
  title: Translated;
  description: Translated;
  content: unknown;
}

interface CachedCourse {
  version: string;
  json: CourseJson;
  /** Module title and announcement by position, filled on first use. */
  modules: Map<number, { title: Translated; announcement: Translated }> | null;
  /** Values derived from this version of the course file (perCourseVersion). */
  derived: Map<string, unknown> | null;
}

const caches = new WeakMap<Db["$client"], Map<string, CachedCourse>>();

function cacheOf(db: Db): Map<string, CachedCourse> {
  let c = caches.get(db.$client);
  if (!c) {
    c = new Map();
    caches.set(db.$client, c);
  }
  return c;
}

/** Drops every cached course of this database (tests; after writing course rows by hand). */
export function forgetCachedCourses(db: Db): void {
  caches.delete(db.$client);
}

interface CourseRow {
  id: string;
  timezone: string;
  start_at: number;
  date_anchor: number | null;
  enroll_opens_at: number;
  enroll_closes_at: number;
  end_at: number;
  hours_per_week: number | null;
  source_file: string;
  source_hash: string;
  loaded_at: number;
}

const COURSE_COLUMNS =
  "id, timezone, start_at, date_anchor, enroll_opens_at, enroll_closes_at, end_at, hours_per_week, source_file, source_hash, loaded_at";

// Built once: the statement cache is keyed by the SQL text, and a constant string hashes once.
const SELECT_COURSE = `SELECT ${COURSE_COLUMNS} FROM courses WHERE id = ?`;
const SELECT_COURSES = `SELECT ${COURSE_COLUMNS} FROM courses ORDER BY start_at, id`;

function cached(db: Db, r: CourseRow): CachedCourse {
  const cache = cacheOf(db);
  const version = `${r.source_hash}|${r.loaded_at}`;
  let entry = cache.get(r.id);
  if (!entry || entry.version !== version) {
    const raw = statement<[string], { languages: string; title: string; description: string; content: string }>(
      db,
      "SELECT languages, title, description, content FROM courses WHERE id = ?",
    ).get(r.id)!;
    entry = {
      version,
      json: {
        languages: JSON.parse(raw.languages) as Locale[],
        title: JSON.parse(raw.title) as Translated,
        description: JSON.parse(raw.description) as Translated,
        content: JSON.parse(raw.content) as unknown,
      },
      modules: null,
      derived: null,
    };
    cache.set(r.id, entry);
  }
  return entry;
}

function toCourse(db: Db, r: CourseRow): Course {
  const { json } = cached(db, r);
  return {
    id: r.id,
    languages: json.languages,
    title: json.title,
    description: json.description,
    timezone: r.timezone,
    startAt: r.start_at,
    dateAnchor: r.date_anchor,
    enrollOpensAt: r.enroll_opens_at,
    enrollClosesAt: r.enroll_closes_at,
    endAt: r.end_at,
    hoursPerWeek: r.hours_per_week,
    sourceFile: r.source_file,
    sourceHash: r.source_hash,
    content: json.content,
    loadedAt: r.loaded_at,
  };
}

/**
 * A value that follows from the course file alone (what the import wrote with it, e.g. how many
 * questions its questionnaire has), computed once per version of the course and dropped with it.
 * `course` is what getCourse or listCourses returned: its version is the cached one.
 */
export function perCourseVersion<T>(db: Db, course: Pick<Course, "id" | "sourceHash" | "loadedAt">, key: string, compute: () => T): T {
  const entry = cacheOf(db).get(course.id);
  if (entry?.version !== `${course.sourceHash}|${course.loadedAt}`) return compute();
  entry.derived ??= new Map();
  if (entry.derived.has(key)) return entry.derived.get(key) as T;
  const value = compute();
  entry.derived.set(key, value);
  return value;
}

export function listCourses(db: Db): Course[] {
  return statement<[], CourseRow>(db, SELECT_COURSES)
    .all()
    .map((r) => toCourse(db, r));
}

export function getCourse(db: Db, id: string): Course | undefined {
  const r = statement<[string], CourseRow>(db, SELECT_COURSE).get(id);
  return r ? toCourse(db, r) : undefined;
}

interface ModuleRow {
  id: number;
  position: number;
  opens_at: number;
  closes_at: number;
}

export function getModules(db: Db, courseId: string): Module[] {
  const course = statement<[string], CourseRow>(db, SELECT_COURSE).get(courseId);
  if (!course) return [];
  const rows = statement<[string], ModuleRow>(
    db,
    "SELECT id, position, opens_at, closes_at FROM modules WHERE course_id = ? ORDER BY position",
  ).all(courseId);
  const entry = cached(db, course);
  if (!entry.modules || rows.some((r) => !entry.modules!.has(r.position))) {
    entry.modules = new Map(
      statement<[string], { position: number; title: string; announcement: string }>(
        db,
        "SELECT position, title, announcement FROM modules WHERE course_id = ?",
      )
        .all(courseId)
        .map((m) => [m.position, { title: JSON.parse(m.title) as Translated, announcement: JSON.parse(m.announcement) as Translated }]),
    );
  }
  return rows.map((r) => {
    const json = entry.modules!.get(r.position)!;
    return {
      id: r.id,
      courseId,
      position: r.position,
      title: json.title,
      announcement: json.announcement,
      opensAt: r.opens_at,
      closesAt: r.closes_at,
    };
  });
}

interface EnrollmentRow {
  id: number;
  learner_id: number;
  course_id: string;
  status: "active" | "unenrolled";
  enrolled_at: number;
  unenrolled_at: number | null;
}

const ENROLLMENT_COLUMNS = "id, learner_id, course_id, status, enrolled_at, unenrolled_at";

const SELECT_ENROLLMENT = `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments WHERE learner_id = ? AND course_id = ?`;

const toEnrollment = (r: EnrollmentRow): Enrollment => ({
  id: r.id,
  learnerId: r.learner_id,
  courseId: r.course_id,
  status: r.status,
  enrolledAt: r.enrolled_at,
  unenrolledAt: r.unenrolled_at,
});

export function getEnrollment(db: Db, learnerId: number, courseId: string): Enrollment | undefined {
  const r = statement<[number, string], EnrollmentRow>(db, SELECT_ENROLLMENT).get(learnerId, courseId);
  return r ? toEnrollment(r) : undefined;
}

export function isEnrolled(db: Db, learnerId: number, courseId: string): boolean {
  return (
    statement<[number, string], { one: number }>(
      db,
      "SELECT 1 AS one FROM enrollments WHERE learner_id = ? AND course_id = ? AND status = 'active'",
    ).get(learnerId, courseId) !== undefined
  );
}

/** Active enrollments of a learner with their courses, soonest start first. */
export function learnerCourses(db: Db, learnerId: number): { course: Course; enrollment: Enrollment }[] {
  const rows = statement<[number], EnrollmentRow & { c_id: string }>(
    db,
    `SELECT e.id, e.learner_id, e.course_id, e.status, e.enrolled_at, e.unenrolled_at
     FROM enrollments e JOIN courses c ON c.id = e.course_id
     WHERE e.learner_id = ? AND e.status = 'active' ORDER BY c.start_at`,
  ).all(learnerId);
  return rows.flatMap((r) => {
    const course = getCourse(db, r.course_id);
    return course ? [{ course, enrollment: toEnrollment(r) }] : [];
  });
}

export type EnrollOutcome = "enrolled" | "already";

/**
 * Idempotent: the unique (learner, course) row makes a double tap or a redelivered update harmless.
 * One statement: a new row, or an unenrolled one reactivated; an active one is left alone.
 */
export function enroll(db: Db, learnerId: number, courseId: string, now: number): EnrollOutcome {
  const result = statement<[number, string, number]>(
    db,
    `INSERT INTO enrollments (learner_id, course_id, status, enrolled_at) VALUES (?, ?, 'active', ?)
     ON CONFLICT (learner_id, course_id) DO UPDATE SET status = 'active', enrolled_at = excluded.enrolled_at, unenrolled_at = NULL
     WHERE enrollments.status <> 'active'`,
  ).run(learnerId, courseId, now);
  return result.changes > 0 ? "enrolled" : "already";
}

export type UnenrollOutcome = "unenrolled" | "not_enrolled";

export function unenroll(db: Db, learnerId: number, courseId: string, now: number): UnenrollOutcome {
  const result = statement<[number, number, string]>(
    db,
    "UPDATE enrollments SET status = 'unenrolled', unenrolled_at = ? WHERE learner_id = ? AND course_id = ? AND status = 'active'",
  ).run(now, learnerId, courseId);
  return result.changes > 0 ? "unenrolled" : "not_enrolled";
}

export function watchCourse(db: Db, learnerId: number, courseId: string, now: number): "watching" | "already" {
  const result = statement<[number, string, number]>(
    db,
    "INSERT INTO course_watchers (learner_id, course_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
  ).run(learnerId, courseId, now);
  return result.changes > 0 ? "watching" : "already";
}

export function isWatching(db: Db, learnerId: number, courseId: string): boolean {
  return (
    statement<[number, string], { one: number }>(
      db,
      "SELECT 1 AS one FROM course_watchers WHERE learner_id = ? AND course_id = ? AND notified_at IS NULL",
    ).get(learnerId, courseId) !== undefined
  );
}

/** Watchers of courses whose enrollment has opened by `now` and who have not been told yet. */
export function dueEnrollmentNotices(db: Db, now: number) {
  return db
    .select({ learnerId: courseWatchers.learnerId, course: courses })
    .from(courseWatchers)
    .innerJoin(courses, eq(courses.id, courseWatchers.courseId))
    .where(and(isNull(courseWatchers.notifiedAt), lte(courses.enrollOpensAt, now)))
    .all();
}

export function markWatcherNotified(db: Db, learnerId: number, courseId: string, now: number): void {
  db.update(courseWatchers)
    .set({ notifiedAt: now })
    .where(and(eq(courseWatchers.learnerId, learnerId), eq(courseWatchers.courseId, courseId)))
    .run();
}
