import { readFileSync } from "node:fs";
import { join } from "node:path";
import i18next, { type TFunction } from "i18next";
import { LOCALES, type Locale } from "./config.js";
import { localesFolder } from "./paths.js";

export type T = TFunction;

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function loadResources() {
  return Object.fromEntries(
    LOCALES.map((l) => [l, { translation: JSON.parse(readFileSync(join(localesFolder, `${l}.json`), "utf8")) }]),
  );
}

// One shared instance; every context gets a fixed-language t() instead of changeLanguage per update.
const instance = i18next.createInstance();
void instance.init({
  initAsync: false,
  showSupportNotice: false,
  resources: loadResources(),
  supportedLngs: [...LOCALES],
  fallbackLng: false,
  returnNull: false,
  // Messages are sent with parse_mode HTML: interpolated values (titles, names) are escaped.
  interpolation: { escapeValue: true, escape: escapeHtml },
});

export function translator(lang: Locale): T {
  return instance.getFixedT(lang);
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** Telegram's language_code (e.g. "ru", "kk", "en-GB") mapped to a supported locale, if any. */
export function localeFromTelegram(code: string | undefined): Locale | null {
  const base = code?.toLowerCase().split(/[-_]/)[0];
  return isLocale(base) ? base : null;
}

export { escapeHtml };
