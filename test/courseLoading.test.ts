import { copyFileSync, cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY } from "../src/clock.js";
import { loadCoursesFromDir } from "../src/courses/loadCourses.js";
import { closeDatabase, openDatabase, type Db } from "../src/db/client.js";
import { enroll, getCourse, getEnrollment, getModules, listCourses } from "../src/db/coursesRepo.js";
import { upsertLearner } from "../src/db/learnersRepo.js";
import { courseYaml } from "./support/courses.js";
import { T0, tempDir } from "./support/harness.js";

let dir: string;
let cleanup: () => void;
let db: Db;
const opts = (now = T0) => ({ now, defaultTimezone: "Asia/Almaty" });

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  mkdirSync(join(dir, "courses"));
  db = openDatabase(join(dir, "bot.sqlite"));
});
afterEach(() => {
  closeDatabase(db);
  cleanup();
});

const write = (name: string, text: string) => writeFileSync(join(dir, "courses", name), text);

describe("loading course files", () => {
  it("loads every file; a broken one is reported and the others still load", () => {
    write("a.yaml", courseYaml({ id: "course-a" }));
    write("b.yaml", courseYaml({ id: "course-b", start: "not a date" }));
    write("c.yml", courseYaml({ id: "course-c" }));
    const reports = loadCoursesFromDir(db, join(dir, "courses"), opts());
    expect(reports.map((r) => [r.courseId, r.loaded])).toEqual([
      ["course-a", true],
      [null, false],
      ["course-c", true],
    ]);
    expect(listCourses(db).map((c) => c.id)).toEqual(["course-a", "course-c"]);
  });

  it("an invalid new version never half-loads: the previous version stays whole", () => {
    write("a.yaml", courseYaml({ id: "course-a" }));
    loadCoursesFromDir(db, join(dir, "courses"), opts());
    const before = getCourse(db, "course-a")!;
    write("a.yaml", courseYaml({ id: "course-a", start: "2026-10-01" }).replace("hours_per_week: 4", "hours_per_week: lots"));
    const [report] = loadCoursesFromDir(db, join(dir, "courses"), opts());
    expect(report!.loaded).toBe(false);
    expect(getCourse(db, "course-a")!.startAt).toBe(before.startAt);
    expect(getModules(db, "course-a")).toHaveLength(4);
  });

  it("reloading a changed file updates it and keeps enrollments", () => {
    write("a.yaml", courseYaml({ id: "course-a" }));
    loadCoursesFromDir(db, join(dir, "courses"), opts());
    upsertLearner(db, { id: 1, first_name: "A" }, "kk", T0);
    enroll(db, 1, "course-a", T0);
    write("a.yaml", courseYaml({ id: "course-a", modules: 5 }).replace("Introduction to Python", "Python from scratch"));
    const [report] = loadCoursesFromDir(db, join(dir, "courses"), opts());
    expect(report).toMatchObject({ loaded: true, unchanged: false });
    expect(getCourse(db, "course-a")!.title.en).toBe("Python from scratch");
    expect(getModules(db, "course-a")).toHaveLength(5);
    expect(getEnrollment(db, 1, "course-a")?.status).toBe("active");
  });

  it("a second file with the same id is refused", () => {
    write("a.yaml", courseYaml({ id: "same" }));
    write("b.yaml", courseYaml({ id: "same" }));
    const reports = loadCoursesFromDir(db, join(dir, "courses"), opts());
    expect(reports[1]).toMatchObject({ loaded: false });
    expect(reports[1]!.issues[0]).toMatchObject({ code: "duplicate_id" });
  });

  it("pins a relative start at first import so restarts do not move the course", () => {
    write("demo.yaml", courseYaml({ id: "demo", start: "today-3" }));
    loadCoursesFromDir(db, join(dir, "courses"), opts(T0));
    const first = getCourse(db, "demo")!;
    loadCoursesFromDir(db, join(dir, "courses"), opts(T0 + 5 * DAY));
    expect(getCourse(db, "demo")!.startAt).toBe(first.startAt);
  });

  it("the shipped demo courses load cleanly: one running with enrollment open, one upcoming", () => {
    for (const f of ["intro-programming.yaml", "digital-literacy.yaml"]) copyFileSync(join("courses", f), join(dir, "courses", f));
    // The quiz banks (Aiken, GIFT) live next to the course file.
    cpSync(join("courses", "intro-programming"), join(dir, "courses", "intro-programming"), { recursive: true });
    const reports = loadCoursesFromDir(db, join(dir, "courses"), opts());
    // The demo meets every rule, the 100 test items per course included.
    expect(reports.flatMap((r) => r.issues).map((i) => `${i.level}:${i.code}`)).toEqual([]);
    const intro = getCourse(db, "intro-programming")!;
    expect(T0 >= intro.startAt && T0 < intro.enrollClosesAt).toBe(true);
    const upcoming = getCourse(db, "digital-literacy")!;
    expect(T0 < upcoming.enrollOpensAt).toBe(true);
  });

  it("reopening the database keeps everything and applies migrations idempotently", () => {
    write("a.yaml", courseYaml({ id: "course-a" }));
    loadCoursesFromDir(db, join(dir, "courses"), opts());
    closeDatabase(db);
    db = openDatabase(join(dir, "bot.sqlite"));
    expect(listCourses(db)).toHaveLength(1);
    expect(db.$client.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.$client.pragma("foreign_keys", { simple: true })).toBe(1);
  });
});
