import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { seedScale } from "../bench/seed.js";
import { loadCoursesFromDir } from "../src/courses/loadCourses.js";
import { closeDatabase, openDatabase, type Db } from "../src/db/client.js";
import { T0 } from "./support/harness.js";

let db: Db | null = null;
afterEach(() => {
  if (db) closeDatabase(db);
  db = null;
});

// The 100,000-learner bench seeds with the same code; this keeps it honest on a small scale.
describe("bench seeding", () => {
  it("200 learners: enrollments, 60% quiz attempts with 10 answers, 60% pre-course responses, questions", () => {
    db = openDatabase(":memory:");
    loadCoursesFromDir(db, join(import.meta.dirname, "..", "courses"), { now: T0, defaultTimezone: "Asia/Almaty" });
    const counts = seedScale(db, { courseId: "intro-programming", learners: 200, now: T0 });
    const preQuestions = (
      JSON.parse(
        (
          db.$client.prepare("SELECT questions FROM questionnaires WHERE course_id = 'intro-programming' AND kind = 'pre'").get() as {
            questions: string;
          }
        ).questions,
      ) as unknown[]
    ).length;
    expect(counts).toEqual({
      learners: 200,
      enrollments: 200,
      attempts: 120,
      answers: 1200,
      responses: 120,
      responseAnswers: 120 * preQuestions,
      questions: 4,
    });
    const scores = db.$client.prepare("SELECT min(score) AS lo, max(score) AS hi, sum(passed) AS passed FROM quiz_attempts").get() as {
      lo: number;
      hi: number;
      passed: number;
    };
    expect(scores.lo).toBeGreaterThanOrEqual(0);
    expect(scores.hi).toBeLessThanOrEqual(100);
    expect(scores.passed).toBeGreaterThan(0);
    // Every stored answer is valid JSON of the shape the quiz writes.
    const kinds = db.$client.prepare("SELECT DISTINCT json_extract(answer, '$.kind') AS k FROM quiz_answers").all() as { k: string }[];
    expect(kinds.map((r) => r.k).every((k) => ["choice", "truefalse", "text"].includes(k))).toBe(true);
  });
});
