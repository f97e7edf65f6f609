import { and, asc, eq, isNull, notInArray, sql, type SQL } from "drizzle-orm";
import type { AnswerValue, Question, QuestionnaireKind, Questionnaires } from "../domain/questionnaire.js";
import { QUESTIONNAIRE_KINDS } from "../domain/questionnaire.js";
import { statement, type Db } from "./client.js";
import { perCourseVersion } from "./coursesRepo.js";
import {
  courses,
  enrollments,
  learners,
  questionnaireAnswers,
  questionnaireResponses,
  questionnaires,
  type Course,
  type Learner,
  type QuestionnaireResponse,
} from "./schema/index.js";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Replaces a course's questionnaires (inside the course import's transaction). Answers stay. */
export function saveQuestionnaires(tx: Db | Tx, courseId: string, qs: Questionnaires, now: number): void {
  const kinds = QUESTIONNAIRE_KINDS.filter((k) => qs[k]);
  for (const kind of kinds) {
    const questions = qs[kind]!;
    tx.insert(questionnaires)
      .values({ courseId, kind, questions, updatedAt: now })
      .onConflictDoUpdate({ target: [questionnaires.courseId, questionnaires.kind], set: { questions, updatedAt: now } })
      .run();
  }
  tx.delete(questionnaires)
    .where(and(eq(questionnaires.courseId, courseId), kinds.length ? notInArray(questionnaires.kind, kinds) : undefined))
    .run();
}

export function getQuestions(db: Db, courseId: string, kind: QuestionnaireKind): Question[] | undefined {
  return db
    .select({ questions: questionnaires.questions })
    .from(questionnaires)
    .where(and(eq(questionnaires.courseId, courseId), eq(questionnaires.kind, kind)))
    .get()?.questions;
}

/**
 * How many questions a course's questionnaire has (undefined: it has none). For /mycourses and
 * the offer on enrollment, which need no more than that. Questionnaires are written only with the
 * course file (importCourse), so the count is kept per version of the course.
 */
export function questionCount(db: Db, course: Pick<Course, "id" | "sourceHash" | "loadedAt">, kind: QuestionnaireKind): number | undefined {
  return perCourseVersion(
    db,
    course,
    `questionnaire-size:${kind}`,
    () =>
      statement<[string, string], { n: number }>(
        db,
        "SELECT json_array_length(questions) AS n FROM questionnaires WHERE course_id = ? AND kind = ?",
      ).get(course.id, kind)?.n,
  );
}

export function courseQuestionnaires(db: Db, courseId: string): Questionnaires {
  const out: Questionnaires = {};
  for (const row of db.select().from(questionnaires).where(eq(questionnaires.courseId, courseId)).all()) {
    out[row.kind] = row.questions;
  }
  return out;
}

/** Every course that has at least one questionnaire, with the kinds it has. */
export function coursesWithQuestionnaires(db: Db): { course: Course; kind: QuestionnaireKind; questions: Question[] }[] {
  return db
    .select({ course: courses, kind: questionnaires.kind, questions: questionnaires.questions })
    .from(questionnaires)
    .innerJoin(courses, eq(courses.id, questionnaires.courseId))
    .all();
}

// Plain columns only: a prepared statement with these aliases gives the drizzle row shape as is.
const RESPONSE_COLUMNS =
  "id, course_id AS courseId, kind, learner_id AS learnerId, position, shown_position AS shownPosition, " +
  "started_at AS startedAt, updated_at AS updatedAt, submitted_at AS submittedAt";

export function getResponse(db: Db, learnerId: number, courseId: string, kind: QuestionnaireKind): QuestionnaireResponse | undefined {
  return statement<[number, string, string], QuestionnaireResponse>(
    db,
    `SELECT ${RESPONSE_COLUMNS} FROM questionnaire_responses WHERE learner_id = ? AND course_id = ? AND kind = ?`,
  ).get(learnerId, courseId, kind);
}

export function getResponseById(db: Db, id: number): QuestionnaireResponse | undefined {
  return statement<[number], QuestionnaireResponse>(db, `SELECT ${RESPONSE_COLUMNS} FROM questionnaire_responses WHERE id = ?`).get(id);
}

/** The learner's response, created on first opening (idempotent). */
export function startResponse(db: Db, learnerId: number, courseId: string, kind: QuestionnaireKind, now: number): QuestionnaireResponse {
  db.insert(questionnaireResponses)
    .values({ learnerId, courseId, kind, position: 0, startedAt: now, updatedAt: now })
    .onConflictDoNothing()
    .run();
  return getResponse(db, learnerId, courseId, kind)!;
}

export function answersOf(db: Db, responseId: number): Record<string, AnswerValue> {
  const rows = db
    .select({ questionId: questionnaireAnswers.questionId, value: questionnaireAnswers.value })
    .from(questionnaireAnswers)
    .where(eq(questionnaireAnswers.responseId, responseId))
    .all();
  return Object.fromEntries(rows.map((r) => [r.questionId, r.value]));
}

/**
 * Records one answer (or a skip, value null) and moves the learner on. A submitted response is
 * never changed: returns false then.
 */
export function saveAnswer(db: Db, responseId: number, questionId: string, value: AnswerValue, nextPosition: number, now: number): boolean {
  return db.transaction((tx) => {
    const r = tx.select().from(questionnaireResponses).where(eq(questionnaireResponses.id, responseId)).get();
    if (!r || r.submittedAt !== null) return false;
    tx.insert(questionnaireAnswers)
      .values({ responseId, questionId, value, answeredAt: now })
      .onConflictDoUpdate({
        target: [questionnaireAnswers.responseId, questionnaireAnswers.questionId],
        set: { value, answeredAt: now },
      })
      .run();
    tx.update(questionnaireResponses)
      .set({ position: nextPosition, updatedAt: now })
      .where(eq(questionnaireResponses.id, responseId))
      .run();
    return true;
  });
}

export function setPosition(db: Db, responseId: number, position: number, now: number): void {
  db.update(questionnaireResponses)
    .set({ position, updatedAt: now })
    .where(and(eq(questionnaireResponses.id, responseId), isNull(questionnaireResponses.submittedAt)))
    .run();
}

/** Submits once: a second submit (double tap, redelivered update) changes nothing. */
export function submitResponse(db: Db, responseId: number, now: number): "submitted" | "already" {
  const result = db
    .update(questionnaireResponses)
    .set({ submittedAt: now, updatedAt: now })
    .where(and(eq(questionnaireResponses.id, responseId), isNull(questionnaireResponses.submittedAt)))
    .run();
  return result.changes > 0 ? "submitted" : "already";
}

export interface ResponseWithAnswers {
  response: QuestionnaireResponse;
  learner: Learner;
  answers: Record<string, AnswerValue>;
}

/** All responses (started or submitted) to a course's questionnaire, oldest first, with answers. */
export function responsesFor(db: Db, courseId: string, kind: QuestionnaireKind): ResponseWithAnswers[] {
  const rows = db
    .select({ response: questionnaireResponses, learner: learners })
    .from(questionnaireResponses)
    .innerJoin(learners, eq(learners.id, questionnaireResponses.learnerId))
    .where(and(eq(questionnaireResponses.courseId, courseId), eq(questionnaireResponses.kind, kind)))
    .orderBy(asc(questionnaireResponses.id))
    .all();
  const answers = db
    .select({ responseId: questionnaireAnswers.responseId, questionId: questionnaireAnswers.questionId, value: questionnaireAnswers.value })
    .from(questionnaireAnswers)
    .innerJoin(questionnaireResponses, eq(questionnaireResponses.id, questionnaireAnswers.responseId))
    .where(and(eq(questionnaireResponses.courseId, courseId), eq(questionnaireResponses.kind, kind)))
    .all();
  const byResponse = new Map<number, Record<string, AnswerValue>>();
  for (const a of answers) {
    const m = byResponse.get(a.responseId) ?? {};
    m[a.questionId] = a.value;
    byResponse.set(a.responseId, m);
  }
  return rows.map((r) => ({ ...r, answers: byResponse.get(r.response.id) ?? {} }));
}

/** Learners with an active enrollment in the course. */
export function activeLearnerIds(db: Db, courseId: string): Set<number> {
  return new Set(
    db
      .select({ id: enrollments.learnerId })
      .from(enrollments)
      .where(and(eq(enrollments.courseId, courseId), eq(enrollments.status, "active")))
      .all()
      .map((r) => r.id),
  );
}

/**
 * Active, not blocked enrollments of a course that have no outbox row with `dedupePrefix + learnerId`
 * yet and have not submitted `kind`; optionally only those enrolled before `enrolledBefore`.
 */
export function learnersToMessage(
  db: Db,
  courseId: string,
  kind: QuestionnaireKind,
  dedupePrefix: string,
  enrolledBefore?: number,
): Learner[] {
  return db
    .select({ learner: learners })
    .from(enrollments)
    .innerJoin(learners, eq(learners.id, enrollments.learnerId))
    .where(
      and(
        eq(enrollments.courseId, courseId),
        eq(enrollments.status, "active"),
        isNull(learners.blockedAt),
        enrolledBefore === undefined ? undefined : sql`${enrollments.enrolledAt} < ${enrolledBefore}`,
        sql`NOT EXISTS (SELECT 1 FROM outbox_items o WHERE o.dedupe_key = ${dedupePrefix} || ${enrollments.learnerId})`,
        sql`NOT EXISTS (SELECT 1 FROM questionnaire_responses r WHERE r.learner_id = ${enrollments.learnerId}
              AND r.course_id = ${courseId} AND r.kind = ${kind} AND r.submitted_at IS NOT NULL)`,
      ),
    )
    .orderBy(asc(enrollments.id))
    .all()
    .map((r) => r.learner);
}

/** "Learner `l` has not submitted this questionnaire", as SQL for a set-based fan-out (db/outboxRepo.ts). */
export function notSubmitted(courseId: string, kind: QuestionnaireKind): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM questionnaire_responses r WHERE r.learner_id = l.id
    AND r.course_id = ${courseId} AND r.kind = ${kind} AND r.submitted_at IS NOT NULL)`;
}
