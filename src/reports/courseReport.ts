/**
 * The whole analysis report for one course in one language: the numbers (courseAnalysis), the
 * chart PNGs, the PDF and the summary text; and its delivery to a chat (albums of at most 10
 * photos, then the PDF). Shared by /report and the automatic job.
 */
import { setImmediate as tick } from "node:timers/promises";
import { InputFile, InputMediaBuilder, type Api } from "grammy";
import type { Db } from "../db/client.js";
import { getLearner } from "../db/learnersRepo.js";
import type { Locale } from "../domain/locale.js";
import type { ChartRaster } from "../messages/charts/render.js";
import { reportCharts } from "../messages/charts/specs.js";
import { courseTitle } from "../messages/courseViews.js";
import { HTML, chunkLines } from "../messages/html.js";
import { translator } from "../messages/i18n.js";
import { reportSummaryLines } from "../messages/reportViews.js";
import { isEmptyAnalysis, type CourseAnalysis } from "../db/courseAnalysis.js";

/** Telegram's limit of photos per album. */
export const ALBUM_MAX = 10;

export interface RenderedReport {
  analysis: CourseAnalysis;
  lang: Locale;
  /** Nothing to draw yet: only `summary` (the "nothing to report yet" text) is sent. */
  empty: boolean;
  /** HTML lines for the chat. */
  summary: string[];
  charts: { id: string; caption: string; png: Buffer }[];
  pdf: { bytes: Uint8Array; filename: string } | null;
}

/** Display names of the course team for the PDF: their Telegram names when the bot knows them. */
export function teamNames(db: Db, authorIds: readonly number[]): string[] {
  return authorIds.map((id) => {
    const l = getLearner(db, id);
    const name = l ? [l.firstName, l.lastName].filter(Boolean).join(" ").trim() : "";
    return name ? `${name}${l?.username ? ` (@${l.username})` : ""}` : `id ${id}`;
  });
}

/** Draws the charts and the PDF of an analysis in one language (yielding between charts). */
export async function renderReport(analysis: CourseAnalysis, lang: Locale, team: readonly string[]): Promise<RenderedReport> {
  const t = translator(lang);
  if (isEmptyAnalysis(analysis)) {
    return {
      analysis,
      lang,
      empty: true,
      summary: [t("report.empty", { title: courseTitle(analysis.course, lang) })],
      charts: [],
      pdf: null,
    };
  }
  // Loaded on the first report, not at start-up: vega, resvg and pdf-lib take seconds to load,
  // and the bot must poll for updates within a second of starting.
  const [{ chartImage }, { reportPdf }] = await Promise.all([import("../messages/charts/render.js"), import("../messages/reportPdf.js")]);
  const drawn: (RenderedReport["charts"][number] & { raster?: ChartRaster })[] = [];
  for (const c of reportCharts(analysis, t, lang)) {
    await tick();
    const { png, raster } = await chartImage(c.spec);
    drawn.push({ id: c.id, caption: c.caption, png, raster });
  }
  await tick();
  const bytes = await reportPdf({ analysis, charts: drawn, t, lang, team });
  // The rasters served the PDF only; the chat gets the PNGs.
  const charts = drawn.map(({ id, caption, png }) => ({ id, caption, png }));
  const day = new Date(analysis.computedAt).toISOString().slice(0, 10);
  return {
    analysis,
    lang,
    empty: false,
    summary: reportSummaryLines(t, lang, analysis),
    charts,
    // An ASCII file name: some mail and file systems mangle others.
    pdf: { bytes, filename: `report-${analysis.course.id}-${day}.pdf` },
  };
}

/**
 * Sends a report to a chat: an optional intro line, the summary, the charts as albums (several
 * when there are more than 10; a lone chart as a plain photo, since an album needs two), the PDF.
 */
export async function deliverReport(api: Api, chatId: number, report: RenderedReport, intro?: string): Promise<void> {
  const t = translator(report.lang);
  const lines = intro ? [intro, "", ...report.summary] : report.summary;
  for (const chunk of chunkLines(lines)) await api.sendMessage(chatId, chunk, HTML);
  if (report.empty) return;
  for (let i = 0; i < report.charts.length; i += ALBUM_MAX) {
    const group = report.charts.slice(i, i + ALBUM_MAX);
    if (group.length === 1) {
      await api.sendPhoto(chatId, new InputFile(group[0]!.png, `${group[0]!.id}.png`), { caption: group[0]!.caption });
      continue;
    }
    await api.sendMediaGroup(
      chatId,
      group.map((c) => InputMediaBuilder.photo(new InputFile(c.png, `${c.id}.png`), { caption: c.caption })),
    );
  }
  if (report.pdf) {
    await api.sendDocument(chatId, new InputFile(report.pdf.bytes, report.pdf.filename), {
      caption: t("report.pdf_caption", { title: courseTitle(report.analysis.course, report.lang) }),
      parse_mode: "HTML",
    });
  }
}
