import type { Locale } from "./locale.js";

/** A text in several languages, keyed by locale. */
export type Translated = Partial<Record<Locale, string>>;

/**
 * The text for `lang`, else the course's first language that has one (course content may be
 * written in fewer languages than the bot speaks).
 */
export function pickText(t: Translated, lang: Locale, fallbackOrder: readonly string[]): string {
  const own = t[lang];
  if (own) return own;
  for (const l of fallbackOrder) {
    const v = t[l as Locale];
    if (v) return v;
  }
  return Object.values(t).find((v) => v) ?? "";
}
