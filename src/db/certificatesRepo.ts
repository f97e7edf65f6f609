/**
 * Certificates and the name printed on them (issue 10 item 2). Eligibility is found with SQL over
 * learner-id ranges (the module scores of analysisRepo's MODULE_SCORES, the same rule as
 * quizRepo's courseProgressFor), so a course of 100,000 learners costs a few queries per range.
 */
import { randomBytes } from "node:crypto";
import { codeFromBytes, CODE_LENGTH } from "../domain/certificate.js";
import type { Locale } from "../domain/locale.js";
import { RULES } from "../domain/rules.js";
import { MODULE_SCORES, type LearnerRange } from "./analysisRepo.js";
import { statement, type Db } from "./client.js";
import type { CertificateNameState } from "./schema/index.js";

export interface CertificateRow {
  id: number;
  code: string;
  learnerId: number;
  courseId: string;
  fullName: string | null;
  score: number;
  hours: number | null;
  issuedAt: number;
  sentAt: number | null;
  fileId: string | null;
  fileLang: Locale | null;
  sendFailures: number;
  revokedAt: number | null;
  revokedBy: number | null;
}

const COLUMNS = `id, code, learner_id AS learnerId, course_id AS courseId, full_name AS fullName, score, hours,
  issued_at AS issuedAt, sent_at AS sentAt, file_id AS fileId, file_lang AS fileLang, send_failures AS sendFailures,
  revoked_at AS revokedAt, revoked_by AS revokedBy`;

/** A failed send is tried on later ticks until this many failures; a learner who blocked the bot stops it at once. */
export const MAX_SEND_FAILURES = 5;

/** The learner's live (not revoked) certificate of a course: what /progress and the gradebook show. */
export function certificateFor(db: Db, learnerId: number, courseId: string): CertificateRow | undefined {
  return statement<[number, string], CertificateRow>(
    db,
    `SELECT ${COLUMNS} FROM certificates WHERE learner_id = ? AND course_id = ? AND revoked_at IS NULL`,
  ).get(learnerId, courseId);
}

export function certificateByCode(db: Db, code: string): CertificateRow | undefined {
  return statement<[string], CertificateRow>(db, `SELECT ${COLUMNS} FROM certificates WHERE code = ?`).get(code);
}

export function certificateById(db: Db, id: number): CertificateRow | undefined {
  return statement<[number], CertificateRow>(db, `SELECT ${COLUMNS} FROM certificates WHERE id = ?`).get(id);
}

/** The learner's live certificates, oldest first. */
export function learnerCertificates(db: Db, learnerId: number): CertificateRow[] {
  return statement<[number], CertificateRow>(
    db,
    `SELECT ${COLUMNS} FROM certificates WHERE learner_id = ? AND revoked_at IS NULL ORDER BY issued_at, id`,
  ).all(learnerId);
}

/** Every certificate of a course, revoked ones included, in issue order (streamed: a course may have many). */
export function courseCertificates(db: Db, courseId: string): IterableIterator<CertificateRow> {
  return statement<[string], CertificateRow>(db, `SELECT ${COLUMNS} FROM certificates WHERE course_id = ? ORDER BY issued_at, id`).iterate(
    courseId,
  );
}

export function certificateCounts(db: Db, courseId: string): { live: number; revoked: number } {
  return statement<[string], { live: number; revoked: number }>(
    db,
    `SELECT COALESCE(SUM(revoked_at IS NULL), 0) AS live, COALESCE(SUM(revoked_at IS NOT NULL), 0) AS revoked FROM certificates WHERE course_id = ?`,
  ).get(courseId)!;
}

export interface IssueInput {
  learnerId: number;
  courseId: string;
  score: number;
  hours: number | null;
  now: number;
}

/**
 * Inserts a certificate unless the learner already holds a live one for the course (the partial
 * unique index decides, so two concurrent callers cannot both insert). The name is taken from the
 * learner's confirmed name, if any. Returns the new row, or undefined when nothing was inserted.
 */
export function insertCertificate(db: Db, c: IssueInput): CertificateRow | undefined {
  for (let tries = 0; tries < 3; tries++) {
    const code = codeFromBytes(randomBytes(CODE_LENGTH));
    const row = statement<[string, number, string, number, number, number | null, number], CertificateRow>(
      db,
      `INSERT INTO certificates (code, learner_id, course_id, full_name, score, hours, issued_at)
       SELECT ?, ?, ?, (SELECT name FROM certificate_names WHERE learner_id = ? AND state = 'confirmed'), ?, ?, ?
       ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
    ).get(code, c.learnerId, c.courseId, c.learnerId, c.score, c.hours, c.now);
    if (row) return row;
    if (certificateFor(db, c.learnerId, c.courseId)) return undefined;
    // Otherwise the random code collided with an existing one (1 in 2^59): draw again.
  }
  throw new Error("insertCertificate: could not draw a free code");
}

/**
 * Learners of one id range who are due a certificate: actively enrolled, course progress at the
 * certificate threshold, and never certified in this course (a revoked certificate is re-issued
 * only by an author, not by the job).
 */
export function eligibleLearners(
  db: Db,
  courseId: string,
  quizIds: readonly number[],
  range: LearnerRange,
): { learnerId: number; percent: number }[] {
  if (quizIds.length === 0) return [];
  return statement<Record<string, unknown>, { learnerId: number; percent: number }>(
    db,
    `WITH ${MODULE_SCORES},
     prog AS (
       SELECT learner_id, CAST(SUM(score) / @nq * 10 + 1e-6 AS INTEGER) / 10.0 AS p FROM ms GROUP BY learner_id)
     SELECT prog.learner_id AS learnerId, prog.p AS percent FROM prog
     JOIN enrollments e ON e.learner_id = prog.learner_id AND e.course_id = @courseId AND e.status = 'active'
     WHERE prog.p >= @threshold
       AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.learner_id = prog.learner_id AND c.course_id = @courseId)
     ORDER BY prog.learner_id`,
  ).all({
    courseId,
    quizIds: JSON.stringify(quizIds),
    from: range.from,
    to: range.to,
    nq: quizIds.length,
    threshold: RULES.progress.certificate,
  });
}

/** Whether the learner ever held a certificate of the course (revoked ones count: no automatic re-issue). */
export function everCertified(db: Db, learnerId: number, courseId: string): boolean {
  return (
    statement<[number, string]>(db, "SELECT 1 FROM certificates WHERE learner_id = ? AND course_id = ? LIMIT 1").get(
      learnerId,
      courseId,
    ) !== undefined
  );
}

/**
 * Changes when anything that decides eligibility changes (finished attempts, enrollments,
 * certificates): the job skips a course whose fingerprint it has already processed.
 */
export function eligibilityFingerprint(db: Db, courseId: string): string {
  const row = statement<[string, string, string], { a: string; e: string; c: string }>(
    db,
    `SELECT
       (SELECT COUNT(*) || '/' || COALESCE(MAX(a.finished_at), 0) FROM quiz_attempts a JOIN quizzes q ON q.id = a.quiz_id
          WHERE q.course_id = ? AND a.finished_at IS NOT NULL) AS a,
       (SELECT COUNT(*) || '/' || COALESCE(SUM(status = 'active'), 0) || '/' || COALESCE(MAX(enrolled_at), 0) FROM enrollments WHERE course_id = ?) AS e,
       (SELECT COUNT(*) || '/' || COALESCE(MAX(revoked_at), 0) FROM certificates WHERE course_id = ?) AS c`,
  ).get(courseId, courseId, courseId)!;
  return `${row.a}|${row.e}|${row.c}`;
}

/**
 * Live, unsent rows that delivery can act on now: named ones, and unnamed ones whose learner has a
 * confirmed name or has not been asked yet. Rows waiting for the learner's answer are left out,
 * so they never fill a batch and hold up everyone else.
 */
const DELIVERABLE = `c.sent_at IS NULL AND c.revoked_at IS NULL AND c.send_failures < ?
  AND (c.full_name IS NOT NULL OR NOT EXISTS (SELECT 1 FROM certificate_names n WHERE n.learner_id = c.learner_id AND n.state <> 'confirmed'))`;

/** Certificates issued but not yet delivered (a crash between insert and send leaves them here). */
export function unsentCertificates(db: Db, limit: number, learnerId?: number): CertificateRow[] {
  if (learnerId !== undefined) {
    return statement<[number, number, number], CertificateRow>(
      db,
      `SELECT ${COLUMNS} FROM certificates c WHERE ${DELIVERABLE} AND learner_id = ? ORDER BY id LIMIT ?`,
    ).all(MAX_SEND_FAILURES, learnerId, limit);
  }
  return statement<[number, number], CertificateRow>(
    db,
    `SELECT ${COLUMNS} FROM certificates c WHERE ${DELIVERABLE} ORDER BY id LIMIT ?`,
  ).all(MAX_SEND_FAILURES, limit);
}

export function markCertificateSent(db: Db, id: number, fileId: string | null, lang: Locale, now: number): void {
  statement<[number, string | null, string, number]>(
    db,
    "UPDATE certificates SET sent_at = COALESCE(sent_at, ?), file_id = ?, file_lang = ? WHERE id = ?",
  ).run(now, fileId, lang, id);
}

/** A document sent again by /certificates: remember its file_id for the next time. */
export function rememberCertificateFile(db: Db, id: number, fileId: string, lang: Locale): void {
  statement<[string, string, number]>(db, "UPDATE certificates SET file_id = ?, file_lang = ? WHERE id = ?").run(fileId, lang, id);
}

export function markCertificateSendFailed(db: Db, id: number, fatal: boolean): void {
  if (fatal) statement<[number, number]>(db, "UPDATE certificates SET send_failures = ? WHERE id = ?").run(MAX_SEND_FAILURES, id);
  else statement<[number]>(db, "UPDATE certificates SET send_failures = send_failures + 1 WHERE id = ?").run(id);
}

/** Revokes a live certificate; false when it was revoked already (a double tap). */
export function revokeCertificate(db: Db, id: number, by: number, now: number): boolean {
  return (
    statement<[number, number, number]>(
      db,
      "UPDATE certificates SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL",
    ).run(now, by, id).changes > 0
  );
}

// --- The name on the certificates -------------------------------------------------------------

export interface NameRecord {
  state: CertificateNameState;
  draft: string | null;
  name: string | null;
}

export function certificateName(db: Db, learnerId: number): NameRecord | undefined {
  return statement<[number], NameRecord>(db, "SELECT state, draft, name FROM certificate_names WHERE learner_id = ?").get(learnerId);
}

/** Starts (or restarts) asking for the name; a confirmed name stays until a new one is confirmed. */
export function startAskingName(db: Db, learnerId: number, now: number): void {
  statement<[number, number]>(
    db,
    `INSERT INTO certificate_names (learner_id, state, updated_at) VALUES (?, 'asking', ?)
     ON CONFLICT (learner_id) DO UPDATE SET state = 'asking', draft = NULL, updated_at = excluded.updated_at`,
  ).run(learnerId, now);
}

export function setNameDraft(db: Db, learnerId: number, draft: string, now: number): void {
  statement<[string, number, number]>(
    db,
    "UPDATE certificate_names SET state = 'confirming', draft = ?, updated_at = ? WHERE learner_id = ?",
  ).run(draft, now, learnerId);
}

/**
 * Confirms the draft: it becomes the name, and every live certificate still waiting for a name
 * gets it. Returns the name, or null when there was no draft (an old "Yes" button pressed twice).
 */
export function confirmNameDraft(db: Db, learnerId: number, now: number): string | null {
  return db.$client.transaction(() => {
    const rec = certificateName(db, learnerId);
    if (rec?.state !== "confirming" || !rec.draft) return null;
    statement<[number, number]>(
      db,
      "UPDATE certificate_names SET state = 'confirmed', name = draft, draft = NULL, updated_at = ? WHERE learner_id = ?",
    ).run(now, learnerId);
    statement<[string, number]>(
      db,
      "UPDATE certificates SET full_name = ? WHERE learner_id = ? AND revoked_at IS NULL AND sent_at IS NULL",
    ).run(rec.draft, learnerId);
    return rec.draft;
  })();
}

/** Fills in the confirmed name on a certificate issued before the name was known. */
export function fillCertificateName(db: Db, id: number, name: string): void {
  statement<[string, number]>(db, "UPDATE certificates SET full_name = ? WHERE id = ? AND full_name IS NULL").run(name, id);
}
