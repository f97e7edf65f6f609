import { describe, expect, it } from "vitest";
import { formatTable } from "./faults/run.js";
import { fuzzScenario, killScenario, orphanPostScenario, type Check } from "./faults/scenarios.js";

/**
 * The fast part of the fault suite (npm run faults runs all of it against the built process):
 * a few kill -9 during every flow and a short fuzz, against src through tsx.
 *
 * A check that fails for a known reason that is not yet fixed is listed in KNOWN_FAILING with
 * that reason: it is printed in the table but does not fail `npm test`.
 */
const KNOWN_FAILING: Record<string, string> = {};

const known = (c: Check) => Object.entries(KNOWN_FAILING).find(([prefix]) => c.check.startsWith(prefix))?.[1];

function verdict(checks: Check[]): { unexpected: Check[] } {
  console.log(formatTable(checks.map((c) => (c.held === false && known(c) ? { ...c, detail: `known: ${known(c)}; ${c.detail}` } : c))));
  return { unexpected: checks.filter((c) => c.held === false && !known(c)) };
}

describe("fault suite (fast subset)", () => {
  it("kill -9 at random points of enrolling, a quiz, a questionnaire, /ask and a broadcast", async () => {
    const checks = await killScenario({
      entry: "tsx",
      kills: 4,
      seed: Number(process.env.FAULTS_SEED ?? 16),
      perFlow: 1,
      broadcastLearners: 40,
      budgetMs: 20_000,
    });
    expect(checks.length).toBeGreaterThan(10);
    expect(verdict(checks).unexpected).toEqual([]);
  }, 240_000);

  it("kill -9 right after Telegram accepted an /ask post: posted again saying so, both copies answerable", async () => {
    const checks = await orphanPostScenario({ entry: "tsx" });
    expect(checks.every((c) => c.held === true)).toBe(true);
    expect(verdict(checks).unexpected).toEqual([]);
  }, 120_000);

  it("fuzzed updates from eight chats: no crash, replies in the learner's language", async () => {
    const checks = await fuzzScenario({ entry: "tsx", chats: 8, perChat: 3, seed: Number(process.env.FAULTS_SEED ?? 16) });
    expect(verdict(checks).unexpected).toEqual([]);
  }, 120_000);
});
