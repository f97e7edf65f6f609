import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { answersOf, getResponse } from "../src/db/questionnaireRepo.js";
import { courseYaml } from "./support/courses.js";
import { QUESTIONNAIRES_YAML } from "./support/questionnaires.js";
import { T0, TestBot, type TestUser } from "./support/harness.js";

let tb: TestBot;
beforeEach(() => {
  tb = new TestBot({ now: T0 });
  tb.loadCourse(courseYaml({ extra: QUESTIONNAIRES_YAML }));
});
afterEach(() => tb.close());

async function enrolled(id: number, lang: string): Promise<TestUser> {
  const u = tb.user(id, { lang });
  await u.send("/start");
  await u.press("enr!:python-101");
  return u;
}

describe("answering", () => {
  it("walks through every type in English and submits once", async () => {
    const u = await enrolled(1, "en");
    await u.press("qn:python-101:pre");
    expect(u.lastText()).toContain("question 1 of 6");
    const rid = getResponse(tb.db, 1, "python-101", "pre")!.id;
    await u.press(`qa:${rid}:0:v:3`);
    expect(u.lastText()).toContain("question 2 of 6");
    await u.press(`qa:${rid}:1:v:1`);
    await u.press(`qa:${rid}:2:t:0`);
    await u.press(`qa:${rid}:2:t:1`);
    await u.press(`qa:${rid}:2:d`);
    await u.press(`qa:${rid}:3:y`);
    await u.send("abc");
    expect(u.texts().at(-2)).toContain("That is not a number");
    await u.send("12");
    await u.press(`qa:${rid}:5:s`);
    expect(u.lastText()).toContain("Your answers");
    await u.press(`qa:${rid}:6:ok`);
    expect(u.lastText()).toContain("Thank you");
    expect(answersOf(tb.db, rid)).toEqual({ motivation: 4, level: "some", devices: ["phone", "laptop"], studied_online: true, hours: 12, goals: null });
  });
});
