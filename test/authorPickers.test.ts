/** Issue 15 item 12: /quizstats offers a course picker like /results; /results of an unanswered questionnaire is one line. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot } from "./support/harness.js";
import { QUESTIONNAIRES_YAML } from "./support/questionnaires.js";
import { QUIZ_ALL_TYPES } from "./support/quizzes.js";

let tb: TestBot;
beforeEach(() => {
  tb = new TestBot({ now: T0 });
  tb.loadCourse(courseYaml({ quizzes: { 0: QUIZ_ALL_TYPES }, extra: QUESTIONNAIRES_YAML }));
  tb.loadCourse(courseYaml({ id: "data-later", start: "2026-09-10" }));
});
afterEach(() => tb.close());

const ui = {
  kk: {
    usage: "/quizstats &lt;курс id&gt; жіберіңіз немесе курсты таңдаңыз:",
    header: "Тесттер статистикасы: Python тіліне кіріспе",
    pre: "<b>Курс алдында</b>: әзірге ешкім жауап бермеді.",
    preStarted: "<b>Курс алдында</b>: әзірге ешкім сауалнаманы жібермеді (бастағандар: 1).",
  },
  ru: {
    usage: "Отправьте /quizstats &lt;id курса&gt; или выберите курс:",
    header: "Статистика тестов: Введение в Python",
    pre: "<b>Перед курсом</b>: пока никто не ответил.",
    preStarted: "<b>Перед курсом</b>: пока никто не отправил анкету (начали: 1).",
  },
  en: {
    usage: "Send /quizstats &lt;course id&gt;, or choose a course:",
    header: "Quiz statistics: Introduction to Python",
    pre: "<b>Before the course</b>: nobody has answered yet.",
    preStarted: "<b>Before the course</b>: nobody has submitted it yet (started: 1).",
  },
} as const;

describe.each(["kk", "ru", "en"] as const)("author pickers and empty results (%s)", (lang) => {
  it("/quizstats without a course offers one button per course; a button sends that course's statistics", async () => {
    const author = tb.user(900, { lang });
    await author.send("/quizstats");
    expect(author.lastText()).toBe(ui[lang].usage);
    expect(author.buttons().map((b) => b.data)).toEqual(["qss:python-101", "qss:data-later"]);
    await author.press("qss:python-101");
    expect(author.lastText()).toContain(ui[lang].header);
    expect(author.lastText()).not.toContain("data-later");

    const learner = tb.user(5, { lang });
    await learner.press("qss:python-101");
    expect(tb.telegram.textsTo(5).join("\n")).not.toContain(ui[lang].header);
  });

  it("/results of a questionnaire nobody answered says so in one line", async () => {
    const author = tb.user(900, { lang });
    await author.send("/results python-101");
    const report = author.lastText();
    const lines = report.split("\n");
    expect(lines).toContain(ui[lang].pre);
    expect(lines.filter((l) => l.includes("<b>1."))).toHaveLength(0); // no per-question lines

    const u = tb.user(1, { lang });
    await u.send("/start");
    await u.press("enr!:python-101");
    await u.press("qn:python-101:pre");
    await author.send("/results python-101");
    expect(author.lastText().split("\n")).toContain(ui[lang].preStarted);
  });
});
