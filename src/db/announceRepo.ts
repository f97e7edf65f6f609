import { and, asc, desc, eq, gt, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import type { Locale } from "../domain/locale.js";
import {
  broadcasts,
  courses,
  enrollments,
  learners,
  modules,
  outbox,
  type Broadcast,
  type BroadcastStatus,
  type Course,
  type Module,
} from "./schema/index.js";

export interface Recipient {
  id: number;
  language: Locale;
  blockedAt: number | null;
}

/** Modules whose week has begun and whose window has not closed at `now`, with their course. */
export function openModules(db: Db, now: number, courseId?: string): { course: Course; module: Module; total: number }[] {
  const rows = db
    .select({ course: courses, module: modules })
    .from(modules)
    .innerJoin(courses, eq(courses.id, modules.courseId))
    .where(and(lte(modules.opensAt, now), gt(modules.closesAt, now), courseId ? eq(modules.courseId, courseId) : undefined))
    .orderBy(asc(modules.courseId), asc(modules.position))
    .all();
  const totals = new Map<string, number>();
  for (const { course } of rows) {
    if (!totals.has(course.id)) {
      const n = db.select({ n: sql<number>`count(*)` }).from(modules).where(eq(modules.courseId, course.id)).get()?.n ?? 0;
      totals.set(course.id, n);
    }
  }
  return rows.map((r) => ({ ...r, total: totals.get(r.course.id)! }));
}

/** Modules whose quiz closes within `windowMs` after `now` (and has not closed yet). */
export function modulesClosingWithin(db: Db, now: number, windowMs: number): { course: Course; module: Module; total: number }[] {
  return db
    .select({ course: courses, module: modules, total: sql<number>`(SELECT count(*) FROM modules m2 WHERE m2.course_id = ${modules.courseId})` })
    .from(modules)
    .innerJoin(courses, eq(courses.id, modules.courseId))
    .where(and(lte(modules.closesAt, now + windowMs), gt(modules.closesAt, now)))
    .orderBy(asc(modules.courseId), asc(modules.position))
    .all();
}

/**
 * Active, not blocked learners of a course who have no outbox row named `${keyPrefix}${learnerId}`
 * yet: the people a per-learner message still has to be queued for. One query, so a tick over
 * thousands of learners that finds nothing new costs one index walk.
 */
export function learnersWithoutMessage(db: Db, courseId: string, keyPrefix: string, onlyLearner?: number): Recipient[] {
  return db
    .select({ id: learners.id, language: learners.language, blockedAt: learners.blockedAt })
    .from(enrollments)
    .innerJoin(learners, eq(learners.id, enrollments.learnerId))
    .leftJoin(outbox, eq(outbox.dedupeKey, sql`${keyPrefix} || ${learners.id}`))
    .where(
      and(
        eq(enrollments.courseId, courseId),
        eq(enrollments.status, "active"),
        isNull(learners.blockedAt),
        isNull(outbox.id),
        onlyLearner !== undefined ? eq(learners.id, onlyLearner) : undefined,
      ),
    )
    .orderBy(asc(learners.id))
    .all();
}

/** Every active learner of a course (blocked ones too: the report counts them). */
export function activeLearners(db: Db, courseId: string): Recipient[] {
  return db
    .select({ id: learners.id, language: learners.language, blockedAt: learners.blockedAt })
    .from(enrollments)
    .innerJoin(learners, eq(learners.id, enrollments.learnerId))
    .where(and(eq(enrollments.courseId, courseId), eq(enrollments.status, "active")))
    .orderBy(asc(learners.id))
    .all();
}

// ---- broadcasts (the /announce state machine) ----

const DRAFT: BroadcastStatus[] = ["choosing_course", "collecting", "confirming"];

export function getBroadcast(db: Db, id: number): Broadcast | undefined {
  return db.select().from(broadcasts).where(eq(broadcasts.id, id)).get();
}

/** The author's draft in progress, if any (at most one: starting a new one cancels the old). */
export function activeDraft(db: Db, authorId: number): Broadcast | undefined {
  return db
    .select()
    .from(broadcasts)
    .where(and(eq(broadcasts.authorId, authorId), inArray(broadcasts.status, DRAFT)))
    .orderBy(desc(broadcasts.id))
    .get();
}

export function startDraft(db: Db, authorId: number, authorLang: Locale, now: number): Broadcast {
  return db.transaction((tx) => {
    tx.update(broadcasts)
      .set({ status: "cancelled", updatedAt: now })
      .where(and(eq(broadcasts.authorId, authorId), inArray(broadcasts.status, DRAFT)))
      .run();
    return tx
      .insert(broadcasts)
      .values({ authorId, authorLang, status: "choosing_course", createdAt: now, updatedAt: now })
      .returning()
      .get();
  });
}

/**
 * Moves a broadcast from one status to the next only if it is still in `from`: a double tap or
 * a stale button finds it moved on and changes nothing. Returns the updated row, or undefined.
 */
export function transition(
  db: Db,
  id: number,
  from: BroadcastStatus | BroadcastStatus[],
  set: Partial<typeof broadcasts.$inferInsert>,
  now: number,
): Broadcast | undefined {
  const froms = Array.isArray(from) ? from : [from];
  return db
    .update(broadcasts)
    .set({ ...set, updatedAt: now })
    .where(and(eq(broadcasts.id, id), inArray(broadcasts.status, froms)))
    .returning()
    .get();
}

export function broadcastsInStatus(db: Db, status: BroadcastStatus): Broadcast[] {
  return db.select().from(broadcasts).where(eq(broadcasts.status, status)).orderBy(asc(broadcasts.id)).all();
}
