import { and, asc, eq, isNull, lte } from "drizzle-orm";
import type { Db } from "./client.js";
import { courses, courseWatchers, enrollments, modules, type Course, type Enrollment, type Module } from "./schema/index.js";

export function listCourses(db: Db): Course[] {
  return db.select().from(courses).orderBy(asc(courses.startAt), asc(courses.id)).all();
}

export function getCourse(db: Db, id: string): Course | undefined {
  return db.select().from(courses).where(eq(courses.id, id)).get();
}

export function getModules(db: Db, courseId: string): Module[] {
  return db.select().from(modules).where(eq(modules.courseId, courseId)).orderBy(asc(modules.position)).all();
}

export function getEnrollment(db: Db, learnerId: number, courseId: string): Enrollment | undefined {
  return db
    .select()
    .from(enrollments)
    .where(and(eq(enrollments.learnerId, learnerId), eq(enrollments.courseId, courseId)))
    .get();
}

export function isEnrolled(db: Db, learnerId: number, courseId: string): boolean {
  return getEnrollment(db, learnerId, courseId)?.status === "active";
}

/** Active enrollments of a learner with their courses, soonest start first. */
export function learnerCourses(db: Db, learnerId: number): { course: Course; enrollment: Enrollment }[] {
  return db
    .select({ course: courses, enrollment: enrollments })
    .from(enrollments)
    .innerJoin(courses, eq(courses.id, enrollments.courseId))
    .where(and(eq(enrollments.learnerId, learnerId), eq(enrollments.status, "active")))
    .orderBy(asc(courses.startAt))
    .all();
}

export type EnrollOutcome = "enrolled" | "already";

/** Idempotent: the unique (learner, course) row makes a double tap or a redelivered update harmless. */
export function enroll(db: Db, learnerId: number, courseId: string, now: number): EnrollOutcome {
  return db.transaction((tx) => {
    const existing = tx
      .select()
      .from(enrollments)
      .where(and(eq(enrollments.learnerId, learnerId), eq(enrollments.courseId, courseId)))
      .get();
    if (existing?.status === "active") return "already";
    if (existing) {
      tx.update(enrollments)
        .set({ status: "active", enrolledAt: now, unenrolledAt: null })
        .where(eq(enrollments.id, existing.id))
        .run();
    } else {
      tx.insert(enrollments).values({ learnerId, courseId, status: "active", enrolledAt: now }).run();
    }
    return "enrolled";
  });
}

export type UnenrollOutcome = "unenrolled" | "not_enrolled";

export function unenroll(db: Db, learnerId: number, courseId: string, now: number): UnenrollOutcome {
  const result = db
    .update(enrollments)
    .set({ status: "unenrolled", unenrolledAt: now })
    .where(and(eq(enrollments.learnerId, learnerId), eq(enrollments.courseId, courseId), eq(enrollments.status, "active")))
    .run();
  return result.changes > 0 ? "unenrolled" : "not_enrolled";
}

export function watchCourse(db: Db, learnerId: number, courseId: string, now: number): "watching" | "already" {
  const result = db.insert(courseWatchers).values({ learnerId, courseId, createdAt: now }).onConflictDoNothing().run();
  return result.changes > 0 ? "watching" : "already";
}

export function isWatching(db: Db, learnerId: number, courseId: string): boolean {
  return (
    db
      .select()
      .from(courseWatchers)
      .where(and(eq(courseWatchers.learnerId, learnerId), eq(courseWatchers.courseId, courseId), isNull(courseWatchers.notifiedAt)))
      .get() !== undefined
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
