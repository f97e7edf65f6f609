import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { toCsv, csvField } from "../src/domain/csv.js";
import { ageParts, askRefusal, digestDay, snippet } from "../src/domain/questions.js";
import { RULES } from "../src/domain/rules.js";
import { loadConfig } from "../src/config.js";
import { T0, TEST_TOKEN } from "./support/harness.js";

describe("flood limits (RULES.questions)", () => {
  const base = { openCount: 0, lastAt: null, now: 1_000_000, newQuestion: true };
  it("allows a first question, refuses a fourth open one, and counts the pause from the last message", () => {
    expect(askRefusal(base)).toBeNull();
    expect(askRefusal({ ...base, openCount: RULES.questions.maxOpenPerLearner })).toEqual({ reason: "too_many_open", max: 3 });
    // A follow-up does not add an open question.
    expect(askRefusal({ ...base, openCount: 3, newQuestion: false })).toBeNull();
    expect(askRefusal({ ...base, lastAt: base.now - 59_500 })).toEqual({ reason: "too_soon", waitSeconds: 1 });
    expect(askRefusal({ ...base, lastAt: base.now - 15_000 })).toEqual({ reason: "too_soon", waitSeconds: 45 });
    expect(askRefusal({ ...base, lastAt: base.now - 60_000 })).toBeNull();
  });
});

describe("digest day", () => {
  it("is the local date from DIGEST_HOUR on, in the configured zone", () => {
    expect(digestDay(T0 - 1, "Asia/Almaty", 9)).toBeNull(); // 08:59:59.999 Almaty
    expect(digestDay(T0, "Asia/Almaty", 9)).toBe("2026-09-01");
    expect(digestDay(Date.UTC(2026, 8, 1, 19, 30), "Asia/Almaty", 9)).toBeNull(); // 00:30 on Sep 2 in Almaty, before 09:00
    expect(digestDay(Date.UTC(2026, 8, 1, 19, 30), "Asia/Almaty", 0)).toBe("2026-09-02");
  });

  it("DIGEST_HOUR defaults to 9 and must be a whole hour 0-23", () => {
    expect(loadConfig({ BOT_TOKEN: TEST_TOKEN }).digestHour).toBe(9);
    expect(loadConfig({ BOT_TOKEN: TEST_TOKEN, DIGEST_HOUR: "18" }).digestHour).toBe(18);
    expect(() => loadConfig({ BOT_TOKEN: TEST_TOKEN, DIGEST_HOUR: "24" })).toThrow("DIGEST_HOUR must be an hour from 0 to 23");
    expect(() => loadConfig({ BOT_TOKEN: TEST_TOKEN, DIGEST_HOUR: "9.5" })).toThrow("DIGEST_HOUR must be a whole hour");
    expect(() => loadConfig({ BOT_TOKEN: TEST_TOKEN, DIGEST_HOUR: "morning" })).toThrow("DIGEST_HOUR");
  });
});

describe("ages and snippets", () => {
  it("splits an age into days, hours and minutes", () => {
    expect(ageParts(((2 * 24 + 5) * 60 + 7) * 60_000 + 59_000)).toEqual({ days: 2, hours: 5, minutes: 7 });
    expect(ageParts(-5)).toEqual({ days: 0, hours: 0, minutes: 0 });
  });
  it("flattens and shortens text by characters, not UTF-16 units", () => {
    expect(snippet("a\n\n b   c", 10)).toBe("a b c");
    expect(snippet("Қазақстан Республикасы", 10)).toBe("Қазақстан…");
    // Limits count UTF-16 units, as Telegram does: two emoji (4 units) and the ellipsis.
    expect(snippet("😀".repeat(20), 5)).toBe("😀😀…");
  });
});

describe("CSV", () => {
  it("quotes commas, quotes and line breaks, starts with a BOM and ends records with CRLF", () => {
    const csv = toCsv([
      ["№", "Сұрақ"],
      [1, 'Айнымалы, "тізім" және\nцикл'],
      [2, null],
    ]);
    expect(csv).toBe('\uFEFF№,Сұрақ\r\n1,"Айнымалы, ""тізім"" және\nцикл"\r\n2,\r\n');
    expect(Buffer.from(csv, "utf8").subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
  it("defuses cells a spreadsheet would run as formulas, but not numbers", () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField("+7 701")).toBe("'+7 701");
    expect(csvField("@user")).toBe("'@user");
    expect(csvField(-3)).toBe("-3");
    expect(csvField("Әліппе")).toBe("Әліппе");
  });
});

describe("locales", () => {
  const load = (l: string) => JSON.parse(readFileSync(`locales/${l}.json`, "utf8")) as Record<string, unknown>;
  const keys = (o: unknown, p = ""): string[] =>
    Object.entries(o as Record<string, unknown>).flatMap(([k, v]) =>
      typeof v === "object" && v !== null ? keys(v, `${p}${k}.`) : [`${p}${k}`],
    );
  it("the questions texts exist in kk, ru and en with the same keys and placeholders", () => {
    const [kk, ru, en] = ["kk", "ru", "en"].map(load);
    // Plural forms differ by language (ru has few and many): compared by their base key.
    const base = (o: unknown) => [...new Set(keys(o).map((k) => k.replace(/_(zero|one|two|few|many|other)$/, "")))].sort();
    for (const ns of ["ask", "assist"]) {
      const enKeys = base(en![ns]);
      expect(base(kk![ns])).toEqual(enKeys);
      expect(base(ru![ns])).toEqual(enKeys);
      for (const key of enKeys.map((k) => (keys(en![ns]).includes(k) ? k : `${k}_other`))) {
        const get = (o: unknown) => key.split(".").reduce((x, k) => (x as Record<string, unknown>)[k], o) as string;
        const vars = (s: string) => (s.match(/\{\{\w+\}\}/g) ?? []).sort();
        expect(vars(get(kk![ns])), `kk ${ns}.${key}`).toEqual(vars(get(en![ns])));
        expect(vars(get(ru![ns])), `ru ${ns}.${key}`).toEqual(vars(get(en![ns])));
        // Kazakh and Russian are written in Cyrillic, not left in English.
        if (/[a-z]{4,}/i.test(get(en![ns]).replace(/<[^>]+>|\{\{\w+\}\}|\/\w+|Telegram/g, ""))) {
          expect(get(kk![ns]), `kk ${ns}.${key}`).toMatch(/[А-Яа-яӘәҒғҚқҢңӨөҰұҮүҺһІі]/);
          expect(get(ru![ns]), `ru ${ns}.${key}`).toMatch(/[А-Яа-яЁё]/);
        }
      }
    }
  });
});
