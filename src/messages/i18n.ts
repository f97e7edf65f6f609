import { readFileSync } from "node:fs";
import { join } from "node:path";
import i18next, { type TFunction } from "i18next";
import { LOCALES, type Locale } from "../domain/locale.js";
import { localesFolder } from "../paths.js";

export type T = TFunction;

import { escapeHtml } from "../domain/text.js";

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

/** Options i18next gives a meaning beyond interpolation: such calls go to i18next itself. */
const SPECIAL_OPTIONS = [
  "count",
  "context",
  "defaultValue",
  "returnObjects",
  "lng",
  "lngs",
  "ns",
  "keyPrefix",
  "ordinal",
  "replace",
  "interpolation",
  "postProcess",
  "joinArrays",
];

/** A whole number as formatNumber prints it in kk, ru or en (digits, group separators, a minus). */
const FORMATTED_NUMBER = /^-?\d[\d\s\u00a0\u202f,]*$/;

/** A text split into literals (even indexes) and variable names (odd), or null when i18next must render it. */
type Template = string[] | null;

function compile(text: unknown): Template {
  if (typeof text !== "string" || text.includes("$t(")) return null;
  const parts = text.split(/\{\{(.+?)\}\}/);
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!.trim();
    // Formats ("{{n, number}}"), paths ("{{a.b}}") and unescaped values ("{{- x}}") stay with i18next.
    if (name === "" || /[,.]/.test(name) || name.startsWith("-")) return null;
    parts[i] = name;
  }
  return parts;
}

/**
 * A t() fixed to one language, built once per language. i18next's getFixedT() result copies the
 * instance's whole options object on every call (40-80 µs and much garbage per text, measured,
 * with dozens of texts per quiz step); most of our texts are plain strings with {{variables}}, so
 * those are split once and filled in here, escaped exactly as i18next escapes them (the locale
 * test compares every key with i18next's own output), plurals of a numeric count too. Anything else
 * (formats, context, nesting) is i18next's.
 */
function fastTranslator(lang: Locale): T {
  const fixed = instance.getFixedT(lang) as unknown as (...a: unknown[]) => unknown;
  const templates = new Map<string, Template>();
  const template = (key: string): Template => {
    let tpl = templates.get(key);
    if (tpl === undefined) {
      tpl = compile(instance.getResource(lang, "translation", key));
      templates.set(key, tpl);
    }
    return tpl;
  };
  const fill = (tpl: string[], vars: Record<string, unknown> | undefined): string => {
    if (tpl.length === 1) return tpl[0]!;
    let out = tpl[0]!;
    for (let i = 1; i < tpl.length; i += 2) {
      const name = tpl[i]!;
      const value = vars?.[name];
      // As i18next: a missing variable stays as written, an explicit undefined/null becomes "".
      if (value === undefined && !(vars && Object.prototype.hasOwnProperty.call(vars, name))) out += `{{${name}}}`;
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- numbers and booleans, as i18next prints them
      else out += escapeHtml(value == null ? "" : typeof value === "string" ? value : String(value));
      out += tpl[i + 1]!;
    }
    return out;
  };
  const plurals = new Intl.PluralRules(lang);
  const found = (k: string): boolean => {
    const r: unknown = instance.getResource(lang, "translation", k);
    return r !== undefined && r !== null && r !== "";
  };
  const pluralForms = new Map<string, Template>();
  /** As i18next looks a plural up: `key_zero` (count 0), `key_<plural form>`, then `key`. */
  const pluralTemplate = (key: string, count: number): Template => {
    const form = plurals.select(count);
    const memo = count === 0 ? `${key}\0zero\0${form}` : `${key}\0${form}`;
    let tpl = pluralForms.get(memo);
    if (tpl === undefined) {
      const hit = [...(count === 0 ? [`${key}_zero`] : []), `${key}_${form}`, key].find(found);
      tpl = hit === undefined ? null : template(hit);
      pluralForms.set(memo, tpl);
    }
    return tpl;
  };
  const t = (key: unknown, opts?: unknown, ...rest: unknown[]) => {
    if (typeof key === "string" && rest.length === 0 && (opts === undefined || (typeof opts === "object" && opts !== null))) {
      const vars = opts as Record<string, unknown> | undefined;
      const count = vars?.count;
      if (typeof count === "string" && FORMATTED_NUMBER.test(count)) {
        // A count already formatted for reading ("12 345", "1,234"): the plural form follows its
        // value and the text shows it as given (i18next would take such a string for "other").
        const form = `${key}_${plurals.select(Number(count.replace(/[^\d-]/g, "")))}`;
        const tpl = template(instance.getResource(lang, "translation", form) === undefined ? `${key}_other` : form);
        if (tpl) return fill(tpl, vars);
      }
      if (typeof count === "number" && !SPECIAL_OPTIONS.some((o) => o !== "count" && o in vars!)) {
        const tpl = pluralTemplate(key, count);
        if (tpl) return fill(tpl, vars);
      }
      const tpl = vars && SPECIAL_OPTIONS.some((o) => o in vars) ? null : template(key);
      if (tpl) return fill(tpl, vars);
    }
    return fixed(key, opts, ...rest);
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
