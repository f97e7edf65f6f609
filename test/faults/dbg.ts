import { killScenario } from "./scenarios.js";
import { formatTable } from "./run.js";
const checks = await killScenario({ entry: "dist", kills: Number(process.env.K ?? 6), seed: 7, perFlow: 2, broadcastLearners: 60, log: console.log });
console.log(formatTable(checks));
