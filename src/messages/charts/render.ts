/**
 * Draws a chart spec to PNG without a browser: Vega-Lite compiles to Vega, Vega's headless View
 * writes SVG, resvg (prebuilt binary from npm) rasterises it with the DejaVu Sans TTF loaded
 * explicitly and system fonts off, so a chart looks the same on every machine and Kazakh letters
 * (Ә Ғ Қ Ң Ө Ұ Ү Һ І) always have glyphs.
 */
import { Resvg } from "@resvg/resvg-js";
import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { FONT_FILES } from "./fonts.js";
import { CHART_FONT } from "./chartBase.js";

export { FONT_FILES, fonts } from "./fonts.js";

/** Vega-Lite's warnings (e.g. about merged sort orders) are about our specs, not about the data: keep logs clean. */
const quiet = {
  level: () => quiet,
  error: (...args: unknown[]) => {
    console.error("[charts]", ...args);
    return quiet;
  },
  warn: () => quiet,
  info: () => quiet,
  debug: () => quiet,
} as never;

export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec, { logger: quiet }).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Pixels per unit of the chart specs' size. */
export const CHART_SCALE = 1.25;

/** A chart's pixels without the alpha channel (the background is opaque white), for the PDF. */
export interface ChartRaster {
  width: number;
  height: number;
  rgb: Buffer;
}

/**
 * PNG bytes at `scale` × the spec's size (1.25: 900-1,040 px wide, the text still sharp in
 * Telegram's photo viewer, which shows at most 1,280; 1.6 cost 40% more to rasterise and encode
 * for pixels nobody sees), and the same pixels as RGB: the PDF embeds those directly instead of
 * decoding the PNG again (pdf-lib's PNG decoder and deflate were a third of the PDF's time).
 */
export async function chartImage(spec: TopLevelSpec, scale = CHART_SCALE): Promise<{ png: Buffer; raster: ChartRaster }> {
  const svg = await chartSvg(spec);
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: scale },
    font: {
      fontFiles: [FONT_FILES.regular, FONT_FILES.bold],
      loadSystemFonts: false,
      defaultFontFamily: CHART_FONT,
      sansSerifFamily: CHART_FONT,
    },
  });
  const image = resvg.render();
  const rgba = image.pixels;
  const rgb = Buffer.allocUnsafe((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  return { png: image.asPng(), raster: { width: image.width, height: image.height, rgb } };
}

export async function chartPng(spec: TopLevelSpec, scale = CHART_SCALE): Promise<Buffer> {
  return (await chartImage(spec, scale)).png;
}
