import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync, type Zippable } from "fflate";
import { afterEach, describe, expect, it } from "vitest";
import { loadCoursesFromDir } from "../src/courses/loadCourses.js";
import { getCourse } from "../src/db/coursesRepo.js";
import { listVersions, versionBundle } from "../src/db/courseVersionsRepo.js";
import { grantCourseRole } from "../src/db/staffRepo.js";
import { MAX_UNPACKED_BYTES } from "../src/courses/zipArchive.js";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot, tempDir, type TestUser } from "./support/harness.js";

/**
 * Courses uploaded through the chat (issue 9 items 4 and 8): documents served by the strict fake
 * Bot API (getFile and the file download), the real grammY pipeline, what the author reads and
 * what the database holds, with restarts between steps.
 */

const ADMIN = 900;
const AUTHOR_A = 901;
let tb: TestBot;
const cleanups: (() => void)[] = [];
afterEach(() => {
  tb.close();
  for (const c of cleanups.splice(0)) c();
});

function dir(): string {
  const d = tempDir();
  cleanups.push(d.cleanup);
  return d.dir;
}

async function sendDocument(user: TestUser, name: string, bytes: Uint8Array | string, caption?: string): Promise<void> {
  const document = user.tb.telegram.addFile(name, bytes);
  await user.sendWith(undefined, { document, ...(caption ? { caption } : {}) });
}

const confirmData = (user: TestUser) => user.buttons().find((b) => b.data.startsWith("upl:y:"))!.data;

/** The demo course with its GIFT and Aiken banks, as an author zips the folder. */
function demoZip(extra: Zippable = {}, change?: (yaml: string) => string): Uint8Array {
  const yaml = readFileSync("courses/intro-programming.yaml", "utf8");
  const banks: Zippable = {};
  for (const f of readdirSync("courses/intro-programming")) banks[f] = readFileSync(join("courses/intro-programming", f));
  return zipSync({
    "my-course": { "intro-programming.yaml": Buffer.from(change ? change(yaml) : yaml), "intro-programming": banks },
    "__MACOSX/._intro-programming.yaml": Buffer.from("junk"),
    ...extra,
  });
}

/** Windows-1251 bytes of Russian text (what an old Notepad saves as "ANSI"). */
function cp1251(text: string): Buffer {
  return Buffer.from(
    [...text].map((ch) => {
      const c = ch.codePointAt(0)!;
      if (c < 0x80) return c;
      if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
      return 0x3f;
    }),
  );
}

describe("uploading a course through the chat", () => {
  it("a valid .yaml: summary with what changes, nothing imported until confirmed, then imported as version 1", async () => {
    tb = new TestBot({ now: T0 });
    const admin = tb.user(ADMIN, { lang: "en" });
    await sendDocument(
      admin,
      "python-101.yaml",
      courseYaml({ id: "python-101", quizzes: { 0: "pass_score: 60\nquestions:\n" + quizItems(4) } }),
    );
    const summary = admin.lastText();
    expect(summary).toContain("“python-101.yaml”: a new course “Introduction to Python” (<code>python-101</code>).");
    expect(summary).toMatch(/• Start: .*2026/);
    expect(summary).toContain("• New modules: 1 “Module 1”, 2 “Module 2”, 3 “Module 3”, 4 “Module 4”");
    expect(summary).toContain("• New quiz in module 1: 4 questions");
    expect(summary).toMatch(/⚠️ 2 warnings and notes:\n• python-101\.yaml:\d+ modules\[0\]\.quiz: warning: /);
    expect(summary).toContain("Import it?");
    expect(admin.buttons().map((b) => b.text)).toEqual(["✅ Import", "✖️ Cancel"]);
    expect(getCourse(tb.db, "python-101")).toBeUndefined();
    const download = tb.telegram.callsOf("download");
    expect(download).toHaveLength(1);
    expect(JSON.stringify(download[0]!.payload)).not.toContain("TEST-token");

    const data = confirmData(admin);
    await admin.press(data);
    expect(admin.lastText()).toBe("✅ Imported: “Introduction to Python” is now version 1. Earlier versions: /versions python-101");
    expect(getCourse(tb.db, "python-101")?.sourceFile).toBe("upload:python-101.yaml");
    expect(listVersions(tb.db, "python-101").map((v) => [v.version, v.origin, v.createdBy])).toEqual([[1, "upload", ADMIN]]);

    // A second tap on the same (old) button imports nothing twice.
    await admin.press(data);
    expect(admin.lastAlert()).toBe("This upload has already been imported.");
    expect(listVersions(tb.db, "python-101")).toHaveLength(1);
  });

  it("an update says how many enrolled learners it reaches; Cancel imports nothing", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml({ id: "python-101" }));
    for (const id of [51, 52, 53]) await tb.user(id).send("/start");
    for (const id of [51, 52, 53]) await tb.user(id).press("enr!:python-101");
    const admin = tb.user(ADMIN, { lang: "ru" });
    await sendDocument(admin, "python-101.yaml", courseYaml({ id: "python-101", modules: 5, start: "2026-09-14" }));
    const summary = admin.lastText();
    expect(summary).toContain("новая версия курса «Введение в Python»");
    expect(summary).toContain("• Новые модули: 5 «Модуль 5»");
    expect(summary).toMatch(/• Начало: 7 сентября 2026.* → 14 сентября 2026/);
    expect(summary).toContain("👥 Сейчас записаны 3 слушателя, они увидят новую версию");
    await admin.press(admin.buttons().find((b) => b.data.startsWith("upl:x:"))!.data);
    expect(admin.lastText()).toBe("✖️ Отменено: ничего не импортировано.");
    expect(getCourse(tb.db, "python-101")?.sourceFile).toBe("test.yaml");
  });

  it("an invalid file: every problem with file:line and field, in the author's language (kk, ru, en); the course stays", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml({ id: "python-101" }));
    const broken = courseYaml({ id: "python-101" }).replace(/^start: .*$/m, "start: someday\nenrollment: { opens: never }");
    const expected = {
      kk: "«python-101.yaml» импортталмады: 2 қате.",
      ru: "«python-101.yaml» не импортирован: 2 ошибки.",
      en: "“python-101.yaml” was not imported: 2 errors.",
    };
    const levels = { kk: "қате", ru: "ошибка", en: "error" };
    for (const [k, lang] of (["kk", "ru", "en"] as const).entries()) {
      const id = AUTHOR_A + k;
      grantCourseRole(tb.db, { courseId: "python-101", userId: id, role: "author", grantedBy: ADMIN, now: new Date(T0) });
      const author = tb.user(id, { lang });
      await sendDocument(author, "python-101.yaml", broken);
      const text = author.lastText();
      expect(text).toContain(expected[lang]);
      expect(text).toContain(`• python-101.yaml:5 start: ${levels[lang]}: `);
      expect(text).toContain(`• python-101.yaml:6 enrollment.opens: ${levels[lang]}: `);
      expect(author.buttons()).toEqual([]);
    }
    expect(getCourse(tb.db, "python-101")?.sourceFile).toBe("test.yaml");
    expect(tb.telegram.refused).toEqual([]);
  });

  it("a .zip with the course file and its quiz banks (wrapped in a folder, with OS junk and an unused file)", async () => {
    tb = new TestBot({ now: T0 });
    const admin = tb.user(ADMIN, { lang: "en" });
    await sendDocument(admin, "course.zip", demoZip({ "my-course": { "notes.docx": Buffer.from("x") } as never }));
    // fflate merges folders: rebuild with the unused file inside the course's folder.
    const zip = zipSync({
      "my-course/intro-programming.yaml": readFileSync("courses/intro-programming.yaml"),
      ...Object.fromEntries(
        readdirSync("courses/intro-programming").map((f) => [
          `my-course/intro-programming/${f}`,
          readFileSync(join("courses/intro-programming", f)),
        ]),
      ),
      "my-course/notes.docx": Buffer.from("x"),
      "__MACOSX/._x": Buffer.from("junk"),
    });
    await sendDocument(admin, "course.zip", zip);
    const summary = admin.lastText();
    expect(summary).toContain("a new course “Introduction to Programming with Python” (<code>intro-programming</code>)");
    expect(summary).toMatch(/• New quiz in module 2: \d+ questions/);
    expect(summary).toContain("ℹ️ Files in the archive the course does not use: notes.docx");
    await admin.press(confirmData(admin));
    expect(admin.lastText()).toContain("is now version 1");
    const bundle = versionBundle(tb.db, "intro-programming", 1)!;
    expect(bundle.courseFile).toBe("intro-programming.yaml");
    expect(Object.keys(bundle.files).sort()).toEqual(
      ["intro-programming.yaml", ...readdirSync("courses/intro-programming").map((f) => `intro-programming/${f}`)].sort(),
    );
  });

  it("refuses bad archives and files with a clear message, downloading nothing it need not, importing nothing", async () => {
    tb = new TestBot({ now: T0 });
    const admin = tb.user(ADMIN, { lang: "en" });
    const yaml = Buffer.from(courseYaml({ id: "zip-test" }));
    const cases: [string, Uint8Array, RegExp][] = [
      ["bomb.zip", zipSync({ "c.yaml": yaml, "big.txt": new Uint8Array(MAX_UNPACKED_BYTES + 1024) }), /unpacks to more than 20 MB/],
      [
        "liar.zip",
        lyingSizes(zipSync({ "c.yaml": yaml, "big.txt": new Uint8Array(MAX_UNPACKED_BYTES + 1024) })),
        /unpacks to more than 20 MB/,
      ],
      [
        "many.zip",
        zipSync(Object.fromEntries(Array.from({ length: 205 }, (_, i) => [`f${i}.txt`, Buffer.from("x")]))),
        /holds too many files \(at most 200\)/,
      ],
      ["up.zip", zipSync({ "c.yaml": yaml, "../evil.txt": Buffer.from("x") }), /the path “\.\.\/evil\.txt” leaves the archive/],
      ["abs.zip", zipSync({ "c.yaml": yaml, "/etc/passwd": Buffer.from("x") }), /the path “\/etc\/passwd” leaves the archive/],
      ["win.zip", zipSync({ "c.yaml": yaml, "banks\\q.gift": Buffer.from("x") }), /the path “banks\\q\.gift” leaves the archive/],
      [
        "link.zip",
        zipSync({ "c.yaml": yaml, "bank.gift": [Buffer.from("/etc/passwd"), { os: 3, attrs: (0o120777 * 0x10000) >>> 0 }] }),
        /contains a symbolic link “bank\.gift”/,
      ],
      ["none.zip", zipSync({ "readme.txt": Buffer.from("x") }), /has no course file/],
      ["two.zip", zipSync({ "a.yaml": yaml, "b.yaml": yaml }), /several course files \(a\.yaml, b\.yaml\)/],
      ["fake.zip", Buffer.from("this is not a zip at all"), /is not a readable \.zip archive/],
      ["notes.pdf", Buffer.from("%PDF-1.4"), /I cannot use “notes\.pdf”/],
      ["ru.yaml", cp1251(courseYaml({ id: "cp-course", languages: ["ru"] })), /ru\.yaml:3: error: the file is not UTF-8 text/],
    ];
    for (const [name, bytes, message] of cases) {
      await sendDocument(admin, name, bytes);
      expect(admin.lastText(), name).toMatch(message);
      expect(admin.buttons(), name).toEqual([]);
    }
    // Over the upload limit: refused from the size Telegram reports, before downloading.
    const downloads = tb.telegram.callsOf("download").length;
    const big = tb.telegram.addFile("huge.zip", new Uint8Array(6 * 1024 * 1024));
    await admin.sendWith(undefined, { document: big });
    expect(admin.lastText()).toBe("❌ “huge.zip” is 6 MB; I take course files and archives up to 5 MB. Nothing was imported.");
    expect(tb.telegram.callsOf("download")).toHaveLength(downloads);
    // Telegram does not say the size: the download stops at the limit.
    await admin.sendWith(undefined, {
      document: { ...tb.telegram.addFile("huge2.zip", new Uint8Array(6 * 1024 * 1024)), file_size: undefined },
    });
    expect(admin.lastText()).toContain("I take course files and archives up to 5 MB");
    expect(tb.db.$client.prepare("SELECT COUNT(*) AS n FROM courses").get()).toEqual({ n: 0 });
    expect(tb.db.$client.prepare("SELECT COUNT(*) AS n FROM course_uploads").get()).toEqual({ n: 0 });
  });

  it("one bank file replaces the bank of that name in a course the person authors; an unknown name is refused", async () => {
    tb = new TestBot({ now: T0 });
    const admin = tb.user(ADMIN, { lang: "en" });
    await sendDocument(admin, "course.zip", demoZip());
    await admin.press(confirmData(admin));
    grantCourseRole(tb.db, { courseId: "intro-programming", userId: AUTHOR_A, role: "author", grantedBy: ADMIN, now: new Date(T0) });
    const author = tb.user(AUTHOR_A, { lang: "en" });

    const bank = readFileSync("courses/intro-programming/week2.ru.gift", "utf8").replace("Какое ключевое слово", "Какое служебное слово");
    await sendDocument(author, "week2.ru.gift", bank);
    const summary = author.lastText();
    expect(summary).toContain("“week2.ru.gift” replaces the quiz bank intro-programming/week2.ru.gift (module 2, ru)");
    expect(summary).toMatch(/• The quiz of module 2 changes: \d+ questions now/);
    expect(summary).not.toContain("module 1");
    await author.press(confirmData(author));
    expect(author.lastText()).toContain("is now version 2");
    const v2 = versionBundle(tb.db, "intro-programming", 2)!;
    expect(Buffer.from(v2.files["intro-programming/week2.ru.gift"]!).toString("utf8")).toContain("Какое служебное слово");
    expect(listVersions(tb.db, "intro-programming")[0]).toMatchObject({ version: 2, origin: "upload", createdBy: AUTHOR_A });

    // A broken bank lists its problems with the bank's own file and line.
    await sendDocument(author, "week2.ru.gift", "::q1:: Broken question {\n=\n}\n");
    expect(author.lastText()).toMatch(/was not imported/);
    expect(author.lastText()).toMatch(/intro-programming\/week2\.ru\.gift:\d+/);

    await sendDocument(author, "week9.gift", bank);
    expect(author.lastText()).toContain("None of your courses uses a quiz bank named “week9.gift”");
  });

  it("an author of course A cannot upload course B, create a course, or use B's buttons (old or forged)", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml({ id: "course-a" }));
    const admin = tb.user(ADMIN, { lang: "en" });
    await sendDocument(admin, "b.yaml", courseYaml({ id: "course-b" }));
    await admin.press(confirmData(admin));
    await sendDocument(admin, "b.yaml", courseYaml({ id: "course-b", modules: 5 }));
    const adminsPending = confirmData(admin);
    grantCourseRole(tb.db, { courseId: "course-a", userId: AUTHOR_A, role: "author", grantedBy: ADMIN, now: new Date(T0) });
    const author = tb.user(AUTHOR_A, { lang: "en" });

    await sendDocument(author, "b.yaml", courseYaml({ id: "course-b", modules: 6 }));
    expect(author.lastText()).toBe("You are not an author of this course, so this is not available to you.");
    await sendDocument(author, "b.yaml", courseYaml({ id: "course-b" }).replace(/^start: .*$/m, "start: never"));
    expect(author.lastText()).toBe("You are not an author of this course, so this is not available to you.");
    await sendDocument(author, "c.yaml", courseYaml({ id: "course-c" }));
    expect(author.lastText()).toContain("There is no course “course-c” yet, and only the platform's administrators create new courses.");

    await author.press(adminsPending);
    expect(author.lastAlert()).toBe("This button is out of date. Please open the menu again: /courses");
    await author.send("/versions course-b");
    expect(author.lastText()).toBe("You are not an author of this course, so this is not available to you.");
    await author.press("ver:y:course-b:1");
    expect(author.lastAlert()).toBe("You are not an author of this course, so this is not available to you.");
    await author.press("ver:r:course-b:1");
    expect(author.lastAlert()).toBe("You are not an author of this course, so this is not available to you.");
    await author.press("ver:y:course-b:zz");
    expect(author.lastAlert()).toBe("This button is out of date. Please open the menu again: /courses");
    expect(listVersions(tb.db, "course-b")).toHaveLength(1);
    expect(getCourse(tb.db, "course-c")).toBeUndefined();

    // A learner's document is not an upload: it goes on to the other features.
    await sendDocument(tb.user(60), "b.yaml", courseYaml({ id: "course-b" }));
    expect(tb.db.$client.prepare("SELECT COUNT(*) AS n FROM course_uploads WHERE user_id = 60").get()).toEqual({ n: 0 });
  });

  it("/versions lists the versions newest first; a rollback (confirmed) re-imports an earlier one as a new version", async () => {
    tb = new TestBot({ now: T0 });
    const admin = tb.user(ADMIN, { lang: "en" });
    await sendDocument(admin, "p.yaml", courseYaml({ id: "python-101" }));
    await admin.press(confirmData(admin));
    tb.clock.advance(3_600_000);
    await sendDocument(admin, "p.yaml", courseYaml({ id: "python-101", start: "2026-09-21" }));
    await admin.press(confirmData(admin));
    const v2Start = getCourse(tb.db, "python-101")!.startAt;

    await admin.send("/versions python-101");
    const list = admin.lastText();
    expect(list).toContain("Versions of “Introduction to Python”");
    expect(list).toMatch(/<b>v2 · upload · .* · User900<\/b> ← current\nv1 · upload · /);
    expect(admin.buttons()).toEqual([{ text: "↩ Roll back to v1", data: "ver:r:python-101:1" }]);

    await admin.press("ver:r:python-101:1");
    const confirm = admin.lastText();
    expect(confirm).toContain("Roll back “Introduction to Python” to version 1");
    expect(confirm).toContain("• Start: September 21, 2026 → September 7, 2026");
    expect(getCourse(tb.db, "python-101")!.startAt).toBe(v2Start);
    await admin.press("ver:y:python-101:1");
    expect(admin.lastText()).toBe("✅ “Introduction to Python” rolled back: version 3 now has the content of version 1.");
    expect(getCourse(tb.db, "python-101")!.startAt).not.toBe(v2Start);
    expect(listVersions(tb.db, "python-101")[0]).toMatchObject({ version: 3, origin: "rollback", restoredFrom: 1 });
    // The same rollback again changes nothing: it is the current content already.
    await admin.press("ver:y:python-101:1");
    expect(admin.lastText()).toBe("Version 1 is what the course has now: nothing to roll back.");
    expect(listVersions(tb.db, "python-101")).toHaveLength(3);

    // Without an id: one course is shown at once; with two, the admin picks the course first.
    await admin.send("/versions");
    expect(admin.lastText()).toContain("Versions of “Introduction to Python”");
    await sendDocument(admin, "b.yaml", courseYaml({ id: "course-b" }));
    await admin.press(confirmData(admin));
    await admin.send("/versions");
    expect(admin.lastText()).toBe("Which course's versions do you want to see?");
    expect(admin.buttons()).toContainEqual({ text: "Introduction to Python", data: "ver:c:python-101" });
    await admin.press("ver:c:python-101");
    expect(admin.lastText()).toContain("Versions of “Introduction to Python”");
  });
});

describe("across restarts", () => {
  it("a pending upload is confirmed after the bot restarted", async () => {
    const dbPath = join(dir(), "bot.sqlite");
    tb = new TestBot({ now: T0, dbPath });
    const admin = tb.user(ADMIN, { lang: "kk" });
    await sendDocument(admin, "p.yaml", courseYaml({ id: "python-101" }));
    expect(admin.lastText()).toContain("жаңа курс «Python тіліне кіріспе»");
    const data = confirmData(admin);
    const messageId = admin.lastMessageId();
    tb.close();

    tb = new TestBot({ now: T0 + 60_000, dbPath, telegram: tb.telegram });
    const again = tb.user(ADMIN, { lang: "kk" });
    await again.press(data, messageId);
    expect(again.lastText()).toBe("✅ Импортталды: «Python тіліне кіріспе» курсы енді 1-нұсқада. Бұрынғы нұсқалар: /versions python-101");
    expect(getCourse(tb.db, "python-101")).toBeDefined();
  });

  it("COURSES_DIR and uploads: an upload survives restarts and /reload; an admin's changed file replaces it", async () => {
    const courses = dir();
    const dbPath = join(dir(), "bot.sqlite");
    const file = join(courses, "python-101.yaml");
    writeFileSync(file, courseYaml({ id: "python-101" }));
    const start = (now: number) => {
      tb = new TestBot({ now, dbPath, config: { COURSES_DIR: courses }, telegram: (tb as TestBot | undefined) ? tb.telegram : undefined });
      // What main.ts does at every start.
      return loadCoursesFromDir(tb.db, courses, { now, defaultTimezone: "Asia/Almaty" });
    };
    tb = undefined as unknown as TestBot;
    expect(start(T0).map((r) => [r.courseId, r.loaded, r.unchanged])).toEqual([["python-101", true, false]]);
    expect(listVersions(tb.db, "python-101").map((v) => v.origin)).toEqual(["folder"]);

    const admin = tb.user(ADMIN, { lang: "en" });
    await sendDocument(admin, "python-101.yaml", courseYaml({ id: "python-101", modules: 5 }));
    expect(admin.lastText()).toContain("• New modules: 5 “Module 5”");
    await admin.press(confirmData(admin));
    expect(getCourse(tb.db, "python-101")!.sourceFile).toBe("upload:python-101.yaml");

    // Restart: the folder file did not change since it was imported, so the upload stays.
    tb.close();
    expect(start(T0 + 60_000)[0]).toMatchObject({ loaded: true, unchanged: true });
    expect(getCourse(tb.db, "python-101")!.sourceFile).toBe("upload:python-101.yaml");
    await tb.user(ADMIN).send("/reload");
    expect(getCourse(tb.db, "python-101")!.sourceFile).toBe("upload:python-101.yaml");

    // The admin edits the file on the server: at the next start it wins, as a new version.
    writeFileSync(file, courseYaml({ id: "python-101", modules: 3 }));
    tb.close();
    expect(start(T0 + 120_000)[0]).toMatchObject({ loaded: true, unchanged: false });
    expect(getCourse(tb.db, "python-101")!.sourceFile).toContain("python-101.yaml");
    expect(getCourse(tb.db, "python-101")!.sourceFile).not.toContain("upload:");
    expect(listVersions(tb.db, "python-101").map((v) => [v.version, v.origin])).toEqual([
      [3, "folder"],
      [2, "upload"],
      [1, "folder"],
    ]);
  });
});

/**
 * A zip bomb whose central directory claims every entry unpacks to 10 bytes: only counting while
 * inflating catches it.
 */
function lyingSizes(zip: Uint8Array): Uint8Array {
  const b = Buffer.from(zip);
  for (let i = 0; i + 46 <= b.length; i++) {
    if (b.readUInt32LE(i) === 0x02014b50) b.writeUInt32LE(10, i + 24);
    else if (b.readUInt32LE(i) === 0x04034b50 && i + 30 <= b.length) b.writeUInt32LE(10, i + 22);
  }
  return b;
}

/** Inline single-choice questions for a quiz: YAML lines under `questions:`. */
function quizItems(n: number): string {
  return Array.from(
    { length: n },
    (_, i) => `  - type: single
    text: { kk: "Сұрақ ${i + 1}?", ru: "Вопрос ${i + 1}?", en: "Question ${i + 1}?" }
    options:
      - { text: { kk: "Иә", ru: "Да", en: "Yes" }, correct: true }
      - { text: { kk: "Жоқ", ru: "Нет", en: "No" } }`,
  ).join("\n");
}
