/**
 * Sends the analysis report to each author of a course on its own (issue 11, item 4):
 * - when the analysis window opens (the last module's window closed: course endAt);
 * - again when it closes (endAt + 14 days), only if the data changed since the first one.
 * Each (course, author, phase) is recorded in analysis_reports BEFORE sending, so a restart
 * never sends it twice; a send that a crash interrupted is marked "uncertain" and not repeated
 * (the author can always ask with /report). Failed sends are retried on later ticks, a few times.
 *
 * Not through the outbox: its rows hold JSON payloads, and a report is a set of uploads (PNGs and a
 * PDF) rendered at send time; one author gets at most two reports per course.
 */
import { GrammyError, type Api } from "grammy";
import type { Config } from "../config.js";
import { DAY } from "../clock.js";
import { analysisFingerprint } from "../db/analysisRepo.js";
import type { Db } from "../db/client.js";
import { courseAuthors } from "../db/staffRepo.js";
import { listCourses } from "../db/coursesRepo.js";
import { getLearner } from "../db/learnersRepo.js";
import type { AnalysisReportPhase, AnalysisReportState, Course } from "../db/schema/index.js";
import type { Locale } from "../domain/locale.js";
import { RULES } from "../domain/rules.js";
import { addLocalDays } from "../domain/time.js";
import { redact } from "../log.js";
import { courseTitle } from "../messages/courseViews.js";
import { formatDate } from "../messages/format.js";
import { isLocale, translator } from "../messages/i18n.js";
import { deliverReport, teamNames, type RenderedReport } from "../reports/courseReport.js";
import { buildCourseReports, type ReportBuildOptions } from "../reports/reportThread.js";
import type { Job } from "./scheduler.js";

/** A failed send is tried again on later ticks up to this many times in all. */
const MAX_ATTEMPTS = 3;
/** The closing report is still sent this long after the window closed (e.g. after downtime), not later. */
const END_GRACE_MS = 7 * DAY;

export interface AnalysisReportsDeps {
  db: Db;
  api: Api;
  config: Pick<Config, "adminIds" | "defaultLocale">;
  /** Chunk size; `inThread` builds on this thread even for a database file (tests with mocked charts). */
  analysis?: ReportBuildOptions;
}

export function analysisWindow(course: Pick<Course, "endAt" | "timezone">): { opensAt: number; closesAt: number } {
  return { opensAt: course.endAt, closesAt: addLocalDays(course.endAt, RULES.analysisDaysAfterEnd, course.timezone) };
}

interface ReportRow {
  id: number;
  phase: AnalysisReportPhase;
  state: AnalysisReportState;
  fingerprint: string;
  attempts: number;
}

export function analysisReportsJob(deps: AnalysisReportsDeps): Job {
  const { db } = deps;
  const rows = (courseId: string, authorId: number) =>
    db.$client
      .prepare("SELECT id, phase, state, fingerprint, attempts FROM analysis_reports WHERE course_id = ? AND author_id = ?")
      .all(courseId, authorId) as ReportRow[];
  /** Claims a (course, author, phase) for sending; false when it is not due (already sent, given up, in doubt). */
  const claim = (courseId: string, authorId: number, phase: AnalysisReportPhase, fingerprint: string, now: number): boolean => {
    const r = db.$client
      .prepare(
        `INSERT INTO analysis_reports (course_id, author_id, phase, state, fingerprint, attempts, created_at, updated_at)
         VALUES (?, ?, ?, 'sending', ?, 1, ?, ?)
         ON CONFLICT (course_id, author_id, phase) DO UPDATE SET state = 'sending', fingerprint = excluded.fingerprint,
           attempts = attempts + 1, updated_at = excluded.updated_at
         WHERE state = 'failed' AND attempts < ${MAX_ATTEMPTS}`,
      )
      .run(courseId, authorId, phase, fingerprint, now, now);
    return r.changes === 1;
  };
  const finish = (
    courseId: string,
    authorId: number,
    phase: AnalysisReportPhase,
    state: AnalysisReportState,
    now: number,
    error?: string,
  ) =>
    db.$client
      .prepare(
        `UPDATE analysis_reports SET state = ?, error = ?, updated_at = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END
         WHERE course_id = ? AND author_id = ? AND phase = ?`,
      )
      .run(state, error ?? null, now, state, now, courseId, authorId, phase);

  let startedUp = false;
  return {
    name: "analysis-reports",
    async run(now) {
      if (!startedUp) {
        // Ticks never overlap, so a row still "sending" at the first tick was cut off by a crash.
        db.$client.prepare("UPDATE analysis_reports SET state = 'uncertain', updated_at = ? WHERE state = 'sending'").run(now);
        startedUp = true;
      }
      for (const course of listCourses(db)) {
        const w = analysisWindow(course);
        if (now < w.opensAt || now >= w.closesAt + END_GRACE_MS) continue;
        const phase: AnalysisReportPhase = now < w.closesAt ? "start" : "end";
        const authors = courseAuthors(db, deps.config, course.id);
        if (authors.length === 0) continue;
        const fingerprint = analysisFingerprint(db, course.id);
        // One analysis per course and tick (in a worker thread), drawn once per language of the
        // authors still due, so the first author's turn builds every language at once.
        const langOf = (authorId: number): Locale => {
          const learner = getLearner(db, authorId);
          return learner && isLocale(learner.language) ? learner.language : deps.config.defaultLocale;
        };
        let rendered: Map<Locale, RenderedReport> | null = null;
        for (const authorId of authors) {
          const mine = rows(course.id, authorId);
          if (mine.some((r) => r.phase === phase && r.state !== "failed")) continue;
          if (phase === "end") {
            const first = mine.find((r) => r.phase === "start" && r.state === "sent");
            if (first && first.fingerprint === fingerprint) {
              db.$client
                .prepare(
                  `INSERT INTO analysis_reports (course_id, author_id, phase, state, fingerprint, attempts, created_at, updated_at)
                   VALUES (?, ?, 'end', 'unchanged', ?, 0, ?, ?) ON CONFLICT DO NOTHING`,
                )
                .run(course.id, authorId, fingerprint, now, now);
              continue;
            }
          }
          if (!claim(course.id, authorId, phase, fingerprint, now)) continue;
          const lang = langOf(authorId);
          try {
            if (!rendered?.has(lang)) {
              const langs = rendered ? [lang] : [...new Set([lang, ...authors.map(langOf)])];
              const built = await buildCourseReports(db, course, langs, now, teamNames(db, authors), deps.analysis);
              rendered = new Map([...(rendered ?? []), ...built]);
            }
            const report = rendered.get(lang)!;
            const t = translator(lang);
            const title = courseTitle(course, lang);
            const intro =
              phase === "start"
                ? t("report.auto_start", { title, until: formatDate(w.closesAt - 1, lang, course.timezone) })
                : t("report.auto_end", { title });
            await deliverReport(deps.api, authorId, report, intro);
            finish(course.id, authorId, phase, "sent", now);
          } catch (err) {
            // 403: the author blocked the bot or never started it; no retry helps until they do.
            const permanent = err instanceof GrammyError && err.error_code === 403;
            finish(course.id, authorId, phase, "failed", now, redact(err instanceof Error ? err.message : String(err)).slice(0, 500));
            if (permanent)
              db.$client
                .prepare(`UPDATE analysis_reports SET attempts = ${MAX_ATTEMPTS} WHERE course_id = ? AND author_id = ? AND phase = ?`)
                .run(course.id, authorId, phase);
            console.error(`[analysis-reports] ${course.id} → ${authorId} (${phase}) failed:`, redact(String(err)));
          }
        }
      }
    },
  };
}
