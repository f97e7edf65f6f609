/**
 * Certificate rules (issue 10 item 2) that need no I/O: the verification code's shape, the
 * deep-link payload that carries it, and what a name on a certificate may look like.
 */

/** Letters and digits without look-alikes (no 0/O, 1/I/L): a code read off paper is typed right. */
export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const CODE_LENGTH = 12;
/** `/start verify-<code>`: the QR's deep link (Telegram allows A-Z a-z 0-9 _ - in a start payload). */
export const VERIFY_PAYLOAD_PREFIX = "verify-";

/** A fresh code from random bytes (one byte per character; the caller passes crypto bytes). */
export function codeFromBytes(bytes: Uint8Array): string {
  if (bytes.length < CODE_LENGTH) throw new RangeError("codeFromBytes: not enough bytes");
  let out = "";
  for (let i = 0; i < CODE_LENGTH; i++) out += CODE_ALPHABET.charAt(bytes[i]! % CODE_ALPHABET.length);
  return out;
}

/** As printed and shown: XXXX-XXXX-XXXX. */
export function formatCode(code: string): string {
  return code.match(/.{1,4}/g)?.join("-") ?? code;
}

/**
 * The code a person typed or a link carried, normalised (case, dashes, spaces dropped), or null
 * when it cannot be a code at all (so a forged payload never reaches the database as-is).
 */
export function parseCode(text: string): string | null {
  const s = text.toUpperCase().replace(/[\s-]/g, "");
  if (s.length !== CODE_LENGTH) return null;
  for (const ch of s) if (!CODE_ALPHABET.includes(ch)) return null;
  return s;
}

export const NAME_LIMITS = { min: 3, max: 80 } as const;

export type NameProblem = "too_short" | "too_long" | "characters" | "one_word";

/**
 * A name as it should be printed: Cyrillic (Kazakh, Russian) or Latin letters, which the
 * certificate's font draws,
 * spaces, hyphens, apostrophes and dots, at least two words. Returns the tidied name or a problem.
 */
export function checkFullName(text: string): { ok: true; name: string } | { ok: false; problem: NameProblem } {
  const name = text.normalize("NFC").replace(/\s+/g, " ").trim();
  const length = [...name].length;
  if (length < NAME_LIMITS.min) return { ok: false, problem: "too_short" };
  if (length > NAME_LIMITS.max) return { ok: false, problem: "too_long" };
  if (!/^[\p{Script=Latin}\p{Script=Cyrillic}][\p{Script=Latin}\p{Script=Cyrillic}\p{M} .'’-]*$/u.test(name))
    return { ok: false, problem: "characters" };
  if (name.split(" ").filter((w) => /\p{L}/u.test(w)).length < 2) return { ok: false, problem: "one_word" };
  return { ok: true, name };
}
