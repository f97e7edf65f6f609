import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getCourse } from "../src/db/coursesRepo.js";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot, tempDir } from "./support/harness.js";

const AUTHOR = 900;
let tb: TestBot;
let cleanup: () => void;
afterEach(() => {
  tb.close();
  cleanup();
});

describe("/reload", () => {
  it("re-reads COURSES_DIR for an author: loads what is valid, lists each error with file and line, keeps the rest", async () => {
    const dir = tempDir();
    cleanup = dir.cleanup;
    writeFileSync(join(dir.dir, "good.yaml"), courseYaml({ id: "good-course" }));
    writeFileSync(join(dir.dir, "bad.yaml"), courseYaml({ id: "bad-course" }).replace(/^start: .*$/m, "start: someday"));
    tb = new TestBot({ now: T0, config: { COURSES_DIR: dir.dir } });
    const author = tb.user(AUTHOR, { lang: "en" });

    await author.send("/reload");
    const text = tb.telegram.textsTo(AUTHOR).join("\n");
    expect(text).toContain("Reloaded 2 course files:");
    expect(text).toMatch(/✅ .*good\.yaml: course “good-course” loaded/);
    expect(text).toMatch(/❌ .*bad\.yaml: not loaded/);
    expect(text).toMatch(/bad\.yaml:\d+ start: error: /);
    expect(getCourse(tb.db, "good-course")).toBeDefined();
    expect(getCourse(tb.db, "bad-course")).toBeUndefined();

    await author.send("/reload");
    expect(tb.telegram.textsTo(AUTHOR).join("\n")).toMatch(/good\.yaml: course “good-course” unchanged/);
  });

  it("is refused to anyone not a platform admin (course files are the server's)", async () => {
    const dir = tempDir();
    cleanup = dir.cleanup;
    tb = new TestBot({ now: T0, config: { COURSES_DIR: dir.dir } });
    const learner = tb.user(41, { lang: "en" });
    await learner.send("/reload");
    expect(learner.lastText()).toBe("This command is only for the platform's administrators.");
  });
});
