import cron, { type ScheduledTask } from "node-cron";
import type { Clock } from "../clock.js";
import { logger } from "../log.js";

const log = logger.child({ job: "scheduler" });

export interface Job {
  name: string;
  /** Finds due work at `now` and records it durably; must be safe to run on every tick. */
  run(now: number): void | Promise<void>;
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
        try {
          await job.run(this.clock.now());
        } catch (err) {
          log.error({ err, job: job.name }, "job failed");
        }
      }
    })().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }
}
