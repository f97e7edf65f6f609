import cron, { type ScheduledTask } from "node-cron";
import type { Clock } from "../clock.js";
import { logger, type Logger } from "../log.js";

/** What a run did, in counts (e.g. `{ enqueued: 12 }`): logged with the job's name. */
export type JobFigures = Record<string, number>;

export interface Job {
  name: string;
  /** Finds due work at `now` and records it durably; must be safe to run on every tick. */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a job with nothing to count just returns
  run(now: number): JobFigures | void | Promise<JobFigures | void>;
}

/**
 * Runs every job on each cron tick and once at start-up (to catch up after downtime).
 * Cron callbacks run outside grammY's middleware, so errors are caught and logged here.
 */
export class Scheduler {
  private task: ScheduledTask | null = null;
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly jobs: Job[],
    private readonly clock: Clock,
    private readonly expression = "* * * * *",
    private readonly log: Logger = logger,
  ) {}

  /**
   * Schedules the ticks and runs the first one (the catch-up after downtime); main.ts does not
   * await it, so polling never waits on catch-up work. A tick never overlaps the previous one.
   */
  start(): Promise<void> {
    this.task = cron.schedule(this.expression, () => void this.tick(), { noOverlap: true });
    return this.tick();
  }

  async stop(): Promise<void> {
    await this.task?.stop();
    this.task = null;
    await this.ticking;
  }

  /** One pass over all jobs; a tick never overlaps the previous one. */
  async tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = (async () => {
      for (const job of this.jobs) {
        const log = this.log.child({ job: job.name });
        const started = performance.now();
        try {
          const figures = (await job.run(this.clock.now())) ?? {};
          const ms = Math.round(performance.now() - started);
          // Every minute, nine jobs: a run that did something is news, an idle one is detail.
          if (Object.values(figures).some((n) => n > 0)) log.info({ ...figures, ms }, "job ran");
          else log.debug({ ...figures, ms }, "job ran");
        } catch (err) {
          log.error({ err }, "job failed");
        }
      }
    })().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }
}
