import { describe, expect, it } from "vitest";
import { DAY, MINUTE } from "../src/clock.js";
import { buildCalendar, courseState, currentModuleIndex, enrollmentRefusal, isEnrollmentOpen } from "../src/domain/calendar.js";
import { addLocalDays, fromLocal, parseCourseDate, toLocal } from "../src/domain/time.js";

const ALMATY = "Asia/Almaty";
// 2026-09-07 00:00 in Almaty is 2026-09-06 19:00 UTC (UTC+5 all year).
const START = Date.UTC(2026, 8, 6, 19, 0);

const cal = buildCalendar({ startAt: START, timezone: ALMATY, moduleOpenDays: [14, 14, 14, 14] });

describe("time zone arithmetic", () => {
  it("reads course dates as local midnight in Asia/Almaty (UTC+5)", () => {
    expect(parseCourseDate("2026-09-07", ALMATY, 0)).toEqual({ ms: START, relative: false });
    expect(parseCourseDate("2026-09-07 09:30", ALMATY, 0)?.ms).toBe(Date.UTC(2026, 8, 7, 4, 30));
  });

  it("rejects impossible dates and garbage", () => {
    expect(parseCourseDate("2026-02-30", ALMATY, 0)).toBeNull();
    expect(parseCourseDate("2026-13-01", ALMATY, 0)).toBeNull();
    expect(parseCourseDate("next monday", ALMATY, 0)).toBeNull();
  });

  it("resolves today±N relative to the given instant, at local midnight", () => {
    // 2026-09-01 23:30 Almaty is still Sept 1 locally although UTC says 18:30.
    const now = Date.UTC(2026, 8, 1, 18, 30);
    expect(parseCourseDate("today", ALMATY, now)?.ms).toBe(Date.UTC(2026, 7, 31, 19, 0));
    expect(parseCourseDate("today+6", ALMATY, now)).toEqual({ ms: START, relative: true });
    expect(parseCourseDate("today-3", ALMATY, now)?.ms).toBe(Date.UTC(2026, 7, 28, 19, 0));
  });

  it("adds calendar days across a DST change without drifting from local midnight", () => {
    // Europe/Berlin switches to summer time on 2026-03-29.
    const berlin = "Europe/Berlin";
    const before = fromLocal({ year: 2026, month: 3, day: 25, hour: 0, minute: 0 }, berlin);
    const after = addLocalDays(before, 7, berlin);
    expect(toLocal(after, berlin)).toMatchObject({ year: 2026, month: 4, day: 1, hour: 0, minute: 0 });
    expect(after - before).toBe(7 * DAY - 60 * MINUTE);
  });
});

describe("enrollment window (2 weeks before to 2 weeks after the start)", () => {
  it("opens exactly 14 days before the start", () => {
    expect(cal.enrollOpensAt).toBe(START - 14 * DAY);
    expect(isEnrollmentOpen(cal, START - 14 * DAY - 1)).toBe(false);
    expect(isEnrollmentOpen(cal, START - 14 * DAY)).toBe(true);
    expect(enrollmentRefusal(cal, START - 14 * DAY - 1)).toBe("not_yet_open");
  });

  it("stays open through the last minute of day 14 after the start and closes at its end", () => {
    expect(cal.enrollClosesAt).toBe(START + 14 * DAY);
    expect(isEnrollmentOpen(cal, START + 14 * DAY - MINUTE)).toBe(true);
    expect(isEnrollmentOpen(cal, START + 14 * DAY)).toBe(false);
    expect(enrollmentRefusal(cal, START + 14 * DAY)).toBe("closed");
  });

  it("honours overrides from the course file", () => {
    const custom = buildCalendar({
      startAt: START,
      timezone: ALMATY,
      moduleOpenDays: [14, 14, 14, 14],
      enrollOpensAt: START - 30 * DAY,
      enrollClosesAt: START + DAY,
    });
    expect(isEnrollmentOpen(custom, START - 20 * DAY)).toBe(true);
    expect(isEnrollmentOpen(custom, START + 2 * DAY)).toBe(false);
  });
});

describe("modules and course states", () => {
  it("module k opens at start + 7k days and its quiz closes 14 days later", () => {
    expect(cal.modules.map((m) => (m.opensAt - START) / DAY)).toEqual([0, 7, 14, 21]);
    expect(cal.modules.map((m) => (m.closesAt - m.opensAt) / DAY)).toEqual([14, 14, 14, 14]);
    expect(cal.endAt).toBe(START + 35 * DAY);
  });

  it("the current module is the newest one open", () => {
    expect(currentModuleIndex(cal.modules, START - MINUTE)).toBeNull();
    expect(currentModuleIndex(cal.modules, START)).toBe(0);
    expect(currentModuleIndex(cal.modules, START + 7 * DAY)).toBe(1);
    expect(currentModuleIndex(cal.modules, START + 35 * DAY - MINUTE)).toBe(3);
    expect(currentModuleIndex(cal.modules, START + 35 * DAY)).toBeNull();
  });

  it("walks through upcoming, enrolling, running with and without enrollment, finished", () => {
    expect(courseState(cal, START - 15 * DAY)).toBe("upcoming");
    expect(courseState(cal, START - 14 * DAY)).toBe("enrolling");
    expect(courseState(cal, START)).toBe("running_enrolling");
    expect(courseState(cal, START + 14 * DAY)).toBe("running");
    expect(courseState(cal, START + 35 * DAY)).toBe("finished");
  });
});
