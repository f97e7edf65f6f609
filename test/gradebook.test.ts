/**
 * The gradebook (issue 10 item 3): /gradebook through the real pipeline and `npm run export --
 * gradebook`: one row per enrolled learner with each module's score and attempts, progress,
 * status and certificate code; only the course's authors get it; headers in the author's language.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MINUTE } from "../src/clock.js";
import { runExport } from "../src/cli/exportQuestionnaires.js";
import { certificateFor } from "../src/db/certificatesRepo.js";
import { grantCourseRole } from "../src/db/staffRepo.js";
import { formatCode } from "../src/domain/certificate.js";
import { gradebookCourse } from "../src/messages/callbackData.js";
import { translator } from "../src/messages/i18n.js";
import { courseYaml } from "./support/courses.js";
import { T0, tempDir, TestBot } from "./support/harness.js";
import { tr } from "./support/quizzes.js";

const TF_QUIZ = `pass_score: 50
attempts: 3
questions:
  - type: truefalse
    text: ${tr("Python is case-sensitive.")}
    answer: true
`;

let tb: TestBot;
let dir: string;
let cleanup: () => void;

function quizIds(courseId: string): number[] {
  return (
    tb.db.$client.prepare("SELECT id FROM quizzes WHERE course_id = ? ORDER BY module_position").all(courseId) as { id: number }[]
  ).map((r) => r.id);
}

/** A learner with finished attempts per module (several scores = several attempts), seeded in the database. */
function seed(id: number, attempts: number[][], options: { lang?: string; status?: string; username?: string | null } = {}): void {
  const db = tb.db.$client;
  const now = tb.clock.now();
  db.prepare(
    "INSERT INTO learners (id, first_name, last_name, username, language, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  ).run(
    id,
    `First${id}`,
    id % 2 ? `Last${id}` : null,
    options.username === undefined ? `user${id}` : options.username,
    options.lang ?? "en",
    now,
    now,
  );
  db.prepare("INSERT INTO enrollments (learner_id, course_id, status, enrolled_at) VALUES (?, 'python-101', ?, ?)").run(
    id,
    options.status ?? "active",
    now,
  );
  quizIds("python-101").forEach((quizId, k) => {
    (attempts[k] ?? []).forEach((score, n) => {
      db.prepare(
        `INSERT INTO quiz_attempts (learner_id, quiz_id, attempt_no, variant, started_at, ends_at, finished_at, end_reason, score, passed)
         VALUES (?, ?, ?, '[]', ?, ?, ?, 'submitted', ?, ?)`,
      ).run(id, quizId, n + 1, now - MINUTE, now, now - 1, score, score >= 50 ? 1 : 0);
    });
  });
  tb.telegram.addChat(id);
}

/** The CSV rows of a file's text, naively split (the test data has no commas or quotes). */
function parse(csv: string): string[][] {
  expect(csv.startsWith("\uFEFF")).toBe(true);
  return csv
    .slice(1)
    .trimEnd()
    .split("\r\n")
    .map((l) => l.split(","));
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  tb = new TestBot({ now: T0, dbPath: join(dir, "bot.sqlite") });
  tb.loadCourse(courseYaml({ id: "python-101", start: "2026-08-31", quizzes: { 0: TF_QUIZ, 2: TF_QUIZ } }));
  tb.loadCourse(courseYaml({ id: "data-201", start: "2026-08-31", quizzes: { 0: TF_QUIZ } }));
  seed(1001, [[60, 100], [90]]); // best 100 + 90 = 95: certificate
  seed(1002, [[30, 50]], { lang: "kk", username: null }); // 50 + 0 = 25: not completed
  seed(1003, [], { lang: "ru" }); // nothing yet
  seed(1004, [[80], [80]], { status: "unenrolled" }); // 80: passed, left
  tb.db.$client
    .prepare(
      "INSERT INTO certificates (code, learner_id, course_id, full_name, score, issued_at) VALUES ('K7M4XQ2P9RAB', 1001, 'python-101', 'A B', 95, 0)",
    )
    .run();
  const now = new Date(T0);
  grantCourseRole(tb.db, { courseId: "python-101", userId: 41, role: "author", grantedBy: null, now });
  grantCourseRole(tb.db, { courseId: "data-201", userId: 42, role: "author", grantedBy: null, now });
});
afterEach(() => {
  tb.close();
  cleanup();
});

const lastDocument = (chatId: number) =>
  tb.telegram.calls.filter((c) => c.method === "sendDocument" && !c.error && Number(c.payload.chat_id) === chatId).at(-1);

describe("/gradebook", () => {
  it("sends one row per enrolled learner with module scores and attempts, progress, status and certificate code", async () => {
    const author = tb.user(41);
    await author.send("/gradebook python-101");
    const doc = lastDocument(41)!;
    expect(doc.payload["document:file"].filename).toBe("gradebook-python-101.csv");
    expect(doc.payload.caption).toBe(translator("en")("gradebook.caption", { title: "Introduction to Python", count: 4 }));
    const [header, ...rows] = parse(String(doc.payload["document:file"].content));
    expect(header).toEqual([
      "Telegram id",
      "Name",
      "Username",
      "Language",
      "Enrolled on",
      "Enrollment",
      "Module 1: score %",
      "Module 1: attempts",
      "Module 3: score %",
      "Module 3: attempts",
      "Course progress %",
      "Status",
      "Certificate code",
    ]);
    expect(rows).toEqual([
      [
        "1001",
        "First1001 Last1001",
        "user1001",
        "en",
        "2026-09-01 09:00",
        "enrolled",
        "100",
        "2",
        "90",
        "1",
        "95",
        "certificate",
        formatCode("K7M4XQ2P9RAB"),
      ],
      ["1002", "First1002", "", "kk", "2026-09-01 09:00", "enrolled", "50", "2", "", "0", "25", "not completed", ""],
      ["1003", "First1003 Last1003", "user1003", "ru", "2026-09-01 09:00", "enrolled", "", "0", "", "0", "0", "not completed", ""],
      ["1004", "First1004", "user1004", "en", "2026-09-01 09:00", "left", "80", "1", "80", "1", "80", "passed", ""],
    ]);
  });

  it("writes the headers in the author's language", async () => {
    for (const lang of ["kk", "ru"] as const) {
      const author = tb.user(41, { lang });
      await author.send("/language");
      await author.press(`lang:${lang}`);
      await author.send("/gradebook python-101");
      const [header, first] = parse(String(lastDocument(41)!.payload["document:file"].content));
      const t = translator(lang);
      expect(header![0]).toBe(t("gradebook.col.learner_id"));
      expect(header![6]).toBe(t("gradebook.col.module_score", { n: 1 }));
      expect(first![11]).toBe(t("gradebook.status.certificate"));
    }
  });

  it("only for the course's authors: the picker lists their courses, another course is refused, also by a forged button", async () => {
    const t = translator("en");
    const other = tb.user(42);
    await other.send("/gradebook");
    expect(other.buttons().map((b) => b.data)).toEqual([gradebookCourse.encode("data-201")]);
    await other.send("/gradebook python-101");
    expect(other.lastText()).toBe(t("errors.not_course_author"));
    await other.press(gradebookCourse.encode("python-101"));
    expect(other.lastAlert()).toBe(t("errors.not_course_author"));
    expect(lastDocument(42)).toBeUndefined();
    const learner = tb.user(1001);
    await learner.send("/gradebook python-101");
    expect(learner.lastText()).toBe(t("errors.authors_only"));
    // Through the picker, for their own course.
    await other.press(gradebookCourse.encode("data-201"));
    expect(tb.user(42).lastText()).toBe(t("gradebook.empty", { title: "Introduction to Python" }));
    const admin = tb.user(900);
    await admin.send("/gradebook");
    expect(admin.buttons().map((b) => b.data)).toEqual([gradebookCourse.encode("data-201"), gradebookCourse.encode("python-101")]);
    await admin.send("/gradebook nope");
    expect(admin.lastText()).toBe(t("gradebook.unknown_course", { id: "nope" }));
  });
});

describe("npm run export -- gradebook", () => {
  it("writes the same file", async () => {
    const lines: string[] = [];
    const out = join(dir, "out");
    const code = await runExport(["gradebook", "python-101", out], join(dir, "bot.sqlite"), (l) => lines.push(l));
    expect(code).toBe(0);
    const file = join(out, "gradebook-python-101.csv");
    expect(existsSync(file)).toBe(true);
    expect(lines).toEqual([`${file}: 4 learners`]);
    const rows = parse(readFileSync(file, "utf8"));
    expect(rows).toHaveLength(5);
    expect(rows[1]![12]).toBe(formatCode(certificateFor(tb.db, 1001, "python-101")!.code));
    expect(await runExport(["gradebook", "nope", out], join(dir, "bot.sqlite"), (l) => lines.push(l))).toBe(1);
    expect(await runExport(["gradebook"], join(dir, "bot.sqlite"), (l) => lines.push(l))).toBe(2);
  });
});
