import type { Api } from "grammy";
import type { Clock } from "../clock.js";
import type { Locale } from "../domain/locale.js";
import type { Db } from "../db/client.js";
import { broadcastBatch, broadcastsInStatus, queueBroadcast, transition } from "../db/announceRepo.js";
import { getCourse } from "../db/coursesRepo.js";
import type { Broadcast } from "../db/schema/index.js";
import { pickText } from "../domain/course.js";
import { formatNumber } from "../messages/format.js";
import { isLocale, translator } from "../messages/i18n.js";
import { logger } from "../log.js";
import { batchCounts, type BatchCounts } from "../db/outboxRepo.js";
import type { Job } from "./scheduler.js";

export { broadcastBatch };
const log = logger.child({ job: "broadcast-progress" });

/** The progress or final report of an author's broadcast, in the author's language. */
export function renderProgress(db: Db, b: Broadcast, counts: BatchCounts, final: boolean): string {
  const lang: Locale = isLocale(b.authorLang) ? b.authorLang : "kk";
  const t = translator(lang);
  const course = b.courseId ? getCourse(db, b.courseId) : undefined;
  const title = course ? pickText(course.title, lang, course.languages) : (b.courseId ?? "?");
  const n = (x: number) => formatNumber(x, lang, 0);
  const done = counts.total - counts.pending - counts.sending;
  const lines = [
    t(final ? "announce.report.final_header" : "announce.report.progress_header", { title, done: n(done), total: n(counts.total) }),
    t("announce.report.sent", { count: n(counts.sent) }),
    t("announce.report.blocked", { count: n(counts.blocked) }),
    t("announce.report.failed", { count: n(counts.failed) }),
  ];
  if (counts.uncertain > 0) lines.push(t("announce.report.uncertain", { count: n(counts.uncertain) }));
  if (!final && counts.pending + counts.sending > 0)
    lines.push(t("announce.report.pending", { count: n(counts.pending + counts.sending) }));
  return lines.join("\n");
}

/**
 * Keeps each running broadcast's progress message up to date by editing it (only when the
 * numbers changed), and when nothing is left to send marks the broadcast done and sends the
 * author a final report. State lives in the database, so a restart simply carries on.
 */
export class BroadcastMonitor {
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly api: Api,
    private readonly clock: Clock,
    private readonly intervalMs = 3000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }

  poll(): Promise<void> {
    if (this.polling) return this.polling;
    this.polling = this.pollOnce()
      .catch((err: unknown) => log.error({ err }, "progress update failed"))
      .finally(() => {
        this.polling = null;
      });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    for (const b of broadcastsInStatus(this.db, "sending")) {
      if (b.queuedAt === null) {
        // Its rows were being queued when the process stopped: finish that first (idempotent).
        const course = b.courseId ? getCourse(this.db, b.courseId) : undefined;
        if (course) await queueBroadcast(this.db, b, course, this.clock.now());
        else transition(this.db, b.id, "sending", { queuedAt: this.clock.now() }, this.clock.now());
        continue;
      }
      const counts = batchCounts(this.db, broadcastBatch(b.id));
      const finished = counts.pending + counts.sending === 0;
      const text = renderProgress(this.db, b, counts, finished);
      if (finished) {
        // Mark done first: a crash after this loses at most the report, never repeats it.
        if (!transition(this.db, b.id, "sending", { status: "done", finishedAt: this.clock.now(), progressShown: text }, this.clock.now()))
          continue;
        await this.edit(b, text);
        await this.api
          .sendMessage(b.authorId, text, { parse_mode: "HTML" })
          .catch((err: unknown) => log.error({ err, broadcast: b.id }, "could not send the report of a broadcast"));
      } else if (text !== b.progressShown) {
        transition(this.db, b.id, "sending", { progressShown: text }, this.clock.now());
        await this.edit(b, text);
      }
    }
  }

  private async edit(b: Broadcast, text: string): Promise<void> {
    if (b.progressChatId === null || b.progressMessageId === null) return;
    try {
      await this.api.editMessageText(b.progressChatId, b.progressMessageId, text, { parse_mode: "HTML" });
    } catch (err) {
      // "not modified" or the message was deleted: the final report still arrives as a new message.
      if (!/not modified/i.test(String(err))) log.warn({ err, broadcast: b.id }, "progress edit failed");
    }
  }
}

export function broadcastProgressJob(monitor: BroadcastMonitor): Job {
  return { name: "broadcast-progress", run: () => monitor.poll() };
}
