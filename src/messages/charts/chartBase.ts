/**
 * What every chart of the analysis report shares: the font (it has Kazakh letters), the colours,
 * the frame with its title, and numbers written for the author's language.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Locale } from "../../domain/locale.js";
import { formatNumber } from "../format.js";
import type { T } from "../i18n.js";
import { shorten } from "../../domain/text.js";

export const CHART_FONT = "DejaVu Sans";
export const WIDTH = 640;
export const BLUE = "#3b6ea8";
export const GREEN = "#4c9a5a";
export const ORANGE = "#d9822b";
export const GREY = "#8a8f98";
/** Counts of people: whole numbers only on the axis. */
export const COUNT_AXIS = { format: ",d", tickMinStep: 1 };

/** d3-format locales matching Intl.NumberFormat's output for each language (messages/format.ts). */
const NUMBER_LOCALES: Record<Locale, { decimal: string; thousands: string; grouping: number[]; currency: [string, string] }> = {
  kk: { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", ""] },
  ru: { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", ""] },
  en: { decimal: ".", thousands: ",", grouping: [3], currency: ["", ""] },
};

/** A count or a percentage in the text of a chart (labels, subtitles), formatted for the language. */
export const num = (n: number, lang: Locale, digits = 0) => formatNumber(n, lang, digits);

export interface ChartSpec {
  /** Stable name, e.g. "funnel", "module-scores", "q-post-3". */
  id: string;
  /** Caption of the photo in the album (plain text, the author's language). */
  caption: string;
  spec: TopLevelSpec;
}

/** t() without HTML escaping: chart texts are drawn, not sent as HTML. */
export function plainT(t: T): (key: string, options?: Record<string, unknown>) => string {
  return (key, options = {}) => t(key, { ...options, interpolation: { escapeValue: false } });
}

/** Breaks a long text into at most `maxLines` lines of about `width` characters (the last one ellipsised). */
export function wrap(text: string, width = 64, maxLines = 3): string[] {
  const words = text.replace(/\s+/g, " ").trim().split(" ");
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line && [...line].length + 1 + [...w].length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = shorten(`${kept[maxLines - 1]!}…`, width);
    return kept;
  }
  return lines;
}

export const pct = (n: number, of: number) => (of > 0 ? Math.round((1000 * n) / of) / 10 : 0);

export function base(
  lang: Locale,
  title: string[],
  subtitle?: string,
): Pick<TopLevelSpec, "$schema" | "config" | "background" | "padding"> & { title: unknown } {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "white",
    padding: 16,
    title: { text: title, subtitle, anchor: "start", fontSize: 17, subtitleFontSize: 13, subtitleColor: "#555", offset: 12 },
    config: {
      // Axis numbers grouped as the author reads them: 22 000 in Kazakh and Russian, 22,000 in English.
      locale: { number: NUMBER_LOCALES[lang] },
      font: CHART_FONT,
      view: { stroke: null },
      axis: { labelFontSize: 12, titleFontSize: 13, gridColor: "#e6e6e6", domainColor: "#999", tickColor: "#999" },
      legend: { labelFontSize: 12, titleFontSize: 12, orient: "top", labelLimit: 320 },
    },
  } as never;
}
