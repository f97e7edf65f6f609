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
