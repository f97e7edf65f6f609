import { runInteractiveBench } from "./interactive.ts";
import { renderTable } from "./figures.ts";
const r = await runInteractiveBench({ learners: Number(process.env.L ?? 20), rounds: Number(process.env.R ?? 3), warmup: 5 });
console.log(renderTable(r.figures));
console.log(JSON.stringify(r.rounds));
