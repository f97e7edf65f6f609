/**
 * The certificate as a one-page landscape A4 PDF in the learner's language (issue 10 item 2).
 * DejaVu Sans is embedded (subset) as in the analysis report, so Kazakh letters render in any
 * viewer and the text stays searchable; the QR code is drawn as vector squares from `qrcode`'s
 * module matrix, so no image library is needed and it stays sharp when printed.
 */
import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import QRCode from "qrcode";
import { formatCode } from "../domain/certificate.js";
import type { Locale } from "../domain/locale.js";
import { fonts } from "./charts/fonts.js";
import { formatDate, formatNumber, quoted } from "./format.js";
import { translator } from "./i18n.js";

const PAGE = { width: 841.89, height: 595.28 };
const INK = rgb(0.1, 0.12, 0.18);
const ACCENT = rgb(0.05, 0.33, 0.55);
const MUTED = rgb(0.38, 0.4, 0.45);

export interface CertificateFacts {
  lang: Locale;
  fullName: string;
  courseTitle: string;
  hours: number | null;
  /** Course progress in percent. */
  score: number;
  issuedAt: number;
  timezone: string;
  code: string;
  /** The bot's username: the QR and the printed link point to t.me/<bot>?start=verify-<code>. */
  botUsername: string;
}

export function verifyLink(botUsername: string, code: string): string {
  return `https://t.me/${botUsername}?start=verify-${code}`;
}

/** Splits text into lines no wider than `width`. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (!line || font.widthOfTextAtSize(next, size) <= width) line = next;
    else {
      out.push(line);
      line = word;
    }
  }
  if (line) out.push(line);
  return out;
}

/** The largest size up to `max` at which the text fits on `maxLines` lines. */
function fitted(text: string, font: PDFFont, max: number, width: number, maxLines: number): { size: number; lines: string[] } {
  for (let size = max; size > 10; size -= 1) {
    const lines = wrap(text, font, size, width);
    if (lines.length <= maxLines && lines.every((l) => font.widthOfTextAtSize(l, size) <= width)) return { size, lines };
  }
  return { size: 10, lines: wrap(text, font, 10, width) };
}

function centred(page: PDFPage, text: string, y: number, font: PDFFont, size: number, color = INK): void {
  page.drawText(text, { x: (PAGE.width - font.widthOfTextAtSize(text, size)) / 2, y, size, font, color });
}

function drawQr(page: PDFPage, url: string, x: number, y: number, side: number): void {
  const qr = QRCode.create(url, { errorCorrectionLevel: "M" });
  const n = qr.modules.size;
  const quiet = 2;
  const cell = side / (n + 2 * quiet);
  page.drawRectangle({ x, y, width: side, height: side, color: rgb(1, 1, 1) });
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      // Slightly oversized squares: no hairline gaps between neighbours in some viewers.
      page.drawRectangle({
        x: x + (c + quiet) * cell,
        y: y + side - (r + quiet + 1) * cell,
        width: cell + 0.05,
        height: cell + 0.05,
        color: INK,
      });
    }
  }
}

export async function renderCertificatePdf(f: CertificateFacts): Promise<Uint8Array> {
  const t = translator(f.lang);
  const doc = await PDFDocument.create();
  // A fresh fontkit parse per document: sharing parsed fonts between documents drops glyphs from
  // later subsets (seen as a missing "H" in a code), so the 0.2 s it would save is not worth it.
  doc.registerFontkit(fontkit);
  const { regular: regularBytes, bold: boldBytes } = fonts();
  const regular = await doc.embedFont(regularBytes, { subset: true });
  const bold = await doc.embedFont(boldBytes, { subset: true });
  const title = t("certificates.pdf.title");
  doc.setTitle(`${title} — ${f.courseTitle}`);
  doc.setAuthor(f.botUsername);
  doc.setSubject(`${f.fullName} · ${formatCode(f.code)}`);
  doc.setCreationDate(new Date(f.issuedAt));
  doc.setModificationDate(new Date(f.issuedAt));
  const page = doc.addPage([PAGE.width, PAGE.height]);

  page.drawRectangle({ x: 18, y: 18, width: PAGE.width - 36, height: PAGE.height - 36, borderColor: ACCENT, borderWidth: 3 });
  page.drawRectangle({ x: 26, y: 26, width: PAGE.width - 52, height: PAGE.height - 52, borderColor: ACCENT, borderWidth: 0.8 });

  const width = PAGE.width - 160;
  let y = PAGE.height - 100;
  centred(page, title.toUpperCase(), y, bold, 34, ACCENT);
  y -= 44;
  centred(page, t("certificates.pdf.certifies"), y, regular, 14, MUTED);
  y -= 50;
  const name = fitted(f.fullName, bold, 30, width, 2);
  for (const line of name.lines) {
    centred(page, line, y, bold, name.size);
    y -= name.size * 1.25;
  }
  page.drawLine({
    start: { x: 180, y: y + name.size * 0.8 },
    end: { x: PAGE.width - 180, y: y + name.size * 0.8 },
    thickness: 0.6,
    color: MUTED,
  });
  y -= 14;
  centred(page, t("certificates.pdf.completed"), y, regular, 14, MUTED);
  y -= 34;
  const course = fitted(quoted(f.courseTitle, f.lang), bold, 22, width, 2);
  for (const line of course.lines) {
    centred(page, line, y, bold, course.size, ACCENT);
    y -= course.size * 1.3;
  }
  y -= 8;
  const facts = [
    f.hours !== null ? t("certificates.pdf.hours", { count: f.hours, hours: formatNumber(f.hours, f.lang) }) : null,
    t("certificates.pdf.score", { score: formatNumber(f.score, f.lang) }),
  ].filter((s): s is string => s !== null);
  centred(page, facts.join("   ·   "), y, regular, 13);

  // Bottom row: date and code on the left, the QR on the right.
  const qrSide = 110;
  drawQr(page, verifyLink(f.botUsername, f.code), PAGE.width - 60 - qrSide, 48, qrSide);
  const left = 60;
  page.drawText(t("certificates.pdf.issued", { date: formatDate(f.issuedAt, f.lang, f.timezone) }), {
    x: left,
    y: 118,
    size: 12,
    font: regular,
    color: INK,
  });
  page.drawText(t("certificates.pdf.code", { code: formatCode(f.code) }), { x: left, y: 96, size: 12, font: bold, color: INK });
  page.drawText(t("certificates.pdf.verify_hint"), { x: left, y: 74, size: 9, font: regular, color: MUTED });
  page.drawText(verifyLink(f.botUsername, f.code), { x: left, y: 60, size: 9, font: regular, color: ACCENT });
  return doc.save();
}
