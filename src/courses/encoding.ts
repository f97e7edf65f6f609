/**
 * The text of a bank file whatever Moodle or Word saved it in. Authors here bring UTF-8, UTF-16
 * ("Unicode" in Notepad and Word) and Windows-1251 (the Cyrillic ANSI code page). A file is
 * decoded only when its encoding is certain: a byte order mark, valid UTF-8, the zero-byte
 * pattern of UTF-16, or Cyrillic text that reads as words in Windows-1251 and not in its look-
 * alikes (KOI8-R, CP866). Otherwise it is refused with the name of what was found, because a
 * bank read in the wrong code page would import with garbled questions and answers.
 */
export type DecodedFile =
  | { ok: true; text: string; encoding: string }
  | { ok: false; encoding: string };

const decoder = (label: string, fatal = false) => new TextDecoder(label, { fatal });

export function decodeBankFile(bytes: Uint8Array): DecodedFile {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return utf8(bytes.subarray(3), "UTF-8 (BOM)");
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { ok: true, text: decoder("utf-16le").decode(bytes.subarray(2)), encoding: "UTF-16LE (BOM)" };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { ok: true, text: decoder("utf-16be").decode(bytes.subarray(2)), encoding: "UTF-16BE (BOM)" };
  const utf16 = utf16WithoutBom(bytes);
  if (utf16) return { ok: true, text: decoder(utf16 === "UTF-16LE" ? "utf-16le" : "utf-16be").decode(bytes), encoding: utf16 };
  if (bytes.includes(0)) return { ok: false, encoding: "binary (not a text file)" };
  const asUtf8 = utf8(bytes, "UTF-8");
  if (asUtf8.ok) return asUtf8;
  return eightBit(bytes);
}

function utf8(bytes: Uint8Array, name: string): DecodedFile {
  try {
    return { ok: true, text: decoder("utf-8", true).decode(bytes), encoding: name };
  } catch {
    return { ok: false, encoding: name };
  }
}

/**
 * UTF-16 without a byte order mark: text files are mostly ASCII and Cyrillic, so one byte of
 * every pair is zero (ASCII) or 0x04 (Cyrillic) far more often than chance. Certain when at least
 * 40% of the high bytes are 0x00/0x04 on one side and almost none on the other.
 */
function utf16WithoutBom(bytes: Uint8Array): "UTF-16LE" | "UTF-16BE" | null {
  if (bytes.length < 4 || bytes.length % 2 !== 0) return null;
  const n = Math.min(bytes.length, 65536);
  let evenHigh = 0;
  let oddHigh = 0;
  for (let i = 0; i + 1 < n; i += 2) {
    if (bytes[i] === 0 || bytes[i] === 4) evenHigh++;
    if (bytes[i + 1] === 0 || bytes[i + 1] === 4) oddHigh++;
  }
  const pairs = Math.floor(n / 2);
  if (oddHigh / pairs >= 0.4 && evenHigh / pairs <= 0.05) return "UTF-16LE";
  if (evenHigh / pairs >= 0.4 && oddHigh / pairs <= 0.05) return "UTF-16BE";
  return null;
}

const CANDIDATES = [
  { label: "windows-1251", name: "Windows-1251" },
  { label: "koi8-r", name: "KOI8-R" },
  { label: "ibm866", name: "CP866 (DOS)" },
] as const;

/**
 * An 8-bit file: which Cyrillic code page makes it read as text? In real Cyrillic text nearly
 * every letter after the first of a word is lowercase; the same bytes in the wrong code page give
 * capitals in mid-word, box-drawing characters or symbols. Decoded only when Windows-1251 wins
 * clearly; a file that reads best in KOI8-R or CP866 is refused with that name (the author can
 * re-save it as UTF-8), and one that reads as nothing is refused as an unknown 8-bit encoding.
 */
function eightBit(bytes: Uint8Array): DecodedFile {
  const scored = CANDIDATES.map((c) => {
    const text = decoder(c.label).decode(bytes);
    return { ...c, text, score: cyrillicScore(text) };
  }).sort((a, b) => b.score - a.score);
  const best = scored[0]!;
  const second = scored[1]!;
  if (best.score < 0.85 || best.score - second.score < 0.2) return { ok: false, encoding: "an unknown 8-bit encoding (not UTF-8)" };
  if (best.label !== "windows-1251") return { ok: false, encoding: best.name };
  return { ok: true, text: best.text, encoding: best.name };
}

/** Share of non-ASCII characters that are Cyrillic letters in a plausible case (lowercase inside words). */
function cyrillicScore(text: string): number {
  let nonAscii = 0;
  let good = 0;
  let prevLetter = false;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const isLetter = /\p{L}/u.test(ch);
    if (code >= 0x80) {
      nonAscii++;
      const cyr = code >= 0x0400 && code <= 0x04ff;
      if (cyr && (!prevLetter || ch === ch.toLowerCase())) good++;
    }
    prevLetter = isLetter;
  }
  return nonAscii === 0 ? 0 : good / nonAscii;
}
