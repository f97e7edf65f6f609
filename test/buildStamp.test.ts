import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// scripts/build.mjs in a scratch project whose "tsc" only counts how often it runs: `npm start`
// compiles on the first start and after a source change, never on a plain restart.
describe("npm start builds only when sources changed", () => {
  let dir: string;
  const runs = () => readFileSync(join(dir, "tsc-runs"), "utf8").length;
  const start = () => spawnSync(process.execPath, [join(dir, "scripts", "build.mjs")], { cwd: dir, encoding: "utf8" });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "build-stamp-"));
    mkdirSync(join(dir, "scripts"));
    copyFileSync("scripts/build.mjs", join(dir, "scripts", "build.mjs"));
    mkdirSync(join(dir, "src", "bot"), { recursive: true });
    writeFileSync(join(dir, "src", "main.ts"), "export {};\n");
    writeFileSync(join(dir, "src", "bot", "a.ts"), "export const a = 1;\n");
    writeFileSync(join(dir, "tsconfig.json"), "{}");
    writeFileSync(join(dir, "tsconfig.build.json"), "{}");
    writeFileSync(join(dir, "tsc-runs"), "");
    const ts = join(dir, "node_modules", "typescript");
    mkdirSync(join(ts, "bin"), { recursive: true });
    writeFileSync(join(ts, "package.json"), JSON.stringify({ version: "5.0.0" }));
    writeFileSync(
      join(ts, "bin", "tsc"),
      `const fs = require("node:fs"); fs.appendFileSync("tsc-runs", "x"); fs.mkdirSync("dist", { recursive: true }); fs.writeFileSync("dist/main.js", "");`,
    );
    writeFileSync(join(ts, "bin", "package.json"), JSON.stringify({ type: "commonjs" }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("builds on the first start, skips unchanged restarts, rebuilds after an edit, a new file or a removed dist", () => {
    expect(start().status).toBe(0);
    expect(runs()).toBe(1);
    expect(start().status).toBe(0);
    expect(start().status).toBe(0);
    expect(runs()).toBe(1);

    writeFileSync(join(dir, "src", "bot", "a.ts"), "export const a = 2;\n");
    start();
    expect(runs()).toBe(2);
    start();
    expect(runs()).toBe(2);

    writeFileSync(join(dir, "src", "bot", "b.ts"), "export const b = 1;\n");
    start();
    expect(runs()).toBe(3);

    rmSync(join(dir, "dist", "main.js"));
    start();
    expect(runs()).toBe(4);
  });

  it("a failed build leaves no stamp, so the next start tries again", () => {
    const tsc = join(dir, "node_modules", "typescript", "bin", "tsc");
    writeFileSync(tsc, `require("node:fs").appendFileSync("tsc-runs", "x"); process.exit(2);`);
    expect(start().status).toBe(2);
    expect(start().status).toBe(2);
    expect(runs()).toBe(2);
  });
});
