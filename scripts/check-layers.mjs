#!/usr/bin/env node
// Layer check: every import under src/ must point down the layers, and no module may reach itself
// through its imports (a circle). Run by `npm test`; prints each violation and exits 1.
//
//   domain            pure rules; imports only other domain files
//   base              config.ts, clock.ts, log.ts, paths.ts: process-wide basics usable by every
//                     layer above domain (config needs domain's Locale and time-zone check)
//   db                drizzle schema, client, repositories
//   courses, messages course files (parse, validate, import) / every text a person reads;
//                     messages may read course definitions, courses never render
//   reports           exports built from db + messages (CSV, tables), used by bot, jobs and cli
//   bot, jobs         grammY features / scheduler and outbox; neither imports the other
//   cli, main         entry points
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");

const RANK = { domain: 0, base: 1, db: 2, courses: 3, messages: 3, reports: 4, bot: 5, jobs: 5, cli: 6, main: 6 };
/** Same-rank layers that may import each other in the direction given (from -> to). */
const SIDEWAYS = new Set(["messages->courses"]);

/** Known violations, "from -> to" relative to src/; empty: every import points down. */
const ALLOWED = new Set([]);

function layerOf(rel) {
  const top = rel.split("/")[0];
  if (rel === "main.ts") return "main";
  if (["config.ts", "clock.ts", "log.ts", "paths.ts"].includes(rel)) return "base";
  if (top in RANK) return top;
  return null;
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

const files = walk(src);
const graph = new Map();
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const deps = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith(".")) continue;
    const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
    deps.push(relative(src, target.endsWith(".ts") ? target : `${target}.ts`));
  }
  graph.set(relative(src, file), deps);
}

const problems = [];
const used = new Set();
for (const [from, deps] of graph) {
  const lf = layerOf(from);
  for (const to of deps) {
    const lt = layerOf(to);
    if (!lf || !lt) {
      problems.push(`${from} -> ${to}: outside every layer (add it to scripts/check-layers.mjs)`);
      continue;
    }
    const ok = lf === lt || RANK[lt] < RANK[lf] || SIDEWAYS.has(`${lf}->${lt}`);
    // Same rank, different layer (bot/jobs, courses/messages) is sideways: only what SIDEWAYS allows.
    if (ok) continue;
    const key = `${from} -> ${to}`;
    if (ALLOWED.has(key)) {
      used.add(key);
      continue;
    }
    problems.push(`${key}: ${lf} must not import ${lt}`);
  }
}

// Circles: strongly connected components of more than one file (Tarjan).
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function connect(v) {
  idx.set(v, index);
  low.set(v, index);
  index++;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!idx.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) {
      const key = component.sort().join(" ");
      if (ALLOWED_CIRCLES.has(key)) usedCircles.add(key);
      else problems.push(`circle: ${component.join(", ")}`);
    }
  }
}
/** Known circles (same rule as ALLOWED): the sorted files joined by spaces. */
const ALLOWED_CIRCLES = new Set([]);
const usedCircles = new Set();
for (const v of graph.keys()) if (!idx.has(v)) connect(v);

for (const key of ALLOWED) if (!used.has(key)) problems.push(`allowlisted "${key}" no longer occurs: remove it from the allowlist`);
for (const key of ALLOWED_CIRCLES) if (!usedCircles.has(key)) problems.push(`allowlisted circle "${key}" no longer occurs: remove it`);

if (problems.length) {
  console.error(`Layer check failed (${problems.length}):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`Layer check: ${graph.size} modules, imports point down the layers, no circles.`);
