import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { translator } from "../src/messages/i18n.js";

const LANGS = ["kk", "ru", "en"] as const;
const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(o: Record<string, unknown>, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(o)) {
    if (v && typeof v === "object") for (const [kk, vv] of flatten(v as Record<string, unknown>, `${prefix}${k}.`)) out.set(kk, vv);
    else out.set(prefix + k, String(v));
  }
  return out;
}

const files = Object.fromEntries(LANGS.map((l) => [l, flatten(JSON.parse(readFileSync(`locales/${l}.json`, "utf8")))])) as Record<
  (typeof LANGS)[number],
  Map<string, string>
>;
const base = (keys: Iterable<string>) => new Set([...keys].map((k) => k.replace(PLURAL, "")));

describe("locale files", () => {
  it("have the same keys in kk, ru and en", () => {
    const all = new Set(LANGS.flatMap((l) => [...base(files[l].keys())]));
    for (const l of LANGS) {
      const mine = base(files[l].keys());
      expect(
        [...all].filter((k) => !mine.has(k)),
        `missing in ${l}.json`,
      ).toEqual([]);
    }
  });

  it("have every plural form each language needs", () => {
    const needed = { kk: ["one", "other"], ru: ["one", "few", "many", "other"], en: ["one", "other"] };
    for (const l of LANGS) {
      const plurals = [...files[l].keys()].filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, ""));
      for (const key of new Set(plurals)) {
        for (const form of needed[l]) expect(files[l].has(`${key}_${form}`), `${l}: ${key}_${form}`).toBe(true);
      }
    }
  });

  it("use the same placeholders in every language", () => {
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)/g)].map((m) => m[1]).sort();
    for (const [key, en] of files.en) {
      const k = key.replace(PLURAL, "");
      for (const l of ["kk", "ru"] as const) {
        const other = files[l].get(key) ?? files[l].get(`${k}_other`);
        if (other !== undefined) expect(vars(other), `${l}:${key}`).toEqual(vars(en));
      }
    }
  });

  it("write Kazakh and Russian in Cyrillic, not English placeholders", () => {
    for (const l of ["kk", "ru"] as const) {
      for (const [key, text] of files[l]) {
        const words = text.replace(/\{\{\w+\}\}|<[^>]+>|\/\w+|https?:\S+/g, "");
        const latin = (words.match(/[A-Za-z]/g) ?? []).length;
        const cyrillic = (words.match(/[\u0400-\u04FF]/g) ?? []).length;
        if (latin + cyrillic > 0) expect(cyrillic, `${l}:${key} looks untranslated: ${text}`).toBeGreaterThan(latin);
      }
    }
  });

  it("every count in a sentence has plural keys in every language (ru: one, few, many, other)", () => {
    // A {{count}} may stand without plural keys only as a label: after ":", "—", "(", "found", "and … more".
    const label = /(: |— |\(|found |and |ещё |найдено |тағы |табылғаны: )$/;
    for (const l of LANGS) {
      for (const [key, text] of files[l]) {
        if (PLURAL.test(key)) continue;
        for (const m of text.matchAll(/\{\{count\}\}/g)) {
          expect(label.test(text.slice(0, m.index)), `${l}:${key} needs plural keys: ${text}`).toBe(true);
        }
      }
    }
    // Plural keys exist in all three languages together.
    const pluralBases = (l: (typeof LANGS)[number]) =>
      new Set([...files[l].keys()].filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, "")));
    for (const l of LANGS) expect([...pluralBases(l)].sort(), l).toEqual([...pluralBases("en")].sort());
  });

  it("Russian and English pick the right form for 1, 2, 5, 11, 21 and 1 234 (a formatted count too)", () => {
    const forms = (lang: "ru" | "en", key: string) =>
      [1, 2, 5, 11, 21].map((count) => translator(lang)(key, { count })).concat(translator(lang)(key, { count: "1 234" }));
    expect(forms("ru", "announce.buttons.send")).toEqual([
      "✅ Отправить 1 слушателю",
      "✅ Отправить 2 слушателям",
      "✅ Отправить 5 слушателям",
      "✅ Отправить 11 слушателям",
      "✅ Отправить 21 слушателю",
      "✅ Отправить 1 234 слушателям",
    ]);
    expect(forms("en", "announce.buttons.send")).toEqual([
      "✅ Send to 1 learner",
      "✅ Send to 2 learners",
      "✅ Send to 5 learners",
      "✅ Send to 11 learners",
      "✅ Send to 21 learners",
      "✅ Send to 1 234 learners",
    ]);
    expect(translator("ru")("announce.course_chosen", { title: "X", count: 3 })).toContain("записано 3 слушателя");
    expect(translator("ru")("validation.module_count", { count: 7, min: 4, max: 6 })).toContain("в курсе 7 модулей");
    expect(translator("en")("validation.module_count", { count: 1, min: 4, max: 6 })).toContain("the course has 1 module;");
  });

  it("English quotes with “ ”, never «» (the «/» arrows of Back and Skip buttons are not quotes)", () => {
    for (const [key, text] of files.en) expect(text, `en:${key}`).not.toMatch(/«[^\s«»][^«»]*»/);
  });

  it("Kazakh glues no ending to a number or a date: «Сұрақ 1/10», «5 – 40 аралығындағы», «күні — {{date}}»", () => {
    const dates = "date|start|end|closes|opens|deadline|until|analysisEnd|time";
    for (const [key, text] of files.kk) {
      expect(text, `kk:${key}`).not.toMatch(
        /\}\}-(сі|сы|ші|шы|ы|і|ге|ға|ке|қа|де|да|те|та|ден|дан|тен|тан|нен|нан|ні|ны|нің|ның)(?![а-яәғқңөұүһі])/,
      );
      expect(text, `kk:${key}`).not.toMatch(/\}\} (мен|пен|бен|дейін)(?![а-яәғқңөұүһі])/);
      // After a date, a word would need the date to take a case ending; only "аралығы" (a range) and "жағдай бойынша" do not.
      expect(text, `kk:${key}`).not.toMatch(new RegExp(`\\{\\{(${dates})\\}\\} (?!аралығ|жағдай)[а-яәғқңөұүһі]`));
    }
    expect(files.kk.get("survey.progress_pre")).toContain("сұрақ {{n}}/{{total}}");
  });

  it("Kazakh follows its glossary (locales/README.md): батырма, білім алушы, no calques", () => {
    const all = [...files.kk.values()].join("\n");
    for (const banned of [
      "түйме",
      "тыңдаушы",
      "Болдырылмады",
      "Жүріп жатыр",
      "жүріп жатыр",
      "әр апта сайын",
      "Қайта оралуыңызбен",
      "бірдеңе дұрыс болмады",
      "күтулеріңіз",
      "Өзекті тізім",
      "Дұрыс / Бұрыс",
    ])
      expect(all, banned).not.toContain(banned);
    expect(files.kk.get("quiz.true")).toBe("Ақиқат");
    expect(files.kk.get("quiz.false")).toBe("Жалған");
    expect(files.ru.get("quiz.true")).toBe("Верно");
    expect(files.en.get("quiz.true")).toBe("True");
    for (const l of LANGS) for (const k of ["quiz.true", "quiz.false"]) expect(files[l].get(k)).not.toMatch(/[✅❌]/);
  });

  it("Kazakh uses letters specific to Kazakh somewhere (not Russian text in kk.json)", () => {
    const all = [...files.kk.values()].join(" ");
    expect(all).toMatch(/[әғқңөұүһі]/);
    expect(all).toContain("Сіз");
  });
});
