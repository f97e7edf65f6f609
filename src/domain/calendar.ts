import { RULES } from "./rules.js";
import { addLocalDays } from "./time.js";

export interface ModuleWindow {
  opensAt: number;
  /** Quiz deadline: the module is closed from this instant on. */
  closesAt: number;
}

export interface CourseCalendar {
  startAt: number;
  enrollOpensAt: number;
  /** Enrollment is open on [enrollOpensAt, enrollClosesAt). */
  enrollClosesAt: number;
  modules: ModuleWindow[];
  /** After the last module's window: the post-course questionnaire goes out then. */
  endAt: number;
}

export interface CalendarInput {
  startAt: number;
  timezone: string;
  /** Per module, how many days it stays open (default and maximum 14). */
  moduleOpenDays: number[];
  enrollOpensAt?: number;
  enrollClosesAt?: number;
}

/** Lays out a course's dates by the regulations: all arithmetic in local calendar days. */
export function buildCalendar(input: CalendarInput): CourseCalendar {
  const { startAt, timezone } = input;
  const modules = input.moduleOpenDays.map((days, k) => {
    const opensAt = addLocalDays(startAt, RULES.daysPerModule * k, timezone);
    return { opensAt, closesAt: addLocalDays(opensAt, days, timezone) };
  });
  const endAt = modules.reduce((max, m) => Math.max(max, m.closesAt), startAt);
  return {
    startAt,
    enrollOpensAt: input.enrollOpensAt ?? addLocalDays(startAt, -RULES.enrollmentOpensDaysBeforeStart, timezone),
    enrollClosesAt: input.enrollClosesAt ?? addLocalDays(startAt, RULES.enrollmentClosesDaysAfterStart, timezone),
    modules,
    endAt,
  };
}

export type CourseState =
  /** Enrollment has not opened yet. */
  | "upcoming"
  /** Enrollment open, course not started. */
  | "enrolling"
  /** Started, enrollment still open. */
  | "running_enrolling"
  /** Started, enrollment closed. */
  | "running"
  | "finished";

type Dates = Pick<CourseCalendar, "startAt" | "enrollOpensAt" | "enrollClosesAt" | "endAt">;

export function courseState(c: Dates, now: number): CourseState {
  if (now >= c.endAt) return "finished";
  const open = isEnrollmentOpen(c, now);
  if (now < c.startAt) return open ? "enrolling" : "upcoming";
  return open ? "running_enrolling" : "running";
}

export function isEnrollmentOpen(c: Pick<Dates, "enrollOpensAt" | "enrollClosesAt">, now: number): boolean {
  return now >= c.enrollOpensAt && now < c.enrollClosesAt;
}

export type EnrollRefusal = "not_yet_open" | "closed";

export function enrollmentRefusal(c: Dates, now: number): EnrollRefusal | null {
  if (now < c.enrollOpensAt) return "not_yet_open";
  if (now >= c.enrollClosesAt) return "closed";
  return null;
}

/** The module whose week is running now: the latest one that has opened and not closed. */
export function currentModuleIndex(modules: readonly ModuleWindow[], now: number): number | null {
  let current: number | null = null;
  modules.forEach((m, k) => {
    if (now >= m.opensAt && now < m.closesAt) current = k;
  });
  return current;
}
