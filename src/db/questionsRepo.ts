import { and, asc, desc, eq, gt, inArray, isNull, lt, max, sql } from "drizzle-orm";
import { statement, type Db } from "./client.js";
import { getCourse } from "./coursesRepo.js";
import {
  askDrafts,
  courses,
  learners,
  questionMessages,
  questions,
  type AskDraft,
  type Course,
  type Learner,
  type Question,
  type QuestionMedia,
  type QuestionSide,
} from "./schema/index.js";

// ---- the learner's unfinished /ask flow ----

export function getDraft(db: Db, learnerId: number): AskDraft | undefined {
  return db.select().from(askDrafts).where(eq(askDrafts.learnerId, learnerId)).get();
}

export function saveDraft(db: Db, draft: AskDraft): void {
  const { learnerId, ...rest } = draft;
  db.insert(askDrafts).values(draft).onConflictDoUpdate({ target: askDrafts.learnerId, set: rest }).run();
}

export function deleteDraft(db: Db, learnerId: number): boolean {
  // Prepared once: starting a quiz or a questionnaire drops the learner's /ask draft, if any.
  return statement<[number]>(db, "DELETE FROM ask_drafts WHERE learner_id = ?").run(learnerId).changes > 0;
}

// ---- limits ----

export function openQuestionCount(db: Db, learnerId: number): number {
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(questions)
    .where(and(eq(questions.learnerId, learnerId), eq(questions.state, "open")))
    .get();
  return row?.n ?? 0;
}

/** When the learner last wrote to the assistants (a question or a follow-up), if ever. */
export function lastLearnerMessageAt(db: Db, learnerId: number): number | null {
  const row = db
    .select({ at: max(questions.lastLearnerMessageAt) })
    .from(questions)
    .where(eq(questions.learnerId, learnerId))
    .get();
  return row?.at ?? null;
}

// ---- questions ----

export interface NewQuestion {
  learnerId: number;
  courseId: string;
  modulePosition: number | null;
  text: string;
  mediaKind: QuestionMedia | null;
  mediaFileId: string | null;
  mediaGroupId: string | null;
  learnerMessageId: number;
}

export function createQuestion(db: Db, q: NewQuestion, now: number): Question {
  // In a transaction: outside one, RETURNING hands back the row even when the commit fails (full disk).
  return db.transaction((tx) =>
    tx
      .insert(questions)
      // The intent to post is recorded with the question, before anything is sent.
      .values({ ...q, createdAt: now, lastLearnerMessageAt: now, postStartedAt: now })
      .returning()
      .get(),
  );
}

export function getQuestion(db: Db, id: number): Question | undefined {
  return db.select().from(questions).where(eq(questions.id, id)).get();
}

export function markPosted(db: Db, id: number, chatId: number, messageId: number): void {
  db.update(questions).set({ assistantChatId: chatId, assistantMessageId: messageId }).where(eq(questions.id, id)).run();
}

/** Records that the question is about to be posted (a copy may exist from now on until it is recorded). */
export function markPostIntent(db: Db, id: number, now: number): void {
  db.update(questions)
    .set({ postStartedAt: now })
    .where(and(eq(questions.id, id), isNull(questions.postStartedAt)))
    .run();
}

/** Telegram refused the post: no copy exists, the next attempt needs no warning about one. */
export function clearPostIntent(db: Db, id: number): void {
  db.update(questions)
    .set({ postStartedAt: null })
    .where(and(eq(questions.id, id), isNull(questions.assistantMessageId)))
    .run();
}

export function markLearnerNotified(db: Db, id: number, now: number): void {
  db.update(questions).set({ learnerNotifiedAt: now }).where(eq(questions.id, id)).run();
}

/** Questions whose learner was not known to be told their number, created in [since, before). */
export function unnotifiedQuestions(db: Db, since: number, before: number): Question[] {
  return db
    .select()
    .from(questions)
    .where(and(isNull(questions.learnerNotifiedAt), gt(questions.createdAt, since), lt(questions.createdAt, before)))
    .orderBy(asc(questions.id))
    .all();
}

/** Posted questions with a photo/document whose media message was never recorded (a crash in between). */
export function questionsMissingMedia(db: Db, since: number, before: number): Question[] {
  return db
    .select()
    .from(questions)
    .where(
      and(
        sql`${questions.mediaFileId} IS NOT NULL`,
        sql`${questions.assistantMessageId} IS NOT NULL`,
        gt(questions.createdAt, since),
        lt(questions.createdAt, before),
        sql`NOT EXISTS (SELECT 1 FROM question_messages m WHERE m.question_id = ${questions.id} AND m.kind = 'media' AND m.side = 'assistants')`,
      ),
    )
    .orderBy(asc(questions.id))
    .all();
}

/** Questions whose posting to the assistants failed (Telegram unreachable), oldest first. */
export function unpostedQuestions(db: Db, since: number): Question[] {
  return db
    .select()
    .from(questions)
    .where(and(isNull(questions.assistantMessageId), gt(questions.createdAt, since)))
    .orderBy(asc(questions.id))
    .all();
}

export function mapMessage(
  db: Db,
  m: { chatId: number; messageId: number; questionId: number; side: QuestionSide; kind: string },
  now: number,
): void {
  db.insert(questionMessages)
    .values({ ...m, createdAt: now })
    .onConflictDoNothing()
    .run();
}

/** The question a message belongs to, on the given side; undefined for unrelated messages. */
/** The question a learner's message created (looked up when the same message comes again). */
export function questionByLearnerMessage(db: Db, learnerId: number, messageId: number): Question | undefined {
  return db
    .select()
    .from(questions)
    .where(and(eq(questions.learnerId, learnerId), eq(questions.learnerMessageId, messageId)))
    .get();
}

export function questionByMessage(db: Db, chatId: number, messageId: number, side: QuestionSide): Question | undefined {
  const row = db
    .select({ q: questions })
    .from(questionMessages)
    .innerJoin(questions, eq(questions.id, questionMessages.questionId))
    .where(and(eq(questionMessages.chatId, chatId), eq(questionMessages.messageId, messageId), eq(questionMessages.side, side)))
    .get();
  return row?.q;
}

export interface Responder {
  id: number;
  name: string;
}

export function recordAnswer(db: Db, id: number, by: Responder, now: number): void {
  db.update(questions)
    .set({
      state: "answered",
      answeredAt: now,
      answeredBy: by.id,
      answeredByName: by.name,
      closedWithoutReply: false,
      replyCount: sql`${questions.replyCount} + 1`,
    })
    .where(eq(questions.id, id))
    .run();
}

export function closeWithoutReply(db: Db, id: number, by: Responder, now: number): void {
  db.update(questions)
    .set({ state: "answered", answeredAt: now, answeredBy: by.id, answeredByName: by.name, closedWithoutReply: true })
    .where(eq(questions.id, id))
    .run();
}

export function reopenQuestion(db: Db, id: number): void {
  db.update(questions).set({ state: "open", closedWithoutReply: false }).where(eq(questions.id, id)).run();
}

export function setForInstructor(db: Db, id: number, value: boolean): void {
  db.update(questions).set({ forInstructor: value }).where(eq(questions.id, id)).run();
}

/** A follow-up from the learner: the question waits for an answer again. */
export function recordFollowUp(db: Db, id: number, now: number, mediaGroupId: string | null): void {
  db.update(questions).set({ state: "open", lastLearnerMessageAt: now, mediaGroupId }).where(eq(questions.id, id)).run();
}

/** The learner's question whose last message belonged to this album, if any. */
export function questionByMediaGroup(db: Db, learnerId: number, mediaGroupId: string): Question | undefined {
  return db
    .select()
    .from(questions)
    .where(and(eq(questions.learnerId, learnerId), eq(questions.mediaGroupId, mediaGroupId)))
    .orderBy(desc(questions.id))
    .get();
}

export function learnerQuestions(db: Db, learnerId: number, limit: number): { question: Question; course: Course }[] {
  return db
    .select({ question: questions, course: courses })
    .from(questions)
    .innerJoin(courses, eq(courses.id, questions.courseId))
    .where(eq(questions.learnerId, learnerId))
    .orderBy(desc(questions.id))
    .limit(limit)
    .all();
}

export interface QuestionRow {
  question: Question;
  course: Course;
  learner: Learner;
}

/**
 * Questions with their course and learner, for the lists and the export. The course is looked up
 * once per course, not joined per row: a course row carries its whole content as JSON, and
 * parsing it for each of 2,000 open questions held the event loop for seconds (the digest).
 */
function withCourses(db: Db, rows: { question: Question; learner: Learner }[]): QuestionRow[] {
  const byId = new Map<string, Course | undefined>();
  const out: QuestionRow[] = [];
  for (const r of rows) {
    let course = byId.get(r.question.courseId);
    if (!byId.has(r.question.courseId)) byId.set(r.question.courseId, (course = getCourse(db, r.question.courseId)));
    // The inner join this replaces dropped questions of a course that is gone.
    if (course) out.push({ question: r.question, course, learner: r.learner });
  }
  return out;
}

function questionRows(db: Db) {
  return db.select({ question: questions, learner: learners }).from(questions).innerJoin(learners, eq(learners.id, questions.learnerId));
}

export interface OpenQuestionList {
  /** The oldest waiting questions, at most the limit asked for. */
  waiting: QuestionRow[];
  /** The oldest ones passed to the instructor, at most the limit. */
  instructor: QuestionRow[];
  waitingTotal: number;
  instructorTotal: number;
}

/**
 * The open questions of these courses asked before `before`: the oldest `limit` of each kind and
 * how many there are in all. A backlog of thousands (100,000 learners) stays a list of a few
 * messages and a few indexed queries; the full list is the CSV export.
 */
export function openQuestionList(db: Db, courseIds: readonly string[], before: number, limit: number): OpenQuestionList {
  const list: OpenQuestionList = { waiting: [], instructor: [], waitingTotal: 0, instructorTotal: 0 };
  if (courseIds.length === 0) return list;
  const open = and(eq(questions.state, "open"), lt(questions.createdAt, before), inArray(questions.courseId, [...courseIds]));
  const totals = db
    .select({ forInstructor: questions.forInstructor, n: sql<number>`count(*)` })
    .from(questions)
    .where(open)
    .groupBy(questions.forInstructor)
    .all();
  for (const row of totals) {
    if (row.forInstructor) list.instructorTotal = row.n;
    else list.waitingTotal = row.n;
  }
  const oldest = (forInstructor: boolean) =>
    withCourses(
      db,
      questionRows(db)
        .where(and(open, eq(questions.forInstructor, forInstructor)))
        .orderBy(asc(questions.createdAt), asc(questions.id))
        .limit(limit)
        .all(),
    );
  if (list.waitingTotal > 0) list.waiting = oldest(false);
  if (list.instructorTotal > 0) list.instructor = oldest(true);
  return list;
}

/**
 * Up to `limit` questions with ids above `afterId`, in id order, with their learner: the CSV
 * export pages through them (and looks each course up once, not once per row). With `courseIds`,
 * only those courses' questions (an assistants' chat exports the courses it serves).
 */
export function questionsPage(
  db: Db,
  afterId: number,
  limit: number,
  courseIds?: readonly string[],
): { question: Question; learner: Learner }[] {
  return db
    .select({ question: questions, learner: learners })
    .from(questions)
    .innerJoin(learners, eq(learners.id, questions.learnerId))
    .where(and(gt(questions.id, afterId), courseIds ? inArray(questions.courseId, [...courseIds]) : undefined))
    .orderBy(asc(questions.id))
    .limit(limit)
    .all();
}

/** Every question, oldest first, for the CSV export. */
export function allQuestions(db: Db): QuestionRow[] {
  return withCourses(db, questionRows(db).orderBy(asc(questions.id)).all());
}

/**
 * Questions of these courses never posted, whatever their age, oldest first: they waited for the
 * course's assistants' chat (the bot was removed from it) and go out when a chat is linked again.
 */
export function waitingQuestionsOf(db: Db, courseIds: readonly string[]): Question[] {
  if (courseIds.length === 0) return [];
  return db
    .select()
    .from(questions)
    .where(and(isNull(questions.assistantMessageId), inArray(questions.courseId, [...courseIds])))
    .orderBy(asc(questions.id))
    .all();
}
