import { afterEach, describe, expect, it } from "vitest";
import { DAY, HOUR, MINUTE } from "../src/clock.js";
import { enroll, getModules, unenroll } from "../src/db/coursesRepo.js";
import { setLearnerBlocked, upsertLearner } from "../src/db/learnersRepo.js";
import { quizAttempts, quizzes } from "../src/db/schema/index.js";
import { outboxMessages } from "../src/db/outboxRepo.js";
import { deadlineRemindersJob, queueAnnouncements, weeklyAnnouncementsJob } from "../src/jobs/announcements.js";
import { Scheduler } from "../src/jobs/scheduler.js";
import { announcement, courseYaml } from "./support/courses.js";
import { T0, TestBot, tempDir } from "./support/harness.js";
import type { Locale } from "../src/domain/locale.js";

/** python-101 starts 2026-09-07 (Asia/Almaty, UTC+5): module 1 opens at 2026-09-06 19:00 UTC. */
const ALMATY_W1 = Date.UTC(2026, 8, 6, 19, 0);

let tb: TestBot;
let cleanup: (() => void) | null = null;
afterEach(() => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset if the first test failed early
  tb?.close();
  cleanup?.();
  cleanup = null;
});

function learner(t: TestBot, id: number, lang: string, courseId = "python-101"): void {
  upsertLearner(t.db, { id, first_name: `L${id}` }, lang as Locale, t.clock.now());
  t.telegram.addChat(id); // a seeded learner started the bot before: Telegram knows the chat
  enroll(t.db, id, courseId, t.clock.now());
}

const rows = (t: TestBot) => outboxMessages(t.db);
const keys = (t: TestBot) =>
  rows(t)
    .map((r) => r.dedupeKey)
    .sort();

describe("weekly announcements: due time in the course's time zone", () => {
  it("Asia/Almaty: nothing a minute before local midnight of the module's first day, sent at midnight", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml());
    expect(getModules(tb.db, "python-101")[0]!.opensAt).toBe(ALMATY_W1);
    learner(tb, 1, "kk");
    learner(tb, 2, "ru");
    learner(tb, 3, "en");
    const job = weeklyAnnouncementsJob(tb.db, () => {});

    tb.clock.set(ALMATY_W1 - MINUTE);
    await job.run(tb.clock.now());
    expect(rows(tb)).toHaveLength(0);

    tb.clock.set(ALMATY_W1);
    await job.run(tb.clock.now());
    expect(keys(tb)).toEqual(["announce:python-101:0:1", "announce:python-101:0:2", "announce:python-101:0:3"]);

    // Delivered in each learner's language, with the module's own text and the quiz deadline.
    await tb.sender().drain();
    expect(tb.telegram.lastTextTo(1)).toContain("Апта 1/4: <b>1-модуль</b>");
    expect(tb.telegram.lastTextTo(1)).toContain(announcement("kk", 1).slice(0, 60));
    expect(tb.telegram.lastTextTo(1)).toContain("⏳ Модуль ашық, мерзімі — 2026 ж. 20 қыркүйек, 23:59");
    expect(tb.telegram.lastTextTo(2)).toContain("Неделя 1 из 4: <b>Модуль 1</b>");
    expect(tb.telegram.lastTextTo(2)).toContain(announcement("ru", 1).slice(0, 60));
    expect(tb.telegram.lastTextTo(3)).toContain("Week 1 of 4: <b>Module 1</b>");
    expect(tb.telegram.lastTextTo(3)).toContain("⏳ The module is open until September 20, 2026 at 23:59");
  });

  it("America/New_York across the DST change: week 2 opens at 00:00 EST = 05:00 UTC, not 04:00", async () => {
    tb = new TestBot({ now: Date.UTC(2026, 9, 20, 12) });
    tb.loadCourse(courseYaml({ id: "ny-course", start: "2026-10-26" }).replace("timezone: Asia/Almaty", "timezone: America/New_York"));
    const [w1, w2] = getModules(tb.db, "ny-course");
    expect(w1!.opensAt).toBe(Date.UTC(2026, 9, 26, 4, 0)); // EDT, UTC-4
    expect(w2!.opensAt).toBe(Date.UTC(2026, 10, 2, 5, 0)); // EST, UTC-5
    learner(tb, 7, "en", "ny-course");
    const job = weeklyAnnouncementsJob(tb.db, () => {});

    await job.run(Date.UTC(2026, 9, 26, 3, 59));
    expect(keys(tb)).toEqual([]);
    await job.run(Date.UTC(2026, 9, 26, 4, 0));
    expect(keys(tb)).toEqual(["announce:ny-course:0:7"]);
    await job.run(Date.UTC(2026, 10, 2, 4, 59)); // 23:59 EST on Nov 1: still week 1
    expect(keys(tb)).toEqual(["announce:ny-course:0:7"]);
    await job.run(Date.UTC(2026, 10, 2, 5, 0));
    expect(keys(tb)).toEqual(["announce:ny-course:0:7", "announce:ny-course:1:7"]);
  });

  it("runs once per (module, learner) however many ticks see it, and kicks the sender only when it queued", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml());
    learner(tb, 1, "en");
    let kicks = 0;
    const job = weeklyAnnouncementsJob(tb.db, () => kicks++);
    for (let i = 0; i < 3; i++) await job.run(ALMATY_W1 + i * MINUTE);
    expect(rows(tb)).toHaveLength(1);
    expect(kicks).toBe(1);
  });

  it("skips blocked and unenrolled learners; a learner whose language the course lacks gets its first language", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml({ languages: ["ru", "en"] }));
    learner(tb, 1, "kk");
    learner(tb, 2, "en");
    learner(tb, 3, "en");
    learner(tb, 4, "ru");
    setLearnerBlocked(tb.db, 2, true, T0);
    unenroll(tb.db, 3, "python-101", T0);
    tb.clock.set(ALMATY_W1);
    await queueAnnouncements(tb.db, tb.clock.now());
    expect(keys(tb)).toEqual(["announce:python-101:0:1", "announce:python-101:0:4"]);
    await tb.sender().drain();
    // The kk learner reads the bot in Kazakh, and the course text in Russian (its first language).
    expect(tb.telegram.lastTextTo(1)).toContain("Апта 1/4: <b>Модуль 1</b>");
    expect(tb.telegram.lastTextTo(1)).toContain(announcement("ru", 1).slice(0, 60));
  });
});

describe("weekly announcements: catch-up and too late", () => {
  it("after downtime, the start-up tick queues every module still open; a closed module's is not sent", async () => {
    const { dir, cleanup: c } = tempDir();
    cleanup = c;
    const dbPath = `${dir}/bot.sqlite`;
    const before = new TestBot({ now: T0, dbPath });
    before.loadCourse(courseYaml());
    learner(before, 1, "en");
    learner(before, 2, "kk");
    before.close();

    // Down from T0 until day 15 of the course: module 1 (closed on day 14) is too late; 2 and 3 run.
    tb = new TestBot({ now: ALMATY_W1 + 15 * DAY, dbPath });
    tb.telegram.addChat(1, 2); // a new fake after the restart; Telegram still knows the learners' chats
    const scheduler = new Scheduler([weeklyAnnouncementsJob(tb.db, () => {})], tb.clock);
    await scheduler.tick();
    expect(keys(tb)).toEqual(["announce:python-101:1:1", "announce:python-101:1:2", "announce:python-101:2:1", "announce:python-101:2:2"]);
    await tb.sender().drain();
    expect(tb.telegram.textsTo(1).map((t) => t.split("\n")[1])).toEqual(["Week 2 of 4: <b>Module 2</b>", "Week 3 of 4: <b>Module 3</b>"]);
  });

  it("an announcement queued in time but still waiting when its module closes is expired, not sent", async () => {
    tb = new TestBot({ now: ALMATY_W1 });
    tb.loadCourse(courseYaml());
    learner(tb, 1, "en");
    await queueAnnouncements(tb.db, tb.clock.now());
    tb.clock.set(ALMATY_W1 + 14 * DAY); // module 1's deadline: too late now
    const result = await tb.sender().drain();
    expect(result.expired).toBe(1);
    expect(tb.telegram.delivered).toHaveLength(0);
    expect(rows(tb)[0]!.state).toBe("expired");
  });
});

describe("weekly announcements: late enrollment", () => {
  it("a learner who unblocks the bot while the module runs gets its announcement at the next tick", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml());
    learner(tb, 9, "en");
    setLearnerBlocked(tb.db, 9, true, T0);
    const job = weeklyAnnouncementsJob(tb.db, () => {});
    await job.run(ALMATY_W1);
    expect(rows(tb)).toHaveLength(0);
    setLearnerBlocked(tb.db, 9, false, ALMATY_W1 + DAY);
    await job.run(ALMATY_W1 + DAY);
    expect(keys(tb)).toEqual(["announce:python-101:0:9"]);
  });

  it("a learner who enrolls while a module runs gets its announcement at once", async () => {
    tb = new TestBot({ now: ALMATY_W1 + 3 * DAY });
    tb.loadCourse(courseYaml());
    const u = tb.user(55, { lang: "ru" });
    await u.send("/start");
    await u.press("enr!:python-101");
    expect(keys(tb)).toEqual(["announce:python-101:0:55"]);
    await tb.sender().drain();
    expect(u.lastText()).toContain("Неделя 1 из 4: <b>Модуль 1</b>");
    // The next tick does not queue it again.
    await weeklyAnnouncementsJob(tb.db, () => {}).run(tb.clock.now());
    expect(rows(tb)).toHaveLength(1);
  });

  it("a learner who enrolls before the start gets nothing until the first week begins", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml());
    const u = tb.user(56, { lang: "en" });
    await u.press("enr!:python-101");
    expect(rows(tb)).toHaveLength(0);
  });
});

describe("deadline reminders", () => {
  const CLOSE_W1 = ALMATY_W1 + 14 * DAY;
  const QUIZ = `
pass_score: 60
attempts: 2
questions:
  - type: truefalse
    text: { kk: "Python — бағдарламалау тілі.", ru: "Python — язык программирования.", en: "Python is a programming language." }
    answer: true
`;

  it("24 h before the quiz closes, only learners who have not passed are reminded, once", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml({ quizzes: { 0: QUIZ } }));
    learner(tb, 1, "en");
    learner(tb, 2, "kk");
    learner(tb, 3, "ru");
    const quizId = tb.db.select().from(quizzes).get()!.id;
    tb.db
      .insert(quizAttempts)
      .values({
        learnerId: 3,
        quizId,
        attemptNo: 1,
        variant: [],
        startedAt: ALMATY_W1 + DAY,
        endsAt: CLOSE_W1,
        finishedAt: ALMATY_W1 + DAY,
        score: 100,
        passed: true,
      })
      .run();
    const job = deadlineRemindersJob(tb.db, () => {});

    await job.run(CLOSE_W1 - 24 * HOUR - MINUTE);
    expect(rows(tb).filter((r) => r.kind === "reminder")).toHaveLength(0);
    await job.run(CLOSE_W1 - 24 * HOUR);
    await job.run(CLOSE_W1 - 23 * HOUR);
    expect(rows(tb).map((r) => r.dedupeKey)).toEqual(["reminder:python-101:0:1", "reminder:python-101:0:2"]);

    tb.clock.set(CLOSE_W1 - 24 * HOUR);
    await tb.sender().drain();
    expect(tb.telegram.lastTextTo(1)).toContain("The quiz of week 1 of 4, “Module 1”, closes on September 20, 2026 at 23:59");
    expect(tb.telegram.lastTextTo(2)).toContain("Апта 1/4, «1-модуль» тестінің жабылу мерзімі — 2026 ж. 20 қыркүйек, 23:59");
    expect(tb.telegram.textsTo(3)).toEqual([]);
  });

  it("by default reads the quiz tables: reminds who has not passed module 1's quiz; a module without a quiz gets none", async () => {
    tb = new TestBot({ now: T0 });
    const quiz = `
pass_score: 60
attempts: 2
questions:
  - type: truefalse
    text: { kk: "Python — бағдарламалау тілі.", ru: "Python — язык программирования.", en: "Python is a programming language." }
    answer: true
`;
    tb.loadCourse(courseYaml({ quizzes: { 0: quiz } }));
    learner(tb, 1, "en"); // passed
    learner(tb, 2, "en"); // failed the only finished attempt
    learner(tb, 3, "en"); // has not tried
    learner(tb, 4, "en"); // an attempt still running does not count
    const quizId = tb.db.select().from(quizzes).get()!.id;
    const attempt = (learnerId: number, score: number | null) =>
      tb.db
        .insert(quizAttempts)
        .values({
          learnerId,
          quizId,
          attemptNo: 1,
          variant: [],
          startedAt: ALMATY_W1 + DAY,
          endsAt: CLOSE_W1,
          finishedAt: score === null ? null : ALMATY_W1 + DAY,
          score,
          passed: score === null ? null : score >= 60,
        })
        .run();
    attempt(1, 100);
    attempt(2, 20);
    attempt(4, null);

    await deadlineRemindersJob(tb.db, () => {}).run(CLOSE_W1 - HOUR);
    expect(keys(tb)).toEqual(["reminder:python-101:0:2", "reminder:python-101:0:3", "reminder:python-101:0:4"]);
    tb.clock.set(CLOSE_W1 - HOUR);
    await tb.sender().drain();
    expect(tb.telegram.lastTextTo(3)).toContain("The quiz of week 1 of 4, “Module 1”, closes on September 20, 2026 at 23:59");
    // Module 2 has no quiz: nothing to remind about before its deadline.
    await deadlineRemindersJob(tb.db, () => {}).run(CLOSE_W1 + 7 * DAY - HOUR);
    expect(rows(tb)).toHaveLength(3);
    // The weekly announcement names the quiz deadline only where there is a quiz.
    tb.clock.set(ALMATY_W1 + 7 * DAY);
    await queueAnnouncements(tb.db, tb.clock.now(), { courseId: "python-101", learnerId: 1 });
    await tb.sender().drain();
    const [week1, week2] = tb.telegram.textsTo(1);
    expect(week1).toContain("⏳ Quiz deadline: September 20, 2026 at 23:59");
    expect(week2).toContain("⏳ The module is open until September 27, 2026 at 23:59");
  });
});
