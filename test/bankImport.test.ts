import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeBankFile } from "../src/courses/encoding.js";
import { questionsToGift } from "../src/courses/giftExport.js";
import { importCourse } from "../src/courses/importCourse.js";
import { parseAiken, parseGift, parseMoodleXml } from "../src/courses/banks.js";
import { renderIssue } from "../src/messages/courseIssues.js";
import { validateCourseText } from "../src/courses/validate.js";
import { closeDatabase, openDatabase } from "../src/db/client.js";
import { questionImage } from "../src/db/questionImagesRepo.js";
import { courseQuizzes, quizBank } from "../src/db/quizRepo.js";
import { gradeAnswer } from "../src/domain/quiz.js";
import { htmlToTelegram, markdownToHtml, toTelegramHtml } from "../src/domain/questionText.js";
import { translator } from "../src/messages/i18n.js";
import { courseYaml } from "./support/courses.js";
import { tempDir, T0 } from "./support/harness.js";

const t = translator("en");

describe("encodings", () => {
  const cyrillic = "Какая функция выводит текст на экран? {=print() ~input() ~len()}\n";

  it("decodes UTF-8 (with or without BOM), UTF-16 with a BOM and without one", () => {
    expect(decodeBankFile(Buffer.from(cyrillic))).toMatchObject({ ok: true, text: cyrillic, encoding: "UTF-8" });
    expect(decodeBankFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(cyrillic)]))).toMatchObject({
      ok: true,
      text: cyrillic,
    });
    const le = Buffer.from(cyrillic, "utf16le");
    expect(decodeBankFile(Buffer.concat([Buffer.from([0xff, 0xfe]), le]))).toMatchObject({
      ok: true,
      text: cyrillic,
      encoding: "UTF-16LE (BOM)",
    });
    expect(decodeBankFile(le)).toMatchObject({ ok: true, text: cyrillic, encoding: "UTF-16LE" });
    const be = Buffer.from(le).swap16();
    expect(decodeBankFile(be)).toMatchObject({ ok: true, text: cyrillic, encoding: "UTF-16BE" });
  });

  it("decodes Windows-1251 Cyrillic text and refuses KOI8-R and CP866 by name", () => {
    const encode = (label: string) => {
      // Node has no encoder for these: map each character through the decoder's table.
      const dec = new TextDecoder(label);
      const table = new Map<string, number>();
      for (let b = 0; b < 256; b++) table.set(dec.decode(Uint8Array.of(b)), b);
      return Buffer.from([...cyrillic].map((c) => table.get(c) ?? c.charCodeAt(0)));
    };
    expect(decodeBankFile(encode("windows-1251"))).toMatchObject({ ok: true, text: cyrillic, encoding: "Windows-1251" });
    expect(decodeBankFile(encode("koi8-r"))).toEqual({ ok: false, encoding: "KOI8-R" });
    expect(decodeBankFile(encode("ibm866"))).toEqual({ ok: false, encoding: "CP866 (DOS)" });
    expect(decodeBankFile(Buffer.from([0x41, 0xff, 0xfe, 0x80, 0x81, 0x42, 0x99]))).toMatchObject({ ok: false });
  });
});

describe("linear time on 100,000-character lines", () => {
  const long = (unit: string) => unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000);
  // Each input is shaped to make a backtracking regular expression blow up; each must finish well
  // within the test's timeout (a quadratic scan of 100,000 characters would not).
  const inputs = [
    long("a"),
    long(" "),
    long("1"),
    long("<a"),
    long("<b>"),
    long("&#"),
    long("**a "),
    long("[a]("),
    long("%"),
    long("\\="),
    long("{"),
    long("-> "),
    long("#"),
    long("`a"),
  ];
  it("GIFT, Aiken and Moodle XML parsers", { timeout: 120_000 }, () => {
    for (const s of inputs) {
      parseGift(`${s} {=${s} ~${s}#${s}}`);
      parseGift(`Q {#${s}}`);
      parseGift(`Q {${s}}`);
      parseAiken(`${s}\nA. ${s}\nB) ${s}\nANSWER: ${s}`);
      parseMoodleXml(
        `<quiz><question type="shortanswer"><name><text>x</text></name><questiontext format="markdown"><text><![CDATA[${s}]]></text></questiontext><answer fraction="100"><text>${s.replace(/[<&]/g, "x")}</text></answer></question></quiz>`,
      );
    }
  });
  it("text formats and the short-answer wildcard", { timeout: 120_000 }, () => {
    for (const s of inputs) {
      htmlToTelegram(s);
      markdownToHtml(s);
      toTelegramHtml(s, "moodle");
      gradeAnswer(
        { kind: "text", prompt: { en: "q" }, moodle: true, accepted: { en: [{ value: `*${s.slice(0, 50)}*a*b*`, weight: 100 }] } },
        { kind: "text", text: s },
      );
    }
  });
});

describe("banks in course files", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());
  const write = (name: string, text: string | Buffer) => writeFileSync(join(dir, name), text);
  const check = (yaml: string) => validateCourseText(yaml, { now: T0, defaultTimezone: "Asia/Almaty", baseDir: dir });
  const good = (n: number) => Array.from({ length: n }, (_, i) => `Good ${i + 1}? {=yes ~no}`).join("\n\n");
  const bank = `${good(11)}\n\nBroken {=a ~b\n\n::Essay:: Tell us. {}\n\nBad weight {~%33%a ~%67%b}\n`;

  it("a bank with broken questions refuses the course by default, each listed with file:line", () => {
    write("w.en.gift", bank);
    const { course, issues } = check(courseYaml({ languages: ["en"], quizzes: { 0: "pass_score: 60\ngift: { en: w.en.gift }" } }));
    expect(course).toBeNull();
    const lines = issues.filter((i) => i.file).map((i) => renderIssue(t, "c.yaml", i).replace(dir, "<dir>"));
    expect(lines).toEqual([
      "<dir>/w.en.gift:23 modules[0].quiz.gift.en: error: the answer block “{” is not closed with “}”",
      "<dir>/w.en.gift:25 modules[0].quiz.gift.en: warning: “Essay” is an essay question (graded by a teacher); the bot cannot grade it, so it is skipped",
      "<dir>/w.en.gift:27 modules[0].quiz.gift.en: error: the weight 33% is not one Moodle accepts (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0, or these negated)",
    ]);
  });

  it("import: valid-only imports the good questions, lists the skipped ones, and the quiz counts them", () => {
    write("w.en.gift", bank);
    const { course, issues } = check(
      courseYaml({ languages: ["en"], quizzes: { 0: "pass_score: 60\nimport: valid-only\ngift: { en: w.en.gift }" } }),
    );
    expect(issues.filter((i) => i.level === "error")).toEqual([]);
    expect(issues.filter((i) => i.file).map((i) => [i.level, i.code, i.line ?? null])).toEqual([
      ["warning", "gift_unclosed", 23],
      ["warning", "gift_essay_skipped", 25],
      ["warning", "gift_weight_not_moodle", 27],
      ["warning", "bank_skipped_summary", null],
    ]);
    expect(t("validation.bank_skipped_summary", issues.find((i) => i.code === "bank_skipped_summary")!.params)).toBe(
      "import: valid-only: 2 questions skipped (lines 23, 27); the others are imported",
    );
    const quiz = course!.modules[0]!.quiz!;
    expect(quiz.questions).toHaveLength(11);
    expect(quiz.skipped).toBe(3);
    const db = openDatabase(join(dir, "db.sqlite"));
    try {
      importCourse(db, course!, "c.yaml", T0);
      expect(courseQuizzes(db, course!.id)[0]!.quiz.skippedQuestions).toBe(3);
    } finally {
      closeDatabase(db);
    }
  });

  it("a question skipped in one language is skipped in every language (they stay matched by position)", () => {
    write("w.en.gift", `${good(11)}\n\nLast? {=yes ~no}\n`);
    write("w.ru.gift", `${good(11).replace(/Good/g, "Хорошо")}\n\nПоследний? {=да ~нет\n`);
    const { course, issues } = check(
      courseYaml({ languages: ["en", "ru"], quizzes: { 0: "pass_score: 60\nimport: valid-only\ngift: { en: w.en.gift, ru: w.ru.gift }" } }),
    );
    expect(issues.filter((i) => i.level === "error")).toEqual([]);
    expect(course!.modules[0]!.quiz!.questions).toHaveLength(11);
    expect(course!.modules[0]!.quiz!.skipped).toBe(1);
  });

  it("a Windows-1251 bank is read (with a note); a KOI8-R one is refused naming the encoding", () => {
    const cp1251 = new Map<string, number>();
    const koi8 = new Map<string, number>();
    for (let b = 0; b < 256; b++) {
      cp1251.set(new TextDecoder("windows-1251").decode(Uint8Array.of(b)), b);
      koi8.set(new TextDecoder("koi8-r").decode(Uint8Array.of(b)), b);
    }
    const text = Array.from({ length: 11 }, (_, i) => `Вопрос номер ${i + 1}: какой ответ верный? {=правильный ~неверный}`).join("\n\n");
    const enc = (m: Map<string, number>) => Buffer.from([...text].map((c) => m.get(c) ?? c.charCodeAt(0)));
    write("w.ru.gift", enc(cp1251));
    const ok = check(courseYaml({ languages: ["ru"], quizzes: { 0: "pass_score: 60\ngift: { ru: w.ru.gift }" } }));
    expect(
      ok.issues.filter((i) => i.level !== "warning" || i.code !== "quiz_course_items").map((i) => [i.level, i.code, i.params.encoding]),
    ).toEqual([["note", "bank_decoded", "Windows-1251"]]);
    expect(ok.course!.modules[0]!.quiz!.questions[0]!.prompt).toEqual({ ru: "Вопрос номер 1: какой ответ верный?" });
    write("w.ru.gift", enc(koi8));
    const refused = check(courseYaml({ languages: ["ru"], quizzes: { 0: "pass_score: 60\ngift: { ru: w.ru.gift }" } }));
    expect(refused.course).toBeNull();
    const issue = refused.issues.find((i) => i.code === "bank_encoding")!;
    expect(renderIssue(t, "c.yaml", issue)).toContain(
      "is not in UTF-8 and its encoding could not be read with certainty (found: KOI8-R); save it as UTF-8",
    );
  });

  it("questions that would break Telegram's limits are refused with their line", () => {
    const many = Array.from({ length: 100 }, (_, i) => `~opt${i}`).join(" ");
    write("w.en.gift", `${good(11)}\n\n${"Very long question. ".repeat(200)}{=a ~b}\n\nMany options {=right ${many}}\n`);
    const { issues } = check(courseYaml({ languages: ["en"], quizzes: { 0: "pass_score: 60\ngift: { en: w.en.gift }" } }));
    expect(issues.filter((i) => i.level === "error").map((i) => [i.code, i.line])).toEqual([
      ["limit_text", 23],
      ["limit_keyboard", 25],
    ]);
    expect(t("validation.limit_text", issues[0]!.params)).toBe(
      "the question's text in en is 4009 characters; a Telegram message holds at most 3696 besides the bot's own lines",
    );
  });

  it("a Moodle XML bank loads; its photo is stored once, by hash, for the conversation to send", () => {
    const png = Buffer.from("89504e470d0a1a0a0000000d494844520000000100000001", "hex").toString("base64");
    const questions = Array.from(
      { length: 11 },
      (_, i) => `<question type="multichoice"><name><text>q${i}</text></name>
<questiontext format="html"><text><![CDATA[<p>Question ${i}: which shape? <img src="@@PLUGINFILE@@/shape.png"></p>]]></text><file name="shape.png" path="/" encoding="base64">${png}</file></questiontext>
<single>true</single><answer fraction="100"><text>circle</text></answer><answer fraction="0"><text>square</text></answer></question>`,
    ).join("\n");
    write("w.en.xml", `<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n${questions}\n</quiz>\n`);
    const { course, issues } = check(courseYaml({ languages: ["en"], quizzes: { 0: "pass_score: 60\nmoodle_xml: { en: w.en.xml }" } }));
    expect(issues.filter((i) => i.level === "error")).toEqual([]);
    const db = openDatabase(join(dir, "db.sqlite"));
    try {
      importCourse(db, course!, "c.yaml", T0);
      const stored = quizBank(db, courseQuizzes(db, course!.id)[0]!.quiz.id);
      expect(stored).toHaveLength(11);
      const sha = stored[0]!.image!.sha256;
      expect(stored.every((q) => q.image?.sha256 === sha)).toBe(true);
      expect(questionImage(db, sha)).toMatchObject({ mime: "image/png", name: "shape.png", fileId: null });
      expect(questionImage(db, sha)!.bytes.toString("base64")).toBe(png);
    } finally {
      closeDatabase(db);
    }
  });
});

describe("round trip: export to GIFT and import back unchanged", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it("a bank with every construct (one file per language) comes back as the same questions", () => {
    const en = `$CATEGORY: $course$/top/Week 1

::a:: Which are even? {=2 =4 ~3#odd####Lesson 1}

::b:: Capital? {=Astana ~%50%Almaty#former ~Shymkent}

::c:: Primes? {~%50%2 ~%50%3 ~%-100%4}

::d:: 1 to 5? {#3:2 ~#Between 1 and 5}

::e:: Abai? {=Abai =%50%Abay#spelling =%0%*#No}

::f:: The Sun goes round the Earth. {F#No.#Right.####Lesson 2}

[html]<p>What does <code>len("a&amp;b")</code> return?</p> {=3 ~4 ~[html]<i>error</i>}

[markdown]Is **print** a function? {T}

Match. {=Kazakhstan -> Astana =Kyrgyzstan -> Bishkek = -> Tashkent}

[plain]Is <b> a tag?\\nYes  or no. {TRUE}

The keyword \\{def\\} starts a function \\= true: {T}
`;
    const ru = en.replace("Which are even?", "Какие чётные?").replace("Capital?", "Столица?");
    writeFileSync(join(dir, "b.en.gift"), en);
    writeFileSync(join(dir, "b.ru.gift"), ru);
    const quiz = (files: string) => `pass_score: 60\ngift: ${files}`;
    const first = validateCourseText(courseYaml({ languages: ["en", "ru"], quizzes: { 0: quiz("{ en: b.en.gift, ru: b.ru.gift }") } }), {
      now: T0,
      defaultTimezone: "Asia/Almaty",
      baseDir: dir,
    });
    expect(first.issues.filter((i) => i.level === "error")).toEqual([]);
    const questions = first.course!.modules[0]!.quiz!.questions;
    expect(questions).toHaveLength(11);
    for (const lang of ["en", "ru"] as const) {
      const out = questionsToGift(questions, lang);
      expect(out.losses).toEqual([]);
      writeFileSync(join(dir, `x.${lang}.gift`), out.text);
    }
    const second = validateCourseText(courseYaml({ languages: ["en", "ru"], quizzes: { 0: quiz("{ en: x.en.gift, ru: x.ru.gift }") } }), {
      now: T0,
      defaultTimezone: "Asia/Almaty",
      baseDir: dir,
    });
    expect(second.issues.filter((i) => i.level === "error")).toEqual([]);
    expect(second.course!.modules[0]!.quiz!.questions).toEqual(questions);
  });

  it("npm run bank:export writes the demo course's banks, and they import back unchanged", { timeout: 60_000 }, () => {
    const demo = "courses/intro-programming.yaml";
    execFileSync("npx", ["tsx", "src/cli/bankExport.ts", demo, dir], { encoding: "utf8" });
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(12);
    const yaml = readFileSync(demo, "utf8");
    const original = validateCourseText(yaml, { now: T0, defaultTimezone: "Asia/Almaty", baseDir: "courses" });
    expect(original.issues.filter((i) => i.level !== "note")).toEqual([]);
    // Week 2 and 4 are GIFT banks: the course, with those files replaced by the exported ones.
    cpSync("courses/intro-programming", join(dir, "intro-programming"), { recursive: true });
    for (const week of [2, 4]) {
      for (const l of ["kk", "ru", "en"])
        copyFileSync(join(dir, `intro-programming.week${week}.${l}.gift`), join(dir, "intro-programming", `week${week}.${l}.gift`));
    }
    const back = validateCourseText(yaml, { now: T0, defaultTimezone: "Asia/Almaty", baseDir: dir });
    expect(back.issues.filter((i) => i.level !== "note")).toEqual([]);
    for (const week of [2, 4])
      expect(back.course!.modules[week - 1]!.quiz!.questions).toEqual(original.course!.modules[week - 1]!.quiz!.questions);
  });
});
