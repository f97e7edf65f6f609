import type { Locale } from "./config.js";

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

/** "24 қараша 2026 ж." / "24 ноября 2026 г." / "November 24, 2026" in the course's zone. */
export function formatDate(ms: number, lang: Locale, timeZone: string): string {
  return formatter(lang, timeZone, { dateStyle: "long" }).format(ms);
}

/** Date and time, for deadlines: "24 ноября 2026 г., 23:59". */
export function formatDateTime(ms: number, lang: Locale, timeZone: string): string {
  return formatter(lang, timeZone, { dateStyle: "long", timeStyle: "short", hourCycle: "h23" }).format(ms);
}

export function formatNumber(n: number, lang: Locale, maximumFractionDigits = 1): string {
  return new Intl.NumberFormat(lang, { maximumFractionDigits }).format(n);
}

/**
 * A deadline is the first instant something is closed; people read "until 23:59 on the 20th"
 * more easily than "00:00 on the 21st", so show the last minute that still counts.
 */
export function formatDeadline(closesAt: number, lang: Locale, timeZone: string): string {
  return formatDateTime(closesAt - 60_000, lang, timeZone);
}
