/**
 * npm run bench [-- interactive|broadcast|scale ...]: the performance suite of issue 13. Each part
 * prints as it goes; a table at the end gives every figure with its goal and "ok" / "not ok".
 * Sizes come from the environment (README, "Performance"). Not part of npm test.
 */
import { envNumber, renderTable, type Figure } from "./figures.js";
import { renderBreakdown, runInteractiveBench } from "./interactive.js";
import { runScaleBench } from "./scale.js";
import { broadcastFigures } from "./targets.js";

const PARTS = ["interactive", "broadcast", "scale"] as const;
type Part = (typeof PARTS)[number];

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => a !== "--");
  const unknown = asked.filter((a) => !(PARTS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    console.error(`unknown part(s): ${unknown.join(", ")}; parts: ${PARTS.join(", ")}`);
    process.exit(2);
  }
  const parts: Part[] = asked.length > 0 ? (asked as Part[]) : [...PARTS];
  const figures: Figure[] = [];
  const started = performance.now();
  for (const part of parts) {
    console.log(`\n== ${part}`);
    if (part === "interactive") {
      const r = await runInteractiveBench();
      console.log(renderBreakdown(r.breakdown));
      figures.push(...r.figures);
    } else if (part === "broadcast") {
      const runs = envNumber("BENCH_BROADCAST_RUNS", 1);
      const sizes = (process.env.BENCH_BROADCAST_SIZES ?? "10000,100000").split(",").map(Number);
      for (const learners of sizes) figures.push(...(await broadcastFigures(learners, runs)));
    } else {
      figures.push(...(await runScaleBench()));
    }
  }
  console.log(`\n${renderTable(figures)}\n\n(${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
