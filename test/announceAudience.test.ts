import { afterEach, describe, expect, it } from "vitest";
import { audienceByLanguage } from "../src/db/announceRepo.js";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot } from "./support/harness.js";

let tb: TestBot;
afterEach(() => tb.close());

// The author's steps and preview count the audience in chunks of enrollments (a course may have
// 100,000 learners): whatever the chunk, the counts are those of one statement over all of them.
describe("the audience of an announcement", () => {
  it("counts active learners per language, blocked ones apart, the same in chunks of any size", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml());
    const db = tb.db.$client;
    const learner = db.prepare(
      "INSERT INTO learners (id, first_name, language, blocked_at, created_at, updated_at) VALUES (?, 'L', ?, ?, ?, ?)",
    );
    const enroll = db.prepare("INSERT INTO enrollments (learner_id, course_id, status, enrolled_at) VALUES (?, 'python-101', ?, ?)");
    const langs = ["kk", "ru", "en", "kk", "de"];
    for (let i = 1; i <= 23; i++) {
      learner.run(i, langs[i % langs.length], i % 7 === 0 ? T0 : null, T0, T0);
      enroll.run(i, i % 6 === 0 ? "unenrolled" : "active", T0);
    }
    const sorted = (rows: { language: string; n: number; blocked: number }[]) =>
      [...rows].sort((a, b) => a.language.localeCompare(b.language));
    const whole = sorted(
      db
        .prepare(
          `SELECT l.language AS language, count(*) AS n, count(l.blocked_at) AS blocked FROM enrollments e JOIN learners l ON l.id = e.learner_id
           WHERE e.course_id = 'python-101' AND e.status = 'active' GROUP BY l.language`,
        )
        .all() as { language: string; n: number; blocked: number }[],
    );
    expect(whole.reduce((s, r) => s + r.n, 0)).toBe(20);
    for (const chunk of [1, 2, 3, 7, 20, 1000]) expect(sorted(await audienceByLanguage(tb.db, "python-101", chunk))).toEqual(whole);
  });
});
