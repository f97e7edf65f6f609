/** Names, titles and texts full of HTML's special characters go through every screen without Telegram refusing one. */
import { expect, it } from "vitest";
import { courseYaml } from "./support/courses.js";
import { QUESTIONNAIRES_YAML } from "./support/questionnaires.js";
import { T0, TestBot } from "./support/harness.js";
it("a learner, an author and an assistant with <, & and emoji in names, titles and texts are never refused", async () => {
  const ASSIST = -100500;
  const tb = new TestBot({ now: T0, config: { ASSISTANT_CHAT_ID: String(ASSIST), DEFAULT_LOCALE: "en" } });
  const tr = (s: string) => `{ kk: ${JSON.stringify(s)}, ru: ${JSON.stringify(s)}, en: ${JSON.stringify(s)} }`;
  tb.loadCourse(
    courseYaml({ extra: QUESTIONNAIRES_YAML + `glossary:\n  - term: ${tr("A & <B>")}\n    definition: ${tr("x < y & z")}` }).replace(
      /^title: .*$/m,
      `title: ${tr("Python & <Data> 😀")}`,
    ),
  );
  const u = tb.user(5, { lang: "en", firstName: "Tom & <Jerry>" });
  for (const m of [
    "/start",
    "/courses",
    "/mycourses",
    "/quiz",
    "/progress",
    "/glossary",
    "/glossary <b",
    "/help",
    "/myquestions",
    "/language",
    "/ask",
  ])
    await u.send(m);
  await u.press("crs:python-101");
  await u.press("enr!:python-101");
  for (const m of ["/mycourses", "/quiz", "/progress", "/ask"]) await u.send(m);
  await u.press("ask:c:python-101");
  await u.press("ask:m:python-101:g");
  await u.send("What is <b> & why?");
  const a = tb.user(900, { lang: "ru", firstName: "<Author>" });
  for (const m of ["/start", "/results", "/export", "/quizstats", "/announce", "/reload", "/results python-101"]) await a.send(m);
  await u.press("qn:python-101:pre");
  await u.send("4");
  await a.send("/export python-101");
  const g = tb.groupUser(77, ASSIST, { firstName: "<As&sistant>" });
  await g.send("/questions");
  await g.send("/questions_csv");
  const refused = tb.telegram.refused.map((c) => `${c.method}: ${c.error?.description}`);
  const sends = tb.telegram.delivered.length;
  tb.close();
  expect(refused).toEqual([]);
  expect(sends).toBeGreaterThan(20);
});
