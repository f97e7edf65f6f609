import { readFileSync } from "node:fs";
import { join } from "node:path";
import i18next, { type TFunction } from "i18next";
import { LOCALES, type Locale } from "../domain/locale.js";
import { localesFolder } from "../paths.js";

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

/**
 * A t() fixed to one language, built once per language. i18next's own getFixedT() result copies
 * the instance's whole options object on every call (about 40 µs and much garbage per text,
 * measured: several per update); `instance.t(key, { lng })` gives the same strings about 5x
 * faster, and a text without options is the same every time, so it is looked up once.
 */
function fastTranslator(lang: Locale): T {
  const fixed = instance.getFixedT(lang);
  const lngOnly = { lng: lang };
  const plain = new Map<string, string>();
  const t = (key: unknown, opts?: unknown, ...rest: unknown[]) => {
    if (typeof key === "string" && rest.length === 0) {
      if (opts === undefined) {
        let s = plain.get(key);
        if (s === undefined) {
          s = instance.t(key, lngOnly) as string;
          plain.set(key, s);
        }
        return s;
      }
      if (typeof opts === "object" && opts !== null) return instance.t(key, { ...(opts as object), lng: lang });
    }
    return (fixed as unknown as (...a: unknown[]) => unknown)(key, opts, ...rest);
  };
  return t as unknown as T;
}

const translators = new Map<Locale, T>();

export function translator(lang: Locale): T {
  let t = translators.get(lang);
  if (!t) {
    t = fastTranslator(lang);
    translators.set(lang, t);
  }
  return t;
}

/** i18next's own fixed t(), for the test that checks `translator` gives the same strings. */
export function i18nextFixedT(lang: Locale): T {
  return instance.getFixedT(lang);
}



export { escapeHtml };
export { isLocale, localeFromTelegram } from "../domain/locale.js";
