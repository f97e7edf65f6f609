/**
 * Issuing and delivering certificates (issue 10 item 2), shared by the certificates job, the quiz
 * hook (at_threshold courses) and the bot's /certificates and name confirmation.
 *
 * Issue first, send later: a row is inserted (idempotently) the moment a learner is due, then
 * delivery picks up every live row not yet sent. A crash between the two leaves an unsent row
 * that the next tick sends; a crash after Telegram accepted the document but before `sent_at`
 * was written sends it once more (at least once, never lost). The row itself is never doubled.
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { GrammyError, InputFile, type Api } from "grammy";
import { certificatePolicy } from "../courses/certificatePolicy.js";
import { learnerRanges } from "../db/analysisRepo.js";
import {
  certificateName,
  eligibleLearners,
  everCertified,
  fillCertificateName,
  insertCertificate,
  markCertificateSendFailed,
  markCertificateSent,
  rememberCertificateFile,
  startAskingName,
  type CertificateRow,
} from "../db/certificatesRepo.js";
import type { Db } from "../db/client.js";
import { getCourse } from "../db/coursesRepo.js";
import { getLearner } from "../db/learnersRepo.js";
import { courseQuizzes } from "../db/quizRepo.js";
import { courseProgressFor } from "../db/quizAttemptsRepo.js";
import type { Course } from "../db/schema/index.js";
import { formatCode } from "../domain/certificate.js";
import type { Locale } from "../domain/locale.js";
import { RULES } from "../domain/rules.js";
import { courseTitle } from "../messages/courseViews.js";
import { formatNumber } from "../messages/format.js";
import { escapeHtml, translator } from "../messages/i18n.js";

/** Whether certificates of this course may be issued at `now`: at once (at_threshold) or after the end. */
export function issuingOpen(course: Course, now: number): boolean {
  return certificatePolicy(course.content).issue === "at_threshold" ? now >= course.startAt : now >= course.endAt;
}

/**
 * Issues every certificate due in a course, range by range of learner ids (SQL finds who is
 * due; only they are touched), yielding to the event loop between ranges. Returns how many.
 */
export async function issueDueCertificates(db: Db, course: Course, now: number, chunkSize = 20_000): Promise<number> {
  if (!issuingOpen(course, now)) return 0;
  const quizIds = courseQuizzes(db, course.id).map((q) => q.quiz.id);
  if (quizIds.length === 0) return 0;
  const { hours } = certificatePolicy(course.content);
  let issued = 0;
  for (const range of learnerRanges(db, course.id, chunkSize)) {
    const due = eligibleLearners(db, course.id, quizIds, range);
    db.$client.transaction(() => {
      for (const d of due)
        if (insertCertificate(db, { learnerId: d.learnerId, courseId: course.id, score: d.percent, hours, now })) issued++;
    })();
    await yieldToLoop();
  }
  return issued;
}

/**
 * The on-threshold hook, after one learner's attempt finished: issues their certificate when the
 * course issues at once (or has ended) and they have just reached the threshold.
 */
export function issueIfDue(db: Db, learnerId: number, courseId: string, now: number): CertificateRow | undefined {
  const course = getCourse(db, courseId);
  if (!course || !issuingOpen(course, now) || everCertified(db, learnerId, courseId)) return undefined;
  const progress = courseProgressFor(db, learnerId, courseId, now);
  if (!progress || progress.modules.length === 0 || progress.percent < RULES.progress.certificate) return undefined;
  const { hours } = certificatePolicy(course.content);
  return insertCertificate(db, { learnerId, courseId, score: progress.percent, hours, now });
}

/**
 * An author's explicit re-issue after a revoke: a new certificate with the learner's current
 * progress (at least the revoked one's score is not assumed). The learner confirms their name again,
 * since a wrong name is the usual reason to revoke.
 */
export function reissueCertificate(db: Db, revoked: CertificateRow, now: number): CertificateRow | undefined {
  const course = getCourse(db, revoked.courseId);
  if (!course) return undefined;
  const progress = courseProgressFor(db, revoked.learnerId, revoked.courseId, now);
  const score = progress && progress.modules.length > 0 ? progress.percent : revoked.score;
  startAskingName(db, revoked.learnerId, now);
  // No confirmed name now, so the new row waits for the learner's "Yes".
  return insertCertificate(db, {
    learnerId: revoked.learnerId,
    courseId: revoked.courseId,
    score,
    hours: certificatePolicy(course.content).hours,
    now,
  });
}

export async function certificatePdf(db: Db, cert: CertificateRow, lang: Locale, botUsername: string): Promise<Uint8Array> {
  const course = getCourse(db, cert.courseId);
  // Loaded on the first certificate, not at start-up: pdf-lib, fontkit and qrcode take a while to load.
  const { renderCertificatePdf } = await import("../messages/certificatePdf.js");
  return renderCertificatePdf({
    lang,
    fullName: cert.fullName ?? "",
    courseTitle: course ? courseTitle(course, lang) : cert.courseId,
    hours: cert.hours,
    score: cert.score,
    issuedAt: cert.issuedAt,
    timezone: course?.timezone ?? "Asia/Almaty",
    code: cert.code,
    botUsername,
  });
}

export function certificateCaption(db: Db, cert: CertificateRow, lang: Locale): string {
  const course = getCourse(db, cert.courseId);
  const title = course ? courseTitle(course, lang) : cert.courseId;
  return translator(lang)("certificates.caption", { title: escapeHtml(title), code: formatCode(cert.code) });
}

/** Sends one certificate's PDF (the stored file_id when it was written in this language) and remembers the file. */
export async function sendCertificateDocument(
  api: Api,
  db: Db,
  cert: CertificateRow,
  lang: Locale,
  botUsername: string,
): Promise<string | null> {
  const caption = certificateCaption(db, cert, lang);
  const document =
    cert.fileId && cert.fileLang === lang
      ? cert.fileId
      : new InputFile(await certificatePdf(db, cert, lang, botUsername), `certificate-${cert.code}.pdf`);
  const sent = await api.sendDocument(cert.learnerId, document, { caption, parse_mode: "HTML" });
  const fileId = sent.document.file_id;
  if (fileId && fileId !== cert.fileId) rememberCertificateFile(db, cert.id, fileId, lang);
  return fileId;
}

/** Certificates being sent right now in this process: the job and a learner's "Yes" never send one twice at once. */
const sending = new Set<number>();

export interface DeliveryFigures {
  sent: number;
  askedName: number;
  failed: number;
}

/**
 * Delivers issued certificates: one still missing its name gets the learner's confirmed name, or
 * makes the bot ask for it (once: the asking state is stored); one with a name is rendered in the
 * learner's language and sent.
 */
export async function deliverCertificates(
  api: Api,
  db: Db,
  rows: readonly CertificateRow[],
  botUsername: string,
  now: number,
  options: { budgetMs?: number } = {},
): Promise<DeliveryFigures> {
  const figures: DeliveryFigures = { sent: 0, askedName: 0, failed: 0 };
  const started = performance.now();
  for (const row of rows) {
    // Measures work, not time of day: the rest waits for the next tick.
    if (options.budgetMs !== undefined && performance.now() - started > options.budgetMs) break;
    if (sending.has(row.id)) continue;
    sending.add(row.id);
    try {
      const learner = getLearner(db, row.learnerId);
      if (!learner) continue;
      const lang = learner.language;
      const t = translator(lang);
      let cert = row;
      if (cert.fullName === null) {
        const name = certificateName(db, cert.learnerId);
        if (name?.state === "confirmed" && name.name) {
          fillCertificateName(db, cert.id, name.name);
          cert = { ...cert, fullName: name.name };
        } else if (!name) {
          const course = getCourse(db, cert.courseId);
          const title = escapeHtml(course ? courseTitle(course, lang) : cert.courseId);
          // State first: a crash after the send must not ask twice; a lost ask is repeated by /certificates.
          startAskingName(db, cert.learnerId, now);
          await api.sendMessage(
            cert.learnerId,
            `${t("certificates.earned", { title, percent: formatNumber(cert.score, lang) })}\n\n${t("certificates.ask_name")}`,
            { parse_mode: "HTML" },
          );
          figures.askedName++;
          continue;
        } else continue;
      }
      const fileId = await sendCertificateDocument(api, db, cert, lang, botUsername);
      markCertificateSent(db, cert.id, fileId, lang, now);
      figures.sent++;
    } catch (err) {
      figures.failed++;
      const blocked = err instanceof GrammyError && (err.error_code === 403 || /chat not found/i.test(err.description));
      markCertificateSendFailed(db, row.id, blocked);
    } finally {
      sending.delete(row.id);
    }
  }
  return figures;
}
