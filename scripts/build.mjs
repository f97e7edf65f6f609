#!/usr/bin/env node
// Build dist/ only when what it is built from changed, so `npm start` after a restart runs the
// compiled code at once instead of spending 7-20 s in tsc. A fingerprint of the inputs (the
// content of every file under src/, the tsconfigs and the TypeScript version) is kept in
// dist/.build-stamp after a successful build; when it matches and dist/main.js exists, nothing
// is compiled. Content, not mtimes: a `git checkout` of the same text does not force a build.
//
//   node scripts/build.mjs          # build when stale (npm start)
//   node scripts/build.mjs --force  # always build (npm run build)
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const stampFile = join(root, "dist", ".build-stamp");
const force = process.argv.includes("--force");

function files(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

function fingerprint() {
  const hash = createHash("sha256");
  const inputs = [...files(join(root, "src")), join(root, "tsconfig.json"), join(root, "tsconfig.build.json")];
  for (const f of inputs) {
    hash.update(relative(root, f)).update("\0").update(readFileSync(f)).update("\0");
  }
  const tsVersion = JSON.parse(readFileSync(join(root, "node_modules", "typescript", "package.json"), "utf8")).version;
  return hash.update(`typescript ${tsVersion}`).digest("hex");
}

const wanted = fingerprint();
const built = existsSync(stampFile) ? readFileSync(stampFile, "utf8").trim() : "";
if (!force && built === wanted && existsSync(join(root, "dist", "main.js"))) process.exit(0);

if (!force) console.log(built ? "Sources changed: building dist/ ..." : "First start: building dist/ (once) ...");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const result = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stampFile, `${wanted}\n`);
