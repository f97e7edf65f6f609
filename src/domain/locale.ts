/** The languages every text exists in. Kazakh is the state language and the usual default. */
export const LOCALES = ["kk", "ru", "en"] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** Telegram's language_code (e.g. "ru", "kk", "en-GB") mapped to a supported locale, if any. */
export function localeFromTelegram(code: string | undefined): Locale | null {
  const base = code?.toLowerCase().split(/[-_]/)[0];
  return isLocale(base) ? base : null;
}
