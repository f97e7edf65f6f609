import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

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

  it("Kazakh uses letters specific to Kazakh somewhere (not Russian text in kk.json)", () => {
    const all = [...files.kk.values()].join(" ");
    expect(all).toMatch(/[әғқңөұүһі]/);
    expect(all).toContain("Сіз");
  });
});
