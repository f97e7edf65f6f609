import { describe, expect, it } from "vitest";
import { formatTable } from "./faults/run.js";
import { fuzzScenario, killScenario, type Check } from "./faults/scenarios.js";

/**
 * The fast part of the fault suite (npm run faults runs all of it against the built process):
 * a few kill -9 during every flow and a short fuzz, against src through tsx.
 *
 * Checks that depend on other items of issue 16 are listed in KNOWN_FAILING: they are reported
 * (printed in the table) but do not fail `npm test` until those items land. The lead removes
 * them from the list after the merge; a check that starts holding is printed as such.
 */
const KNOWN_FAILING: Record<string, string> = {
  // issue 16 item 1: the conversation's state is saved after the reply, so a kill between the two
  // leaves the conversation one step behind the screen.
  "quiz: 0 learners stuck (the question on screen works after a restart)": "issue 16 item 1",
  "quiz: every attempt reached its result": "issue 16 item 1",
  "questionnaire: 0 answers misattributed": "issue 16 item 1",
  "questionnaire: 0 learners stuck": "issue 16 item 1",
  "quiz: 0 answers misattributed": "issue 16 item 1",
  "quiz: 0 answers lost": "issue 16 item 1",
  "questionnaire: 0 answers lost": "issue 16 item 1",
  // issue 16 item 2: the post to the assistants is not idempotent across a kill.
  "/ask: 0 questions posted twice to the assistants": "issue 16 item 2",
  "/ask: every stored question's number reached the learner": "issue 16 item 2",
  // issue 16 item 1/5: an update fetched but not handled before the kill is not redelivered.
  "enrollment: /start and Enroll always answered": "issue 16 items 1 and 5",
  // issue 16 item 3: texts cut inside an emoji, refused by Telegram.
  "no 400 from the strict Bot API": "issue 16 item 3",
  "every private message gets a reply": "issue 16 item 3",
};

const known = (c: Check) => Object.entries(KNOWN_FAILING).find(([prefix]) => c.check.startsWith(prefix))?.[1];

function verdict(checks: Check[]): { unexpected: Check[] } {
  console.log(formatTable(checks.map((c) => (c.held === false && known(c) ? { ...c, detail: `known: ${known(c)}; ${c.detail}` } : c))));
  return { unexpected: checks.filter((c) => c.held === false && !known(c)) };
}

describe("fault suite (fast subset)", () => {
  it("kill -9 at random points of enrolling, a quiz, a questionnaire, /ask and a broadcast", async () => {
    const checks = await killScenario({ entry: "tsx", kills: 4, seed: Number(process.env.FAULTS_SEED ?? 16), perFlow: 1, broadcastLearners: 40, budgetMs: 20_000 });
    expect(checks.length).toBeGreaterThan(10);
    expect(verdict(checks).unexpected).toEqual([]);
  }, 240_000);

  it("fuzzed updates from eight chats: no crash, replies in the learner's language", async () => {
    const checks = await fuzzScenario({ entry: "tsx", chats: 8, perChat: 3, seed: Number(process.env.FAULTS_SEED ?? 16) });
    expect(verdict(checks).unexpected).toEqual([]);
  }, 120_000);
});
