import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "./client.js";
import { questionThread, questions, type Question, type QuestionThreadEntry } from "./schema/index.js";

export type NewThreadEntry = Omit<QuestionThreadEntry, "id" | "createdAt">;

/** Records a reply or follow-up; the same source message twice (a redelivered update) is kept once. */
export function recordThreadEntry(db: Db, entry: NewThreadEntry, now: number): void {
  db.insert(questionThread)
    .values({ ...entry, createdAt: now })
    .onConflictDoNothing()
    .run();
}

/** The replies and follow-ups of these questions, each question's in the order they were written. */
export function threadsOf(db: Db, questionIds: readonly number[]): Map<number, QuestionThreadEntry[]> {
  const out = new Map<number, QuestionThreadEntry[]>();
  if (questionIds.length === 0) return out;
  const rows = db
    .select()
    .from(questionThread)
    .where(inArray(questionThread.questionId, [...questionIds]))
    .orderBy(asc(questionThread.questionId), asc(questionThread.id))
    .all();
  for (const r of rows) {
    const list = out.get(r.questionId) ?? [];
    list.push(r);
    out.set(r.questionId, list);
  }
  return out;
}

/** One entry with its question, only when the question is this learner's (a forged id reads nothing). */
export function learnersThreadEntry(
  db: Db,
  learnerId: number,
  entryId: number,
): { entry: QuestionThreadEntry; question: Question } | undefined {
  const row = db
    .select({ entry: questionThread, question: questions })
    .from(questionThread)
    .innerJoin(questions, eq(questions.id, questionThread.questionId))
    .where(and(eq(questionThread.id, entryId), eq(questions.learnerId, learnerId)))
    .get();
  return row ?? undefined;
}
