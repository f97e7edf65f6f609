/**
 * Texts shortened by the bot never end in half an emoji (issue: "strings must be encoded in
 * UTF-8"): the strict fake Bot API refuses such a call, so every flow here must go through.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { quizAnswers } from "../src/db/schema/index.js";
import { hasLoneSurrogate } from "../src/domain/text.js";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot, type TestUser } from "./support/harness.js";

const SMILE = "😀";
const FAMILY = "👩‍👩‍👧";
const tr = (s: string) => `{ kk: ${JSON.stringify(s)}, ru: ${JSON.stringify(s)}, en: ${JSON.stringify(s)} }`;
const textQuiz = `
pass_score: 60
attempts: 2
questions:
  - type: text
    text: ${tr("Name the function that reads a line.")}
    answers: { kk: [input], ru: [input], en: [input] }
`;
// A title whose emoji straddles unit 57, where buttons used to be cut.
const LONG_TITLE = `${"A".repeat(56)}${SMILE} and a flag 🇰🇿 and more`;

let tb: TestBot;
beforeEach(() => {
  tb = new TestBot({ now: T0 });
  tb.loadCourse(
    courseYaml({
      start: "2026-08-31",
      quizzes: { 0: textQuiz },
      extra: `glossary:\n  - term: ${tr("Loop")}\n    definition: ${tr("Repeating.")}`,
    }).replace(/^title: .*$/m, `title: ${tr(LONG_TITLE)}`),
  );
});
afterEach(() => {
  const refused = tb.telegram.refused.map((c) => `${c.method}: ${c.error?.description}`);
  tb.close();
  expect(refused).toEqual([]);
});

async function enrolled(id: number): Promise<TestUser> {
  const u = tb.user(id, { lang: "en" });
  await u.send("/start");
  await u.press("enr!:python-101");
  return u;
}

const sentTexts = () =>
  tb.telegram.calls.flatMap((c) => [
    c.payload.text,
    ...((c.payload.reply_markup?.inline_keyboard ?? []) as { text: string }[][]).flat().map((b) => b.text),
  ]);

describe("texts cut at grapheme boundaries", () => {
  it("/courses with an emoji near the cut of a course title's button", async () => {
    const u = tb.user(1);
    await u.send("/courses");
    const button = u.buttons().find((b) => b.data === "crs:python-101")!;
    expect(button.text).toContain(`${"A".repeat(56)}${SMILE}`);
    expect(button.text.length).toBeLessThanOrEqual(60);
    expect(sentTexts().filter((t) => typeof t === "string" && hasLoneSurrogate(t))).toEqual([]);
  });

  it("/start with a long payload, an unknown long command and a long /glossary query", async () => {
    const u = tb.user(2);
    await u.send(`/start ${"x".repeat(62)}${SMILE}${SMILE}`);
    expect(u.texts().some((t) => t.includes(`${"x".repeat(62)}…`))).toBe(true);
    await u.send(`/${"y".repeat(62)}${FAMILY}`);
    await u.send(`/glossary ${"z".repeat(99)}${SMILE}`);
    expect(u.lastText()).toContain("z".repeat(99));
    expect(u.lastText()).not.toContain(SMILE);
  });

  it("a long free-text quiz answer is stored and shown without a cut character", async () => {
    const u = await enrolled(3);
    await u.press("qz:python-101:0");
    await u.press(u.buttons().find((b) => b.data.startsWith("qs:"))!.data);
    await u.send(`${"w".repeat(499)}${SMILE}${FAMILY}`);
    const stored = tb.db.select().from(quizAnswers).all();
    expect(stored).toHaveLength(1);
    const given = stored[0]!.answer as { kind: string; text: string };
    expect(given.text).toBe("w".repeat(499));
    expect(hasLoneSurrogate(given.text)).toBe(false);
    // The quiz went on to its result instead of ending silently.
    expect(u.texts().some((t) => t.includes("w".repeat(150)))).toBe(true);
    expect(tb.db.select().from(quizAnswers).where(eq(quizAnswers.attemptId, stored[0]!.attemptId)).all()).toHaveLength(1);
  });
});

describe("one shortening helper", () => {
  it("no module shortens a text with its own slice and ellipsis (domain/text.ts shorten() cuts at graphemes)", () => {
    const files = readdirSync("src", { recursive: true, encoding: "utf8" }).filter(
      (f) => f.endsWith(".ts") && f !== join("domain", "text.ts"),
    );
    // A slice followed by an ellipsis on the same line: a hand-made cut that may split an emoji.
    const handMade = /\.slice\([^)]*\)[^\n;]*…/;
    const offenders = files.filter((f) => handMade.test(readFileSync(join("src", f), "utf8")));
    expect(offenders).toEqual([]);
  });
});
