/**
 * The analysis report as one PDF an author can forward to their department: course, dates, team,
 * numbers, the charts (the same PNGs as the album), the item-analysis table of every quiz and the
 * questionnaires' free-text answers grouped per question (bounded; all of them are in /export).
 *
 * pdf-lib with fontkit embeds the same DejaVu Sans TTF as the charts (subset), so Kazakh text
 * renders in any viewer and stays searchable (pdf-lib writes a ToUnicode map).
 */
import { deflateSync } from "node:zlib";
import fontkit from "@pdf-lib/fontkit";
import {
  concatTransformationMatrix,
  drawObject,
  PDFDocument,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  type PDFFont,
  type PDFPage,
} from "pdf-lib";
import { pickText } from "../domain/course.js";
import type { ItemFlag } from "../domain/itemAnalysis.js";
import type { Locale } from "../domain/locale.js";
import { RULES } from "../domain/rules.js";
import { addLocalDays } from "../domain/time.js";
import type { CourseAnalysis, ItemAnalysisRow } from "../db/courseAnalysis.js";
import { fonts } from "./charts/fonts.js";
import type { ChartRaster } from "./charts/render.js";
import { plainT } from "./charts/chartBase.js";
import { courseTitle } from "./courseViews.js";
import { formatDate, formatNumber } from "./format.js";
import type { T } from "./i18n.js";
import { shorten } from "../domain/text.js";

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 48;
const CONTENT = A4.width - 2 * MARGIN;
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.4, 0.4, 0.45);
const RED = rgb(0.72, 0.16, 0.12);
const RULE = rgb(0.8, 0.8, 0.82);

export interface PdfChart {
  caption: string;
  png: Uint8Array;
  /** The same pixels, uncompressed: embedded as they are (no PNG decoding) when given. */
  raster?: ChartRaster | undefined;
}

export interface ReportPdfInput {
  analysis: CourseAnalysis;
  charts: readonly PdfChart[];
  t: T;
  lang: Locale;
  /** Names of the course team (authors). */
  team: readonly string[];
}

/** A page cursor: writes top to bottom and starts a new page when the next block does not fit. */
class Writer {
  page!: PDFPage;
  y = 0;
  private readonly glyphs: Set<number>;
  constructor(
    readonly doc: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
  ) {
    this.glyphs = new Set(regular.getCharacterSet());
    this.newPage();
  }

  /** Drops characters the font has no glyph for (emoji in learners' answers), instead of drawing boxes. */
  clean(text: string): string {
    return [...text]
      .filter((ch) => this.glyphs.has(ch.codePointAt(0)!) || ch === "\n")
      .join("")
      .replace(/[ \t]{2,}/g, " ");
  }

  newPage(): void {
    this.page = this.doc.addPage([A4.width, A4.height]);
    this.y = A4.height - MARGIN;
  }

  ensure(height: number): void {
    if (this.y - height < MARGIN + 14) this.newPage();
  }

  private readonly widths = new Map<PDFFont, Map<string, number>>();

  /**
   * Width of a word at size 1, cached: fontkit's layout is slow, and measuring every growing line
   * again was a third of the PDF's time. A line is measured as its words plus spaces (no kerning
   * across a space in DejaVu Sans).
   */
  private wordWidth(font: PDFFont, word: string): number {
    let byWord = this.widths.get(font);
    if (!byWord) this.widths.set(font, (byWord = new Map<string, number>()));
    let w = byWord.get(word);
    if (w === undefined) byWord.set(word, (w = font.widthOfTextAtSize(word, 1)));
    return w;
  }

  /** Splits a text into lines that fit `width` at `size` (long words are cut). */
  lines(text: string, size: number, width = CONTENT, font = this.regular): string[] {
    const out: string[] = [];
    const space = this.wordWidth(font, " ") * size;
    for (const para of this.clean(text).split("\n")) {
      let line = "";
      let lineWidth = 0;
      for (const word of para.split(/\s+/).filter(Boolean)) {
        const wordWidth = this.wordWidth(font, word) * size;
        const nextWidth = line ? lineWidth + space + wordWidth : wordWidth;
        if (nextWidth <= width) {
          line = line ? `${line} ${word}` : word;
          lineWidth = nextWidth;
          continue;
        }
        if (line) out.push(line);
        line = word;
        lineWidth = wordWidth;
        while (font.widthOfTextAtSize(line, size) > width) {
          let cut = line.length - 1;
          while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > width) cut--;
          out.push(line.slice(0, cut));
          line = line.slice(cut);
          lineWidth = font.widthOfTextAtSize(line, size);
        }
      }
      out.push(line);
    }
    return out;
  }

  text(text: string, options: { size?: number; bold?: boolean; color?: ReturnType<typeof rgb>; indent?: number; gap?: number } = {}): void {
    const size = options.size ?? 10;
    const font = options.bold ? this.bold : this.regular;
    const indent = options.indent ?? 0;
    const leading = size * 1.35;
    for (const line of this.lines(text, size, CONTENT - indent, font)) {
      this.ensure(leading);
      this.y -= leading;
      this.page.drawText(line, { x: MARGIN + indent, y: this.y + size * 0.25, size, font, color: options.color ?? INK });
    }
    this.y -= options.gap ?? 2;
  }

  heading(text: string, size = 14): void {
    this.ensure(size * 3);
    this.y -= size * 0.6;
    this.text(text, { size, bold: true, gap: 4 });
    this.page.drawLine({ start: { x: MARGIN, y: this.y + 2 }, end: { x: A4.width - MARGIN, y: this.y + 2 }, thickness: 0.6, color: RULE });
    this.y -= 6;
  }

  async image(png: Uint8Array, caption: string, raster?: ChartRaster): Promise<void> {
    const size = raster ?? (await this.doc.embedPng(png));
    const scale = Math.min(CONTENT / size.width, (A4.height - 2 * MARGIN - 40) / size.height);
    const w = size.width * scale;
    const h = size.height * scale;
    this.ensure(h + 24);
    this.y -= h;
    if (raster) this.drawRaster(raster, MARGIN, this.y, w, h);
    else this.page.drawImage(size as Awaited<ReturnType<PDFDocument["embedPng"]>>, { x: MARGIN, y: this.y, width: w, height: h });
    this.y -= 4;
    this.text(caption, { size: 8, color: MUTED, gap: 10 });
  }

  /** An opaque RGB image as a Flate-compressed XObject (node's zlib, not pdf-lib's JavaScript deflate). */
  private drawRaster(raster: ChartRaster, x: number, y: number, w: number, h: number): void {
    const { context } = this.doc;
    const stream = context.stream(deflateSync(raster.rgb, { level: 6 }), {
      Type: "XObject",
      Subtype: "Image",
      Width: raster.width,
      Height: raster.height,
      ColorSpace: "DeviceRGB",
      BitsPerComponent: 8,
      Filter: "FlateDecode",
    });
    const name = this.page.node.newXObject("Chart", context.register(stream));
    this.page.pushOperators(pushGraphicsState(), concatTransformationMatrix(w, 0, 0, h, x, y), drawObject(name), popGraphicsState());
  }

  /** A table with fixed column widths; cells wrap; the header repeats on each new page. */
  table(columns: { title: string; width: number }[], rows: { cells: string[]; highlight?: boolean }[], size = 8, withHeader = true): void {
    const pad = 3;
    const leading = size * 1.3;
    const drawRow = (cells: string[], font: PDFFont, color: ReturnType<typeof rgb>) => {
      const wrapped = cells.map((c, i) => this.lines(c, size, columns[i]!.width - 2 * pad, font));
      const height = Math.max(...wrapped.map((l) => l.length)) * leading + 2 * pad;
      return {
        wrapped,
        height,
        draw: () => {
          let x = MARGIN;
          wrapped.forEach((ls, i) => {
            ls.forEach((line, k) =>
              this.page.drawText(line, { x: x + pad, y: this.y - pad - (k + 1) * leading + size * 0.3, size, font, color }),
            );
            x += columns[i]!.width;
          });
          this.y -= height;
          this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: A4.width - MARGIN, y: this.y }, thickness: 0.4, color: RULE });
        },
      };
    };
    const header = () =>
      drawRow(
        columns.map((c) => c.title),
        this.bold,
        INK,
      );
    const first = header();
    this.ensure(first.height + leading * 2);
    if (withHeader) first.draw();
    for (const r of rows) {
      const row = drawRow(r.cells, this.regular, r.highlight ? RED : INK);
      if (this.y - row.height < MARGIN + 14) {
        this.newPage();
        if (withHeader) header().draw();
      }
      row.draw();
    }
    this.y -= 8;
  }

  footer(t: (k: string, o?: Record<string, unknown>) => string, label: string): void {
    const pages = this.doc.getPages();
    pages.forEach((page, i) => {
      const text = `${label} · ${t("report.pdf.page", { n: i + 1, total: pages.length })}`;
      page.drawText(text, { x: MARGIN, y: MARGIN / 2, size: 7.5, font: this.regular, color: MUTED });
    });
  }
}

const LETTERS = "ABCDEFGHIJ";

function optionsCell(row: ItemAnalysisRow, p: (k: string) => string): string {
  const q = row.question;
  if (!q || row.options.length === 0) return "";
  if (q.kind === "truefalse") {
    const [yes = 0, no = 0] = row.options;
    return `${p("survey.yes")} ${yes}${q.answer === true ? " ✓" : ""} · ${p("survey.no")} ${no}${q.answer === false ? " ✓" : ""}`;
  }
  return row.options.map((n, i) => `${LETTERS[i] ?? i + 1} ${n}${(q.options?.[i]?.weight ?? 0) > 0 ? " ✓" : ""}`).join(" · ");
}

export async function reportPdf(input: ReportPdfInput): Promise<Uint8Array> {
  const { analysis: a, t, lang } = input;
  const p = plainT(t);
  const f = fonts();
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const regular = await doc.embedFont(f.regular, { subset: true });
  const bold = await doc.embedFont(f.bold, { subset: true });
  const title = courseTitle(a.course, lang);
  const now = a.computedAt;
  doc.setTitle(`${p("report.pdf.title")}: ${title}`, { showInWindowTitleBar: true });
  doc.setSubject(title);
  doc.setLanguage(lang);
  doc.setCreator("MOOC course assistant");
  doc.setProducer("pdf-lib");
  doc.setCreationDate(new Date(now));
  doc.setModificationDate(new Date(now));

  const w = new Writer(doc, regular, bold);
  const tz = a.course.timezone;
  const d = (ms: number) => formatDate(ms, lang, tz);
  const n = (x: number, digits = 1) => formatNumber(x, lang, digits);
  const pct = (x: number, of: number) => (of > 0 ? n((100 * x) / of) : "0");

  w.text(p("report.pdf.title"), { size: 11, color: MUTED, gap: 0 });
  w.text(title, { size: 20, bold: true, gap: 4 });
  w.text(p("report.pdf.course_id", { id: a.course.id }), { size: 9, color: MUTED });
  w.text(
    p("report.pdf.dates", {
      start: d(a.course.startAt),
      end: d(a.course.endAt - 1),
      analysisEnd: d(addLocalDays(a.course.endAt, RULES.analysisDaysAfterEnd, tz) - 1),
    }),
  );
  if (input.team.length) w.text(p("report.pdf.team", { names: input.team.join(", ") }));
  w.text(p("report.pdf.generated", { date: d(now) }), { size: 9, color: MUTED, gap: 8 });

  w.heading(p("report.pdf.numbers"));
  const e = a.enrollment.enrolled;
  const rows: [string, string][] = [
    [p("report.pdf.enrolled"), n(e, 0)],
    [p("report.pdf.active"), n(a.enrollment.active, 0)],
    [p("report.pdf.took_quiz"), `${n(a.funnel.tookQuiz, 0)} (${pct(a.funnel.tookQuiz, e)}%)`],
    [p("report.pdf.passed_course"), `${n(a.funnel.passedCourse, 0)} (${pct(a.funnel.passedCourse, e)}%)`],
    [p("report.pdf.certificate"), `${n(a.funnel.certificate, 0)} (${pct(a.funnel.certificate, e)}%)`],
  ];
  w.table(
    [
      { title: "", width: CONTENT * 0.7 },
      { title: "", width: CONTENT * 0.3 },
    ],
    rows.map((r) => ({ cells: r })),
    10,
    false,
  );
  for (const q of a.questionnaires) {
    w.text(
      p("report.pdf.questionnaire_counts", {
        kind: p(`survey.results.kind_${q.kind}`),
        submitted: q.counts.submitted,
        started: q.counts.started,
      }),
    );
  }
  if (a.quizzes.length) {
    w.heading(p("report.pdf.modules"));
    for (const m of a.quizzes) {
      w.text(
        p("report.pdf.module_row", {
          n: m.module.position + 1,
          takers: m.takers,
          scored: m.scored,
          passed: m.passed,
          rate: pct(m.passed, m.takers),
          average: m.average === null ? "—" : `${n(m.average)}%`,
        }),
      );
    }
  }

  if (input.charts.length) {
    w.heading(p("report.pdf.charts"));
    for (const c of input.charts) {
      // Decoding a PNG is synchronous work: let the bot answer between two charts.
      await new Promise((r) => setImmediate(r));
      await w.image(c.png, c.caption, c.raster);
    }
  }

  const flagText = (flags: ItemFlag[]) => flags.map((fl) => p(`report.flag.${fl}`)).join("; ");
  const fmt = (x: number | null) => (x === null ? "—" : n(x, 2));
  for (const m of a.quizzes) {
    w.newPage();
    w.heading(p("report.pdf.items", { n: m.module.position + 1 }));
    w.text(p("report.pdf.items_note"), { size: 8, color: MUTED, gap: 6 });
    w.table(
      [
        { title: "№", width: 20 },
        { title: p("report.pdf.col_question"), width: 110 },
        { title: p("report.pdf.col_n"), width: 50 },
        { title: p("report.pdf.col_facility"), width: 56 },
        { title: p("report.pdf.col_discrimination"), width: 40 },
        { title: p("report.pdf.col_r"), width: 44 },
        { title: p("report.pdf.col_options"), width: 84 },
        { title: p("report.pdf.col_flags"), width: CONTENT - 404 },
      ],
      m.items.map((row) => ({
        highlight: row.stats.flags.length > 0,
        cells: [
          String(row.position + 1),
          row.question ? shorten(pickText(row.question.prompt, lang, a.course.languages), 140) : "",
          n(row.stats.n, 0),
          row.stats.n ? `${n(row.stats.facility * 100)}%` : "—",
          fmt(row.stats.discrimination),
          fmt(row.stats.pointBiserial),
          optionsCell(row, p),
          flagText(row.stats.flags),
        ],
      })),
    );
  }

  for (const q of a.questionnaires) {
    const texts = q.questions.filter((x) => x.question.type === "text");
    if (texts.length === 0) continue;
    w.heading(p("report.pdf.texts", { kind: p(`survey.results.kind_${q.kind}`) }));
    for (const qa of texts) {
      const number = q.questions.indexOf(qa) + 1;
      w.text(`${number}. ${pickText(qa.question.text, lang, a.course.languages)}`, { bold: true, size: 10, gap: 3 });
      if (qa.texts.length === 0) w.text(p("report.pdf.no_texts"), { indent: 12, color: MUTED });
      for (const text of qa.texts) w.text(`• ${text.replace(/\s+/g, " ")}`, { indent: 12, size: 9, gap: 1 });
      if (qa.textTotal > qa.texts.length)
        w.text(p("report.pdf.more_texts", { count: qa.textTotal - qa.texts.length }), { indent: 12, size: 9, color: MUTED });
      w.y -= 6;
    }
  }

  w.footer(p, title);
  return doc.save();
}
