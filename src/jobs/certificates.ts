/**
 * Issues and delivers certificates (issue 10 item 2) on every tick:
 * - for each course whose issuing is open (ended, or at_threshold and started) and up to
 *   RULES.analysisDaysAfterEnd after its end, the learners due a certificate are found with SQL in
 *   learner-id ranges; a course is looked at again only when its eligibility fingerprint
 *   (attempts, enrollments, certificates) changed, so a quiet minute costs a few indexed counts;
 * - then a batch of issued-but-unsent certificates is delivered (or their learner is asked for the
 *   name to print), which also picks up whatever a crash left between insert and send.
 */
import type { Api } from "grammy";
import { eligibilityFingerprint, unsentCertificates } from "../db/certificatesRepo.js";
import type { Db } from "../db/client.js";
import { listCourses } from "../db/coursesRepo.js";
import { RULES } from "../domain/rules.js";
import { addLocalDays } from "../domain/time.js";
import { deliverCertificates, issueDueCertificates, issuingOpen } from "../reports/certificates.js";
import type { Job } from "./scheduler.js";

/**
 * Certificates rendered and sent per tick: a PDF costs about 0.4 s of CPU (parsing and subsetting DejaVu), and
 * the other jobs wait for the tick, so at most this many, and no new one after TICK_BUDGET_MS.
 */
export const DELIVERIES_PER_TICK = 50;
const TICK_BUDGET_MS = 10_000;

export interface CertificatesJobDeps {
  db: Db;
  api: Api;
  /** The bot's username, for the QR's deep link (known once the bot has started). */
  botUsername: () => string;
  chunkSize?: number;
}

export function certificatesJob(deps: CertificatesJobDeps): Job {
  const { db } = deps;
  /** Course id -> the fingerprint last processed: in memory, so a restart does one full pass (harmless). */
  const processed = new Map<string, string>();
  return {
    name: "certificates",
    async run(now) {
      let issued = 0;
      for (const course of listCourses(db)) {
        if (!issuingOpen(course, now) || now > addLocalDays(course.endAt, RULES.analysisDaysAfterEnd, course.timezone)) continue;
        const fingerprint = eligibilityFingerprint(db, course.id);
        if (processed.get(course.id) === fingerprint) continue;
        issued += await issueDueCertificates(db, course, now, deps.chunkSize);
        // Taken after issuing: the rows just inserted are part of what has been processed.
        processed.set(course.id, eligibilityFingerprint(db, course.id));
      }
      const delivery = await deliverCertificates(deps.api, db, unsentCertificates(db, DELIVERIES_PER_TICK), deps.botUsername(), now, {
        budgetMs: TICK_BUDGET_MS,
      });
      return { issued, ...delivery };
    },
  };
}
