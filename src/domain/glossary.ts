import type { Translated } from "./course.js";

export interface GlossaryEntry {
  term: Translated;
  definition: Translated;
}

/** Case- and accent-insensitive form for matching; ё and е are one letter to most readers. */
export function normaliseTerm(s: string): string {
  return s.toLocaleLowerCase("ru").replace(/ё/g, "е").replace(/\s+/g, " ").trim();
}

/**
 * Entries whose term, in any language, contains the query: a learner may type the Russian
 * word while reading the Kazakh course. Exact matches come first.
 */
export function searchGlossary<E extends GlossaryEntry>(entries: readonly E[], query: string): E[] {
  const q = normaliseTerm(query);
  if (!q) return [...entries];
  const scored = entries
    .map((e) => {
      const terms = Object.values(e.term).map((t) => normaliseTerm(t));
      const score = terms.some((t) => t === q) ? 2 : terms.some((t) => t.includes(q)) ? 1 : 0;
      return { e, score };
    })
    .filter((x) => x.score > 0);
  return scored.sort((a, b) => b.score - a.score).map((x) => x.e);
}
