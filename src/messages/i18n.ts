import { readFileSync } from "node:fs";
import { join } from "node:path";
import i18next, { type TFunction } from "i18next";
import { LOCALES, type Locale } from "../domain/locale.js";
import { localesFolder } from "../paths.js";

export type T = TFunction;

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function loadResources() {
  return Object.fromEntries(
    LOCALES.map((l) => [l, { translation: JSON.parse(readFileSync(join(localesFolder, `${l}.json`), "utf8")) as Record<string, unknown> }]),
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



export { escapeHtml };
export { isLocale, localeFromTelegram } from "../domain/locale.js";
