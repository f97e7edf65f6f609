import { afterEach, describe, expect, it } from "vitest";
import {
  CALLBACK_DATA_MAX_BYTES,
  coursesButton,
  declaredCallbacks,
  defineCallback,
  int,
  slug,
  type Field,
} from "../src/messages/callbackData.js";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot } from "./support/harness.js";

describe("callback data codecs", () => {
  const codecs = declaredCallbacks();

  it("declares every feature's buttons with unique prefixes, none the head of another", () => {
    const prefixes = codecs.map((c) => c.prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const p of prefixes) {
      for (const q of prefixes) if (p !== q) expect(q.split(":")[0]).not.toBe(p);
    }
    expect(prefixes).toEqual(
      expect.arrayContaining([
        "lang",
        "crs",
        "enr",
        "enr!",
        "unr",
        "unr!",
        "ntf",
        "an:c",
        "an:y",
        "qr",
        "qx",
        "aq",
        "ask:c",
        "ask:m",
        "ask:x",
      ]),
    );
    expect(() => defineCallback("crs", slug)).toThrow(/declared twice/);
    expect(() => defineCallback("an", int)).toThrow(/clashes/);
  });

  it.each(codecs.map((c) => [c.prefix, c] as const))(
    "%s: the longest ids (40-character course id, largest integer) fit in 64 bytes",
    (_, codec) => {
      const longest = codec.fields.map((f: Field<unknown>) => f.parse(f.longest));
      const data = codec.encode(...longest);
      expect(Buffer.byteLength(data, "utf8")).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
      expect(codec.decode(data)).toEqual(longest);
    },
  );

  it("refuses malformed data: other prefix, wrong arity, bad fields", () => {
    const course = defineCallback("tcrs", slug, int);
    expect(course.decode(course.encode("intro-101", 3))).toEqual(["intro-101", 3]);
    for (const bad of [
      undefined,
      "",
      "tcrs",
      "tcrs:intro-101",
      "tcrs:intro-101:3:4",
      "tcrs:../etc:3",
      "tcrs:intro-101:-1",
      "tcrs:intro-101:01",
      "tcrsx:a:1",
      `tcrs:${"a".repeat(41)}:1`,
    ]) {
      expect(course.decode(bad)).toBeNull();
    }
    expect(() => course.encode("Not a slug!", 1)).toThrow(RangeError);
    expect(coursesButton.encode(undefined)).toBe("crs");
    expect(coursesButton.decode("crs")).toEqual([undefined]);
    expect(coursesButton.decode("crs:intro-101")).toEqual(["intro-101"]);
  });
});

describe("forged or malformed buttons", () => {
  let tb: TestBot;
  afterEach(() => tb.close());

  it("get a clear 'button out of date' answer in the person's language, and change nothing", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml());
    const u = tb.user(41, { lang: "ru" });
    await u.send("/start");
    for (const data of ["crs:../../etc", "enr!:", `enr!:${"x".repeat(41)}`, "lang:de", "ntf:", "ask:m:python-101:week", "aq:z:1"]) {
      await u.press(data);
      const answer = tb.telegram.callbackAnswers().at(-1)!.payload;
      expect(answer.text, data).toBe("Эта кнопка устарела. Откройте меню заново: /courses");
      expect(answer.show_alert).toBe(true);
    }
    await u.send("/mycourses");
    expect(u.lastText()).toContain("не записаны");

    const author = tb.user(900, { lang: "en" });
    await author.send("/start");
    for (const data of ["an:c:abc:python-101", "an:y:-1", "qx:", "qr:a:b"]) {
      await author.press(data);
      expect(tb.telegram.callbackAnswers().at(-1)!.payload.text, data).toBe(
        "This button is out of date. Please open the menu again: /courses",
      );
    }
  });
});
