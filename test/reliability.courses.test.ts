import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { loadCoursesFromDir, MAX_COURSE_FILE_BYTES } from "../src/courses/loadCourses.js";
import { describeReports } from "../src/messages/courseIssues.js";
import { closeDatabase, openDatabase, type Db } from "../src/db/client.js";
import { listCourses } from "../src/db/coursesRepo.js";
import { courseYaml } from "./support/courses.js";
import { T0, TEST_TOKEN, tempDir } from "./support/harness.js";

let dir: string;
let courses: string;
let cleanup: () => void;
let db: Db;
const opts = { now: T0, defaultTimezone: "Asia/Almaty" };

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  courses = join(dir, "courses");
  mkdirSync(courses);
  db = openDatabase(join(dir, "bot.sqlite"));
});
afterEach(() => {
  closeDatabase(db);
  chmodSync(dir, 0o700);
  cleanup();
});

const write = (name: string, text: string | Buffer) => writeFileSync(join(courses, name), text);
const load = () => loadCoursesFromDir(db, courses, opts);
const issueCodes = (file: string) =>
  load()
    .find((r) => r.file.endsWith(file))
    ?.issues.map((i) => i.code);

/** A "billion laughs" document: 9 aliases per level, 9 levels. */
function aliasBomb(): string {
  let s = 'id: bomb\na: &a ["x","x","x","x","x","x","x","x","x"]\n';
  for (let i = 1; i < 10; i++) {
    const name = String.fromCharCode(97 + i);
    s += `${name}: &${name} [${Array(9)
      .fill(`*${String.fromCharCode(96 + i)}`)
      .join(",")}]\n`;
  }
  return s;
}

describe("course files are isolated from each other", () => {
  it("a YAML alias bomb, a huge file, a non-UTF-8 file and an unreadable file each fail alone, naming the file; the good ones load", () => {
    write("a-good.yaml", courseYaml({ id: "course-a" }));
    write("b-bomb.yaml", aliasBomb());
    write("c-huge.yaml", "# padding\n".repeat(MAX_COURSE_FILE_BYTES / 10 + 1));
    write("d-latin1.yaml", Buffer.concat([Buffer.from("id: latin\ntitle:\n  en: Caf"), Buffer.from([0xe9]), Buffer.from("\n")]));
    write("e-locked.yaml", courseYaml({ id: "course-e" }));
    chmodSync(join(courses, "e-locked.yaml"), 0o000);
    write("f-good.yaml", courseYaml({ id: "course-f" }));
    const reports = load();
    const byFile = new Map(reports.map((r) => [r.file.split("/").pop(), r]));
    expect(
      listCourses(db)
        .map((c) => c.id)
        .sort(),
    ).toEqual(
      // root reads a 000 file anyway: then it loads like any other.
      process.getuid?.() === 0 ? ["course-a", "course-e", "course-f"] : ["course-a", "course-f"],
    );
    expect(byFile.get("b-bomb.yaml")!.issues.map((i) => i.code)).toEqual(["yaml_too_many_aliases"]);
    expect(byFile.get("c-huge.yaml")!.issues.map((i) => i.code)).toEqual(["file_too_large"]);
    expect(byFile.get("d-latin1.yaml")!.issues).toMatchObject([{ code: "file_not_utf8", line: 3 }]);
    if (process.getuid?.() !== 0) expect(byFile.get("e-locked.yaml")!.issues.map((i) => i.code)).toEqual(["file_unreadable"]);
    const log = describeReports(reports).join("\n");
    expect(log).toContain("b-bomb.yaml NOT loaded");
    expect(log).toMatch(/b-bomb\.yaml: error: the file uses too many YAML aliases/);
    expect(log).toMatch(/d-latin1\.yaml:3: error: the file is not UTF-8 text/);
  });

  it("follows a symlink to a regular file, reports broken links and links to folders instead of skipping them silently", () => {
    const elsewhere = join(dir, "content");
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, "linked.yaml"), courseYaml({ id: "course-linked" }));
    symlinkSync(join(elsewhere, "linked.yaml"), join(courses, "linked.yaml"));
    symlinkSync(join(dir, "nowhere.yaml"), join(courses, "broken.yaml"));
    symlinkSync(elsewhere, join(courses, "folder.yaml"));
    const reports = load();
    expect(listCourses(db).map((c) => c.id)).toEqual(["course-linked"]);
    expect(reports.map((r) => [r.file.split("/").pop(), r.loaded, r.issues.map((i) => i.code)])).toEqual([
      ["linked.yaml", true, []],
      ["broken.yaml", false, ["symlink_broken"]],
      ["folder.yaml", false, ["symlink_not_file"]],
    ]);
  });

  it("a FIFO named like a course file is reported, not read (reading it would hang the start)", () => {
    execFileSync("mkfifo", [join(courses, "pipe.yaml")]);
    write("good.yaml", courseYaml({ id: "course-a" }));
    expect(issueCodes("pipe.yaml")).toEqual(["file_not_regular"]);
    expect(listCourses(db).map((c) => c.id)).toEqual(["course-a"]);
  });

  it("a folder that disappeared gives one report instead of an exception (/reload)", () => {
    const reports = loadCoursesFromDir(db, join(dir, "gone"), opts);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.issues.map((i) => i.code)).toEqual(["dir_unreadable"]);
  });

  it("a BOM at the start of a file is accepted", () => {
    write("bom.yaml", "\ufeff" + courseYaml({ id: "course-bom" }));
    load();
    expect(listCourses(db).map((c) => c.id)).toEqual(["course-bom"]);
  });
});

describe("COURSES_DIR", () => {
  it("a missing folder is one configuration line naming the variable", () => {
    expect(() => loadConfig({ BOT_TOKEN: TEST_TOKEN, COURSES_DIR: join(dir, "nope") })).toThrow(
      new RegExp(`^COURSES_DIR "${join(dir, "nope")}" does not exist: create the folder`),
    );
  });

  it("a file instead of a folder is refused", () => {
    write("x.yaml", "id: x");
    expect(() => loadConfig({ BOT_TOKEN: TEST_TOKEN, COURSES_DIR: join(courses, "x.yaml") })).toThrow(/is a file, not a folder/);
  });
});

describe("/reload", () => {
  it("goes through every file and reports each, a bad one included", async () => {
    const { TestBot } = await import("./support/harness.js");
    write("a-good.yaml", courseYaml({ id: "course-a" }));
    write("b-bomb.yaml", aliasBomb());
    write("c-good.yaml", courseYaml({ id: "course-c" }));
    const tb = new TestBot({ config: { COURSES_DIR: courses } });
    try {
      const author = tb.user(900, { lang: "en" });
      await author.send("/reload");
      const text = author.texts().join("\n");
      expect(text).toContain("Reloaded 3 course files");
      expect(text).toMatch(/a-good\.yaml: course “course-a” loaded/);
      expect(text).toMatch(/b-bomb\.yaml: not loaded/);
      expect(text).toContain("too many YAML aliases");
      expect(text).toMatch(/c-good\.yaml: course “course-c” loaded/);
    } finally {
      tb.close();
    }
  });
});
