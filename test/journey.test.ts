import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY } from "../src/clock.js";
import { getEnrollment } from "../src/db/coursesRepo.js";
import { getLearner } from "../src/db/learnersRepo.js";
import { enrollments } from "../src/db/schema/index.js";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot } from "./support/harness.js";

// T0 is 2026-09-01 09:00 Almaty; python-101 starts 2026-09-07, so enrollment opened 2026-08-24.
let tb: TestBot;
beforeEach(() => {
  tb = new TestBot({ now: T0 });
  tb.loadCourse(courseYaml());
  tb.loadCourse(courseYaml({ id: "data-later", start: "2026-10-20" }));
});
afterEach(() => tb.close());

const expected = {
  kk: { welcome: "Сәлеметсіз бе", enrolled: "Сіз «Python тіліне кіріспе» курсына жазылдыңыз", start: "7 қыркүйек" },
  ru: { welcome: "Здравствуйте", enrolled: "Вы записаны на курс «Введение в Python»", start: "7 сентября 2026" },
  en: { welcome: "Hello", enrolled: "You are enrolled in “Introduction to Python”", start: "September 7, 2026" },
} as const;

describe.each(["kk", "ru", "en"] as const)("learner journey in %s", (lang) => {
  it("registers, lists courses, enrolls with confirmation and sees the course in /mycourses", async () => {
    const u = tb.user(1000 + lang.length, { lang });
    await u.send("/start");
    expect(u.lastText()).toContain(expected[lang].welcome);
    expect(getLearner(tb.db, u.id)?.language).toBe(lang);

    await u.send("/courses");
    const list = u.lastText();
    expect(list).toContain("🟢");
    expect(list).toContain("🕓");
    expect(u.buttons().map((b) => b.data)).toEqual(["crs:python-101", "crs:data-later"]);

    await u.press("crs:python-101");
    expect(u.lastText()).toContain(expected[lang].start);
    expect(u.buttons()[0]!.data).toBe("enr:python-101");

    await u.press("enr:python-101");
    expect(u.buttons().map((b) => b.data)).toEqual(["enr!:python-101", "crs:python-101"]);
    expect(getEnrollment(tb.db, u.id, "python-101")).toBeUndefined();

    await u.press("enr!:python-101");
    expect(u.texts().some((t) => t.includes(expected[lang].enrolled))).toBe(true);
    expect(getEnrollment(tb.db, u.id, "python-101")?.status).toBe("active");

    await u.send("/mycourses");
    expect(u.lastText()).toMatch(/Python/);
  });
});

describe("enrollment rules", () => {
  it("refuses an upcoming course with its dates and offers to notify", async () => {
    const u = tb.user(1, { lang: "en" });
    await u.press("enr!:data-later");
    expect(u.lastText()).toContain("has not opened yet");
    expect(u.lastText()).toContain("October 6, 2026");
    expect(u.buttons()[0]!.data).toBe("ntf:data-later");
    expect(getEnrollment(tb.db, u.id, "data-later")).toBeUndefined();
  });

  it("refuses after the window closed and gives the dates", async () => {
    tb.clock.set(T0 + 30 * DAY);
    const u = tb.user(2, { lang: "ru" });
    await u.press("enr!:python-101");
    expect(u.lastText()).toContain("уже закрыта");
    expect(u.lastText()).toContain("24 августа 2026");
  });

  it("a double tap on confirm enrolls once", async () => {
    const u = tb.user(3);
    await u.press("enr!:python-101");
    await u.press("enr!:python-101");
    expect(tb.db.select().from(enrollments).all()).toHaveLength(1);
    expect(u.lastAlert()).toBe("You are already enrolled in this course.");
  });

  it("the same update delivered twice is handled once", async () => {
    const u = tb.user(4);
    const update = {
      callback_query: {
        id: "cb-dup",
        from: u.from,
        chat_instance: "x",
        data: "enr!:python-101",
        message: { message_id: 1, date: 0, chat: u.chat, text: "…" },
      },
    } as never;
    await tb.handle(update, 777);
    const callsAfterFirst = tb.telegram.calls.length;
    await tb.handle(update, 777);
    expect(tb.telegram.calls.length).toBe(callsAfterFirst);
    expect(tb.db.select().from(enrollments).all()).toHaveLength(1);
  });

  it("unenrolls with confirmation and can enroll again while the window is open", async () => {
    const u = tb.user(5);
    await u.press("enr!:python-101");
    await u.press("unr:python-101");
    expect(u.lastText()).toContain("Leave “Introduction to Python”?");
    await u.press("unr!:python-101");
    expect(getEnrollment(tb.db, u.id, "python-101")?.status).toBe("unenrolled");
    await u.press("enr!:python-101");
    expect(getEnrollment(tb.db, u.id, "python-101")?.status).toBe("active");
  });
});

describe("robustness", () => {
  it("answers unknown commands and free text in the learner's language", async () => {
    const u = tb.user(6, { lang: "kk" });
    await u.send("/frobnicate");
    expect(u.lastText()).toContain("/frobnicate командасын білмеймін");
    await u.send("сәлем");
    expect(u.lastText()).toContain("командалар мен батырмаларды түсінемін");
  });

  it("stale or forged buttons get an alert, not a crash", async () => {
    const u = tb.user(7, { lang: "ru" });
    await u.press("crs:no-such-course");
    expect(u.lastAlert()).toContain("больше недоступен");
    await u.press("totally:forged:data");
    expect(u.lastAlert()).toContain("кнопка устарела");
    await u.press("lang:xx");
    expect(u.lastAlert()).toContain("кнопка устарела");
  });

  it("a deep link opens the course card and registers the learner", async () => {
    const u = tb.user(8, { lang: "ru" });
    await u.send("/start python-101");
    expect(getLearner(tb.db, u.id)).toBeDefined();
    expect(u.lastText()).toContain("Введение в Python");
    expect(u.buttons()[0]!.data).toBe("enr:python-101");
  });

  it("a deep link to an unknown course says so and still greets", async () => {
    const u = tb.user(9, { lang: "en" });
    await u.send("/start nope");
    expect(u.texts()[0]).toContain("could not find a course called “nope”");
    expect(u.lastText()).toContain("Hello");
  });
});

describe("language", () => {
  it("takes Telegram's language, falls back to DEFAULT_LOCALE, and /language changes and stores it", async () => {
    const u = tb.user(10, { lang: "de" });
    await u.send("/help");
    expect(getLearner(tb.db, u.id)?.language).toBe("kk");
    await u.send("/language");
    expect(u.buttons().map((b) => b.data)).toEqual(["lang:kk", "lang:ru", "lang:en"]);
    await u.press("lang:ru");
    expect(u.lastText()).toContain("по-русски");
    expect(getLearner(tb.db, u.id)?.language).toBe("ru");
    await u.send("/courses");
    expect(u.lastText()).toContain("Курсы");
  });
});
