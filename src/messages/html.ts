import { shorten } from "../domain/text.js";

/** Every text the bot sends is HTML: titles and learners' words are escaped where they are interpolated. */
export const HTML = { parse_mode: "HTML" } as const;

/** Packs lines into messages under Telegram's 4096-character limit, never splitting a line's HTML. */
export function chunkLines(lines: string[], max = 4096): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const raw of lines) {
    const line = shorten(raw, max);
    if (current && current.length + 1 + line.length > max) {
      chunks.push(current);
      current = line;
    } else {
      current = current ? `${current}\n${line}` : line;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

/** The text a reader sees of our HTML (tags dropped, entities decoded): for reports sent as .txt files. */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(
      /&(?:#(\d+)|#x([0-9a-f]+)|(lt|gt|amp|quot));/gi,
      (m, dec: string | undefined, hex: string | undefined, name: string | undefined) =>
        name ? (ENTITIES[name.toLowerCase()] ?? m) : String.fromCodePoint(dec ? Number(dec) : parseInt(hex!, 16)),
    );
}
