/**
 * The DejaVu Sans TTFs (regular and bold) shared by the charts and both PDFs: in a module of their
 * own so a certificate PDF does not load vega and resvg with the chart renderer.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The TTF files (regular and bold), shared with the PDF. */
export const FONT_FILES = {
  regular: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"),
  bold: require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"),
} as const;

let fontBytes: { regular: Buffer; bold: Buffer } | null = null;

export function fonts(): { regular: Buffer; bold: Buffer } {
  fontBytes ??= { regular: readFileSync(FONT_FILES.regular), bold: readFileSync(FONT_FILES.bold) };
  return fontBytes;
}
