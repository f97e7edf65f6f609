import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { searchGlossary } from "../src/domain/glossary.js";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot } from "./support/harness.js";

const glossary = `glossary:
  - term: { kk: Цикл, ru: Цикл, en: Loop }
    definition: { kk: "Әрекетті бірнеше рет қайталау.", ru: "Повторение действий несколько раз.", en: "Repeating actions several times." }
  - term: { kk: Айнымалы, ru: Переменная, en: Variable }
    definition: { kk: "Мәнге берілген атау.", ru: "Имя для значения.", en: "A name for a value." }
  - term: { kk: Ішкі цикл, ru: Вложенный цикл, en: Nested loop }
    definition: { kk: "Цикл ішіндегі цикл.", ru: "Цикл внутри цикла.", en: "A loop inside a loop." }`;

let tb: TestBot;
beforeEach(() => {
  tb = new TestBot({ now: T0 });
  tb.loadCourse(courseYaml({ extra: glossary }));
});
afterEach(() => tb.close());

describe("glossary", () => {
  it("matches a term in any language, exact matches first", () => {
    const entries = [
      { term: { en: "Nested loop", ru: "Вложенный цикл" }, definition: {} },
      { term: { en: "Loop", ru: "Цикл" }, definition: {} },
    ];
    expect(searchGlossary(entries, "ЦИКЛ").map((e) => e.term.en)).toEqual(["Loop", "Nested loop"]);
    expect(searchGlossary(entries, "xyz")).toEqual([]);
  });

  it("/glossary lists all terms in the learner's language", async () => {
    const u = tb.user(1, { lang: "kk" });
    await u.send("/glossary");
    expect(u.lastText()).toContain("<b>Айнымалы</b> — Мәнге берілген атау.");
    expect(u.lastText()).toContain("/glossary цикл");
  });

  it("/glossary <word> finds the term typed in another language", async () => {
    const u = tb.user(2, { lang: "en" });
    await u.send("/glossary переменная");
    expect(u.lastText()).toContain("<b>Variable</b> — A name for a value.");
    expect(u.lastText()).not.toContain("Loop");
  });

  it("says so when nothing matches", async () => {
    const u = tb.user(3, { lang: "ru" });
    await u.send("/glossary <b>рекурсия</b>");
    expect(u.lastText()).toBe("Термин «&lt;b&gt;рекурсия&lt;/b&gt;» не найден. Отправьте /glossary, чтобы увидеть все термины.");
  });
});
