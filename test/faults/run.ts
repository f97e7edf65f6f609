/**
 * npm run faults: the fault suite against the real, built process (see README "Reliability").
 * Prints a table of what held and what did not; exits 1 when something did not hold.
 * FAULTS_KILLS (default 50), FAULTS_SEED, FAULTS_ONLY=kill,orphan,outage,storm,disk,fuzz.
 */
import { execSync } from "node:child_process";
import {
  diskFullScenario,
  fuzzScenario,
  killScenario,
  orphanPostScenario,
  outageScenario,
  stormScenario,
  type Check,
} from "./scenarios.js";

const seed = Number(process.env.FAULTS_SEED ?? Date.now() % 100_000);
const only = new Set((process.env.FAULTS_ONLY ?? "kill,orphan,outage,storm,disk,fuzz").split(","));
const kills = Number(process.env.FAULTS_KILLS ?? 50);

async function main(): Promise<number> {
  console.log(`fault suite: seed ${seed} (repeat with FAULTS_SEED=${seed})`);
  if (process.env.FAULTS_NO_BUILD !== "1") {
    console.log("building (npm run build)…");
    execSync("npm run build", { stdio: "ignore" });
  }
  const checks: Check[] = [];
  const run = async (name: string, f: () => Promise<Check[]>) => {
    if (!only.has(name)) return;
    const t = Date.now();
    console.log(`▶ ${name}`);
    try {
      checks.push(...(await f()));
    } catch (err) {
      checks.push({
        area: name,
        check: "the scenario ran to its end",
        held: false,
        detail: String(err instanceof Error ? err.message : err).slice(0, 200),
      });
    }
    console.log(`  ${name} took ${((Date.now() - t) / 1000).toFixed(0)} s`);
  };
  await run("kill", () => killScenario({ entry: "dist", kills, seed, perFlow: 2, broadcastLearners: 150, log: (l) => console.log(l) }));
  await run("orphan", () => orphanPostScenario({ entry: "dist" }));
  await run("outage", () => outageScenario({ entry: "dist", seconds: 20, recoverySeconds: 5 }));
  await run("storm", () => stormScenario({ entry: "dist", broadcast: 60, repliers: 6 }));
  await run("disk", () => diskFullScenario({ entry: "dist" }));
  await run("fuzz", () => fuzzScenario({ entry: "dist", chats: 40, perChat: 15, seed }));
  console.log(formatTable(checks));
  return checks.some((c) => c.held === false) ? 1 : 0;
}

export function formatTable(checks: Check[]): string {
  const rows = checks.map((c) => [c.held === "skipped" ? "SKIP" : c.held ? "held" : "FAILED", c.area, c.check, c.detail]);
  const w = [6, Math.max(...rows.map((r) => r[1]!.length), 4), Math.min(Math.max(...rows.map((r) => r[2]!.length), 5), 90)];
  const line = (r: string[]) => `| ${r[0]!.padEnd(w[0]!)} | ${r[1]!.padEnd(w[1]!)} | ${r[2]!.padEnd(w[2]!)} | ${r[3]}`;
  const failed = checks.filter((c) => c.held === false).length;
  return [
    "",
    line(["result", "area", "check", "detail"]),
    ...rows.map(line),
    "",
    `${checks.length - failed} of ${checks.length} held${failed ? `, ${failed} did not` : ""}`,
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
