/**
 * Which of the bot's languages a text seems to be written in, from its letters alone: letters
 * found only in Kazakh (ә ғ қ ң ө ұ ү һ і) mean Kazakh, other Cyrillic means Russian, Latin means
 * English. Enough to catch an announcement typed into the wrong language's step (issue 15); short
 * or mixed texts give no verdict rather than a wrong one.
 */
import type { Locale } from "./locale.js";

const KAZAKH_LETTERS = /[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/gu;
const CYRILLIC = /\p{Script=Cyrillic}/gu;
const LATIN = /\p{Script=Latin}/gu;

/** Below this many letters a text says too little about its language. */
const MIN_LETTERS = 20;
/** The share of letters one script needs to name the text's language (code and names mix in). */
const DOMINANT_SHARE = 0.6;
/** Kazakh letters in a Cyrillic text: at least this many, and this share of its Cyrillic letters
 * (a Kazakh text has about one in ten; a Russian one may name a place such as Қазақстан). */
const MIN_KAZAKH_LETTERS = 3;
const MIN_KAZAKH_SHARE = 0.04;

export interface ScriptCounts {
  cyrillic: number;
  kazakh: number;
  latin: number;
}

export function scriptCounts(text: string): ScriptCounts {
  const count = (re: RegExp) => text.match(re)?.length ?? 0;
  return { cyrillic: count(CYRILLIC), kazakh: count(KAZAKH_LETTERS), latin: count(LATIN) };
}

/** The language the text seems to be in, or null when it is too short or too mixed to tell. */
export function guessLanguage(text: string): Locale | null {
  const c = scriptCounts(text);
  const letters = c.cyrillic + c.latin;
  if (letters < MIN_LETTERS) return null;
  if (c.latin >= DOMINANT_SHARE * letters) return "en";
  if (c.cyrillic < DOMINANT_SHARE * letters) return null;
  return c.kazakh >= MIN_KAZAKH_LETTERS && c.kazakh >= MIN_KAZAKH_SHARE * c.cyrillic ? "kk" : "ru";
}

/** The other language a text meant for `lang` seems to be written in, or null when it fits (or cannot be told). */
export function seemsOtherLanguage(text: string, lang: Locale): Locale | null {
  const guess = guessLanguage(text);
  return guess !== null && guess !== lang ? guess : null;
}
