/**
 * npm run faults:quickcheck -- [learners]
 * Builds a database the size of a large deployment (default 100,000 learners, each enrolled,
 * with two outbox messages and a processed update) and times PRAGMA quick_check on it, to
 * decide whether the start-up check may run before serving (see src/db/integrity.ts).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCoursesFromDir } from "../../src/courses/loadCourses.js";
import { closeDatabase, openDatabase } from "../../src/db/client.js";
import { checkIntegrity } from "../../src/db/integrity.js";

const n = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), "quickcheck-"));
const path = join(dir, "bot.sqlite");
try {
  const db = openDatabase(path);
  loadCoursesFromDir(db, "courses", { now: Date.now(), defaultTimezone: "Asia/Almaty" });
  const s = db.$client;
  const text = "📣 ".padEnd(550, "Апта басталды, модуль ашылды. ");
  s.transaction(() => {
    const learner = s.prepare("INSERT INTO learners (id, first_name, language, created_at, updated_at) VALUES (?, ?, 'kk', 0, 0)");
    const enroll = s.prepare(
      "INSERT INTO enrollments (learner_id, course_id, status, enrolled_at) VALUES (?, 'intro-programming', 'active', 0)",
    );
    // One body per week (as a broadcast stores it), one lean row per learner.
    const body = s.prepare(
      "INSERT INTO outbox_bodies (key, kind, method, payload, created_at) VALUES (?, 'announcement', 'sendMessage', ?, 0)",
    );
    const bodies = [0, 1].map((w) => Number(body.run(`a:${w}`, JSON.stringify({ text, parse_mode: "HTML" })).lastInsertRowid));
    const out = s.prepare(
      "INSERT INTO outbox_items (dedupe_key, body_id, chat_id, state, not_before, expires_at) VALUES (?, ?, ?, 'sent', 0, 0)",
    );
    const upd = s.prepare("INSERT INTO processed_updates (update_id, handled_at) VALUES (?, 0)");
    for (let i = 0; i < n; i++) {
      const id = 1_000_000 + i;
      learner.run(id, `Learner ${i}`);
      enroll.run(id);
      for (const w of [0, 1]) out.run(`a:${w}:${id}`, bodies[w], id);
      upd.run(id);
    }
  })();
  s.pragma("wal_checkpoint(TRUNCATE)");
  closeDatabase(db);
  const mb = (statSync(path).size / 1024 / 1024).toFixed(0);
  const reopened = openDatabase(path);
  for (let run = 1; run <= 3; run++) {
    const t = performance.now();
    const result = checkIntegrity(reopened.$client);
    console.log(
      `quick_check on ${n} learners (${mb} MB): ${(performance.now() - t).toFixed(0)} ms, ${result.ok ? "ok" : result.problems.join("; ")}`,
    );
  }
  closeDatabase(reopened);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
