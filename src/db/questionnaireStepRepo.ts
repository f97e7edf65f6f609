/**
 * The hot path of answering a questionnaire: a response's step (position, answers, questions) and
 * each change to it, checked and written in one transaction. The database is the only state: a
 * button names the response and the position it answers, a typed answer goes to the stored
 * position, and only once its question was shown (shown_position).
 */
import type { Translated } from "../domain/course.js";
import {
  isQuestionnaireOpen,
  isValidAnswer,
  questionnaireWindow,
  type AnswerValue,
  type Question,
  type QuestionnaireKind,
} from "../domain/questionnaire.js";
import { prepared, transaction, type Db } from "./client.js";

/** A response with everything its steps need (no course content). */
export interface ResponseState {
  id: number;
  learnerId: number;
  courseId: string;
  kind: QuestionnaireKind;
  /** Clamped to the questions: questions.length is the summary. */
  position: number;
  shownPosition: number | null;
  submittedAt: number | null;
  questions: Question[];
  /** Answers that still fit the questions as the course file defines them now. */
  answers: Record<string, AnswerValue>;
  title: Translated;
  languages: string[];
  timezone: string;
  startAt: number;
  endAt: number;
}

interface Row {
  id: number;
  learnerId: number;
  courseId: string;
  kind: QuestionnaireKind;
  position: number;
  shownPosition: number | null;
  submittedAt: number | null;
  questions: string | null;
  title: string;
  languages: string;
  timezone: string;
  startAt: number;
  endAt: number;
}

const responseStmt = prepared<[number], Row>(
  `SELECT r.id, r.learner_id AS learnerId, r.course_id AS courseId, r.kind, r.position, r.shown_position AS shownPosition,
              r.submitted_at AS submittedAt, q.questions,
              c.title, c.languages, c.timezone, c.start_at AS startAt, c.end_at AS endAt
         FROM questionnaire_responses r
         JOIN courses c ON c.id = r.course_id
         LEFT JOIN questionnaires q ON q.course_id = r.course_id AND q.kind = r.kind
        WHERE r.id = ?`,
);
const answersStmt = prepared<[number], { questionId: string; value: string | null }>(
  "SELECT question_id AS questionId, value FROM questionnaire_answers WHERE response_id = ?",
);
const messageUsedStmt = prepared<[number, number], { one: number }>(
  "SELECT 1 AS one FROM questionnaire_answers WHERE response_id = ? AND message_id = ?",
);
const saveStmt = prepared<[number, string, string | null, number, number | null]>(
  `INSERT INTO questionnaire_answers (response_id, question_id, value, answered_at, message_id) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (response_id, question_id) DO UPDATE SET value = excluded.value, answered_at = excluded.answered_at,
       message_id = excluded.message_id`,
);
const moveStmt = prepared<[number, number, number]>(
  "UPDATE questionnaire_responses SET position = ?, updated_at = ? WHERE id = ? AND submitted_at IS NULL",
);
const submitStmt = prepared<[number, number, number]>(
  "UPDATE questionnaire_responses SET submitted_at = ?, updated_at = ? WHERE id = ? AND submitted_at IS NULL",
);
const shownStmt = prepared<[number, number, number]>(
  "UPDATE questionnaire_responses SET shown_position = ? WHERE id = ? AND shown_position IS NOT ?",
);

/** Parsed question lists per course and kind, parsed again only when the stored JSON changes. */
const questionsCache = new Map<string, { json: string; questions: Question[] }>();

function parsedQuestions(row: Row): Question[] {
  if (row.questions === null) return [];
  const key = `${row.courseId}:${row.kind}`;
  const hit = questionsCache.get(key);
  if (hit?.json === row.questions) return hit.questions;
  const questions = JSON.parse(row.questions) as Question[];
  if (questionsCache.size > 1000) questionsCache.clear();
  questionsCache.set(key, { json: row.questions, questions });
  return questions;
}

export function responseState(db: Db, responseId: number): ResponseState | undefined {
  const row = responseStmt(db).get(responseId);
  if (!row) return undefined;
  const questions = parsedQuestions(row);
  const stored = new Map(
    answersStmt(db)
      .all(responseId)
      .map((a) => [a.questionId, a.value === null ? null : (JSON.parse(a.value) as AnswerValue)]),
  );
  const answers: Record<string, AnswerValue> = {};
  for (const q of questions) {
    const v = stored.get(q.id);
    if (v !== undefined && isValidAnswer(q, v)) answers[q.id] = v;
  }
  return {
    id: row.id,
    learnerId: row.learnerId,
    courseId: row.courseId,
    kind: row.kind,
    position: Math.min(row.position, questions.length),
    shownPosition: row.shownPosition,
    submittedAt: row.submittedAt,
    questions,
    answers,
    title: JSON.parse(row.title) as Translated,
    languages: JSON.parse(row.languages) as string[],
    timezone: row.timezone,
    startAt: row.startAt,
    endAt: row.endAt,
  };
}

/** When the questionnaire of this response closes (the instant after its last moment). */
export function responseClosesAt(r: ResponseState): number {
  return questionnaireWindow(r.kind, r).closesAt;
}

/** Why a change to a response was refused (nothing was written). */
export type Refusal =
  /** No such response, or another learner's. */
  | "forged"
  | "submitted"
  /** The questionnaire is closed (or not open): answers and submissions are refused. */
  | "closed"
  /** The button belongs to another position than the one the learner is on. */
  | "moved"
  /** This text message already answered (a redelivered update). */
  | "duplicate"
  /** A typed answer while the current question has not been shown yet (after a crash). */
  | "not_shown";

export type Change = { kind: "answer"; value: AnswerValue; messageId: number | null } | { kind: "move"; to: number } | { kind: "submit" };

export type ChangeOutcome =
  | { ok: true; state: ResponseState }
  | { ok: false; refusal: Refusal; state: ResponseState | undefined }
  /** Submit with a required question unanswered: the learner is moved there. */
  | { ok: false; refusal: "missing"; state: ResponseState; missing: number };

/**
 * Applies one change to the response at `position`, in one transaction, after checking it is the
 * learner's, not submitted, the questionnaire still open, and the learner still at that position.
 * An answer moves the learner to the next position.
 */
export function changeResponse(
  db: Db,
  input: { responseId: number; learnerId: number; position: number; change: Change; now: number },
): ChangeOutcome {
  return transaction(
    db,
    (): ChangeOutcome => {
      const r = responseState(db, input.responseId);
      if (!r || r.learnerId !== input.learnerId) return { ok: false, refusal: "forged", state: undefined };
      if (r.submittedAt !== null) return { ok: false, refusal: "submitted", state: r };
      if (!isQuestionnaireOpen(r.kind, r, input.now)) return { ok: false, refusal: "closed", state: r };
      const change = input.change;
      if (change.kind === "answer" && change.messageId !== null && messageUsedStmt(db).get(r.id, change.messageId)) {
        return { ok: false, refusal: "duplicate", state: r };
      }
      if (r.position !== input.position) return { ok: false, refusal: "moved", state: r };
      if (change.kind === "answer") {
        const q = r.questions[r.position];
        if (!q) return { ok: false, refusal: "moved", state: r };
        if (change.messageId !== null && r.shownPosition !== r.position) return { ok: false, refusal: "not_shown", state: r };
        saveStmt(db).run(r.id, q.id, change.value === null ? null : JSON.stringify(change.value), input.now, change.messageId);
        moveStmt(db).run(r.position + 1, input.now, r.id);
      } else if (change.kind === "move") {
        moveStmt(db).run(Math.max(0, Math.min(change.to, r.questions.length)), input.now, r.id);
      } else {
        const missing = r.questions.findIndex((q) => q.required && (r.answers[q.id] === undefined || r.answers[q.id] === null));
        if (missing >= 0) {
          moveStmt(db).run(missing, input.now, r.id);
          return { ok: false, refusal: "missing", state: responseState(db, r.id)!, missing };
        }
        submitStmt(db).run(input.now, input.now, r.id);
      }
      return { ok: true, state: responseState(db, r.id)! };
    },
    "immediate",
  );
}

/** Records the position whose question (or summary) the learner was last sent; no write when unchanged. */
export function markSurveyShown(db: Db, responseId: number, position: number): void {
  shownStmt(db).run(position, responseId, position);
}
