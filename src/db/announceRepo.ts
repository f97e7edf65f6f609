import { and, asc, desc, eq, gt, inArray, isNull, lte, sql, type SQL } from "drizzle-orm";
import { isLocale, LOCALES, type Locale } from "../domain/locale.js";
import { DEFAULT_EXPIRY_MS, enqueueFanOut, saveBody } from "./outboxRepo.js";
import { statement, type Db } from "./client.js";
import { getCourse, getModules } from "./coursesRepo.js";
import { liveQuiz } from "./quizRepo.js";
import {
  broadcasts,
  courses,
  enrollments,
  learners,
  modules,
  type Broadcast,
  type BroadcastStatus,
  type BroadcastVersion,
  type Quiz,
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
  // Runs on every enrollment (the new learner gets this week's announcement): prepared, and the
  // course and modules come from coursesRepo's cache rather than a join that parses course JSON.
  const where = "opens_at <= ? AND closes_at > ?";
  const rows =
    courseId === undefined
      ? statement<[number, number], { course_id: string; position: number }>(
          db,
          `SELECT course_id, position FROM modules WHERE ${where} ORDER BY course_id, position`,
        ).all(now, now)
      : statement<[number, number, string], { course_id: string; position: number }>(
          db,
          `SELECT course_id, position FROM modules WHERE ${where} AND course_id = ? ORDER BY position`,
        ).all(now, now, courseId);
  const out: { course: Course; module: Module; total: number }[] = [];
  const perCourse = new Map<string, { course: Course; modules: Module[] } | null>();
  for (const r of rows) {
    let c = perCourse.get(r.course_id);
    if (c === undefined) {
      const course = getCourse(db, r.course_id);
      c = course ? { course, modules: getModules(db, r.course_id) } : null;
      perCourse.set(r.course_id, c);
    }
    const module = c?.modules.find((m) => m.position === r.position);
    if (c && module) out.push({ course: c.course, module, total: c.modules.length });
  }
  return out;
}

/** Modules whose quiz closes within `windowMs` after `now` (and has not closed yet). */
export function modulesClosingWithin(db: Db, now: number, windowMs: number): { course: Course; module: Module; total: number }[] {
  return db
    .select({
      course: courses,
      module: modules,
      total: sql<number>`(SELECT count(*) FROM modules m2 WHERE m2.course_id = ${modules.courseId})`,
    })
    .from(modules)
    .innerJoin(courses, eq(courses.id, modules.courseId))
    .where(and(lte(modules.closesAt, now + windowMs), gt(modules.closesAt, now)))
    .orderBy(asc(modules.courseId), asc(modules.position))
    .all();
}

/** The module's graded quiz (not removed from the course file), if it has one. */
export function moduleQuiz(db: Db, courseId: string, position: number): Quiz | undefined {
  return liveQuiz(db, courseId, position);
}

/**
 * "Learner `l` has not passed this quiz", as SQL for a fan-out: passed means the counted score
 * (best finished attempt, or the last finished one, per the quiz's policy; as domain/quiz.ts's
 * moduleScore) reaches the pass score. Walks the (learner, quiz, attempt_no) index per learner.
 */
export function notPassed(quiz: Quiz): SQL {
  if (quiz.scorePolicy === "last") {
    return sql`coalesce((SELECT coalesce(a.score, 0) FROM quiz_attempts a
      WHERE a.learner_id = l.id AND a.quiz_id = ${quiz.id} AND a.finished_at IS NOT NULL
      ORDER BY a.attempt_no DESC LIMIT 1), -1) < ${quiz.passScore}`;
  }
  return sql`NOT EXISTS (SELECT 1 FROM quiz_attempts a
    WHERE a.learner_id = l.id AND a.quiz_id = ${quiz.id} AND a.finished_at IS NOT NULL AND coalesce(a.score, 0) >= ${quiz.passScore})`;
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
  // In a transaction: outside one, RETURNING hands back the row even when the commit fails (full disk).
  return db.transaction((tx) =>
    tx
      .update(broadcasts)
      .set({ ...set, updatedAt: now })
      .where(and(eq(broadcasts.id, id), inArray(broadcasts.status, froms)))
      .returning()
      .get(),
  );
}

export function broadcastsInStatus(db: Db, status: BroadcastStatus): Broadcast[] {
  return db.select().from(broadcasts).where(eq(broadcasts.status, status)).orderBy(asc(broadcasts.id)).all();
}

/** Enrollments counted per statement by `audienceByLanguage` (about 15 ms each at 100,000). */
const AUDIENCE_CHUNK = 10_000;

/**
 * Active learners of a course by language, blocked ones apart: the author's steps and preview,
 * counted by SQL in chunks of enrollments with a turn for the event loop between them (in one
 * statement, the join over 100,000 learners held the bot's thread for 0.2 s on every step).
 */
export async function audienceByLanguage(
  db: Db,
  courseId: string,
  chunk = AUDIENCE_CHUNK,
): Promise<{ language: string; n: number; blocked: number }[]> {
  const page = statement<[string, number, number], { language: string; n: number; blocked: number; last: number }>(
    db,
    `SELECT l.language AS language, count(*) AS n, count(l.blocked_at) AS blocked, max(e.id) AS last
     FROM (SELECT id, learner_id FROM enrollments WHERE course_id = ? AND status = 'active' AND id > ? ORDER BY id LIMIT ?) e
     JOIN learners l ON l.id = e.learner_id
     GROUP BY l.language`,
  );
  const totals = new Map<string, { language: string; n: number; blocked: number }>();
  for (let after = 0; ;) {
    const rows = page.all(courseId, after, chunk);
    let seen = 0;
    for (const r of rows) {
      const t = totals.get(r.language) ?? { language: r.language, n: 0, blocked: 0 };
      t.n += r.n;
      t.blocked += r.blocked;
      totals.set(r.language, t);
      seen += r.n;
      after = Math.max(after, r.last);
    }
    if (seen < chunk) break;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return [...totals.values()];
}

export const broadcastBatch = (id: number) => `bc:${id}`;

/** The version a learner gets: their language's, else the first course language that has one. */
export function versionFor(
  b: Pick<Broadcast, "versions">,
  course: Pick<Course, "languages">,
  learnerLang: string,
): { lang: Locale; version: BroadcastVersion } | null {
  const order = [learnerLang, ...course.languages.filter(isLocale), ...Object.keys(b.versions)];
  for (const l of order) {
    const v = b.versions[l];
    if (v && isLocale(l)) return { lang: l, version: v };
  }
  return null;
}

/**
 * Queues a confirmed broadcast for every active learner of its course: one body per language
 * version, one lean row per learner (blocked learners get a row already "blocked", which the
 * author's report counts), in chunks that yield to the event loop. Idempotent: the progress job
 * calls it again for a broadcast whose queueing a restart interrupted (queuedAt still null).
 */
export async function queueBroadcast(db: Db, b: Broadcast, course: Course, now: number): Promise<number> {
  // The confirming update and the progress job may both get here: one fan-out per broadcast at a time.
  if (queueing.has(b.id)) return 0;
  queueing.add(b.id);
  try {
    return await queueBroadcastRows(db, b, course, now);
  } finally {
    queueing.delete(b.id);
  }
}

const queueing = new Set<number>();

async function queueBroadcastRows(db: Db, b: Broadcast, course: Course, now: number): Promise<number> {
  const batch = broadcastBatch(b.id);
  const body = (lang: Locale, version: BroadcastVersion) =>
    saveBody(db, `${batch}:${lang}`, { kind: "broadcast", batch, method: version.method, payload: version.payload }, now);
  const bodies: Record<string, number> = {};
  for (const lang of LOCALES) {
    const chosen = versionFor(b, course, lang);
    if (chosen) bodies[lang] = body(chosen.lang, chosen.version);
  }
  const fallback = versionFor(b, course, "");
  const added = await enqueueFanOut(
    db,
    {
      courseId: course.id,
      keyPrefix: `${batch}:`,
      bodies,
      fallbackBody: fallback ? body(fallback.lang, fallback.version) : null,
      includeBlocked: true,
      expiresAt: (b.confirmedAt ?? now) + DEFAULT_EXPIRY_MS,
    },
    now,
  );
  db.update(broadcasts)
    .set({ queuedAt: now })
    .where(and(eq(broadcasts.id, b.id), isNull(broadcasts.queuedAt)))
    .run();
  return added;
}
