import { describe, expect, it } from "vitest";
import { hasLoneSurrogate, shorten, snippet, truncate } from "../src/domain/text.js";

const FAMILY = "👩‍👩‍👧"; // 3 emoji joined by 2 ZWJ: 8 UTF-16 units, one grapheme
const FLAG = "🇰🇿"; // two regional indicators: 4 units
const E_ACUTE = "e\u0301"; // e + combining acute: 2 units
const SMILE = "😀"; // a surrogate pair

const graphemes = (s: string) => [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(s)].map((g) => g.segment);

describe("shorten / truncate", () => {
  it("leaves a text that fits alone, counting UTF-16 units", () => {
    expect(shorten("abc", 3)).toBe("abc");
    expect(shorten(SMILE.repeat(2), 4)).toBe(SMILE.repeat(2));
    expect(shorten(SMILE.repeat(2), 3)).toBe(`${SMILE}…`);
  });

  it("never ends inside a grapheme, at every cut position", () => {
    for (const unit of [FAMILY, FLAG, E_ACUTE, SMILE, "Қ", "a"]) {
      const text = `ab${unit}cd${unit}${unit}ef`;
      for (let max = 0; max <= text.length + 1; max++) {
        for (const out of [shorten(text, max), truncate(text, max)]) {
          expect(out.length).toBeLessThanOrEqual(max);
          expect(hasLoneSurrogate(out)).toBe(false);
          const body = out.endsWith("…") && !text.endsWith("…") ? out.slice(0, -1) : out;
          expect(text.startsWith(body)).toBe(true);
          // The kept part is made of whole graphemes of the original text.
          const kept = graphemes(body);
          expect(kept).toEqual(graphemes(text).slice(0, kept.length));
        }
      }
    }
  });

  it("keeps as much as fits", () => {
    expect(shorten(`ab${FAMILY}cd`, 10)).toBe("ab…"); // the family (8 units) does not fit in 9 - 2
    expect(shorten(`ab${FAMILY}cd`, 11)).toBe(`ab${FAMILY}…`);
    expect(truncate(`${FLAG}${FLAG}`, 7)).toBe(FLAG);
    expect(truncate(`x${E_ACUTE}`, 2)).toBe("x");
    expect(shorten("Қазақстан Республикасы", 10)).toBe("Қазақстан…");
  });

  it("a course title with an emoji at units 58-59 of a 60-unit button", () => {
    const title = `${"a".repeat(57)}${SMILE} course name`;
    const label = shorten(title, 60);
    expect(label).toBe(`${"a".repeat(57)}${SMILE}…`);
    const cutAtPair = shorten(`${"a".repeat(58)}${SMILE}${SMILE}`, 60);
    expect(cutAtPair).toBe(`${"a".repeat(58)}…`);
    expect(hasLoneSurrogate(cutAtPair)).toBe(false);
  });

  it("limits shorter than the ellipsis still give whole graphemes", () => {
    expect(shorten("abc", 0)).toBe("");
    expect(shorten(`${SMILE}abc`, 1)).toBe("…");
    expect(truncate(`${SMILE}abc`, 1)).toBe("");
  });

  it("snippet flattens whitespace first", () => {
    expect(snippet("a\n\n b   c", 10)).toBe("a b c");
    expect(snippet(`${SMILE} ${SMILE}\n${SMILE}`, 6)).toBe(`${SMILE} ${SMILE}…`);
  });
});

describe("hasLoneSurrogate", () => {
  it("finds an unpaired half anywhere", () => {
    expect(hasLoneSurrogate(SMILE)).toBe(false);
    expect(hasLoneSurrogate(SMILE.slice(0, 1))).toBe(true);
    expect(hasLoneSurrogate(`a${SMILE.slice(1)}b`)).toBe(true);
    expect(hasLoneSurrogate(`${SMILE.slice(0, 1)}${SMILE}`)).toBe(true);
  });
});
