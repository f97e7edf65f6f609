import type { Locale } from "../domain/locale.js";

/** Quotation marks of each language (locales/README.md): «…» in kk and ru, “…” in en. */
const QUOTES: Record<Locale, readonly [string, string]> = { kk: ["«", "»"], ru: ["«", "»"], en: ["“", "”"] };

/**
 * A title or word quoted the reader's way, for quotes the code adds around a value (locale texts
 * write their own). Kept out of the locale files because i18next would escape the value a second time.
 */
export function quoted(text: string, lang: Locale): string {
  const [open, close] = QUOTES[lang];
  return `${open}${text}${close}`;
}

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: Locale, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}|${timeZone}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { timeZone, ...options });
    cache.set(key, f);
  }
  return f;
}

/**
 * Russian long dates end in "г." ("24 ноября 2026 г."), which doubles the full stop when a date
 * ends a sentence ("открыта до 24 ноября 2026 г.."). The year reads just as well without it.
 */
const dropRussianYearMark = (lang: Locale, s: string) => (lang === "ru" ? s.replace(/ г\.(?=$|,| в )/, "") : s);

/** "2026 ж. 24 қараша" / "24 ноября 2026" / "November 24, 2026" in the course's zone. */
export function formatDate(ms: number, lang: Locale, timeZone: string): string {
  return dropRussianYearMark(lang, formatter(lang, timeZone, { dateStyle: "long" }).format(ms));
}

/** Date and time, for deadlines: "24 ноября 2026 в 23:59". */
export function formatDateTime(ms: number, lang: Locale, timeZone: string): string {
  return dropRussianYearMark(lang, formatter(lang, timeZone, { dateStyle: "long", timeStyle: "short", hourCycle: "h23" }).format(ms));
}

// Building an Intl formatter costs tens of microseconds (locale data lookup); formatting with one is cheap.
const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatNumber(n: number, lang: Locale, maximumFractionDigits = 1): string {
  const key = `${lang}|${maximumFractionDigits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(lang, { maximumFractionDigits });
    numberFormats.set(key, f);
  }
  return f.format(n);
}

/**
 * A deadline is the first instant something is closed; people read "until 23:59 on the 20th"
 * more easily than "00:00 on the 21st", so show the last minute that still counts.
 */
export function formatDeadline(closesAt: number, lang: Locale, timeZone: string): string {
  return formatDateTime(closesAt - 60_000, lang, timeZone);
}
