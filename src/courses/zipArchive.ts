import { fromBuffer, type Entry, type ZipFile } from "yauzl";
import { shorten } from "../domain/text.js";

/**
 * Reads an author's .zip in memory, refusing what could hurt the server or import something
 * other than what the author sees: archives that unpack to more than MAX_UNPACKED_BYTES or hold
 * more than MAX_ENTRIES files (counted while inflating, never trusting the sizes the headers
 * claim), names that escape the archive (.., absolute, drive letters, backslashes), symlinks,
 * and encrypted entries. Nothing is written to disk here.
 */
export const MAX_ENTRIES = 200;
export const MAX_UNPACKED_BYTES = 20 * 1024 * 1024;

export type ZipRefusal =
  | { code: "zip_broken" }
  | { code: "zip_too_many_entries"; max: number }
  | { code: "zip_too_big_unpacked"; max: number }
  | { code: "zip_unsafe_path"; path: string }
  | { code: "zip_symlink"; path: string }
  | { code: "zip_encrypted"; path: string };

export type ZipResult = { ok: true; files: Map<string, Buffer> } | { ok: false; refusal: ZipRefusal };

/** Files an OS adds on its own (Finder, Explorer): skipped without a word. */
const JUNK = /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)/i;

class Refused extends Error {
  constructor(readonly refusal: ZipRefusal) {
    super(refusal.code);
  }
}

export async function readZip(bytes: Buffer, limits = { maxEntries: MAX_ENTRIES, maxUnpacked: MAX_UNPACKED_BYTES }): Promise<ZipResult> {
  let zip: ZipFile;
  try {
    zip = await new Promise<ZipFile>((resolve, reject) =>
      fromBuffer(bytes, { lazyEntries: true, decodeStrings: false, validateEntrySizes: false }, (err, z) => (err ? reject(err) : resolve(z))),
    );
  } catch {
    return { ok: false, refusal: { code: "zip_broken" } };
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    return { ok: false, refusal: { code: "zip_too_many_entries", max: limits.maxEntries } };
  }
  const files = new Map<string, Buffer>();
  const budget = { left: limits.maxUnpacked, entries: 0 };
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("error", reject);
      zip.on("end", () => resolve());
      zip.on("entry", (entry: Entry) => {
        readEntry(zip, entry, budget, limits)
          .then((file) => {
            if (file) files.set(file.path, file.bytes);
            zip.readEntry();
          })
          .catch(reject);
      });
      zip.readEntry();
    });
  } catch (err) {
    zip.close();
    return { ok: false, refusal: err instanceof Refused ? err.refusal : { code: "zip_broken" } };
  }
  return { ok: true, files };
}

async function readEntry(
  zip: ZipFile,
  entry: Entry,
  budget: { left: number; entries: number },
  limits: { maxEntries: number; maxUnpacked: number },
): Promise<{ path: string; bytes: Buffer } | null> {
  if (++budget.entries > limits.maxEntries) throw new Refused({ code: "zip_too_many_entries", max: limits.maxEntries });
  const name = entryName(entry);
  const unsafe = unsafePath(name);
  if (unsafe) throw new Refused({ code: "zip_unsafe_path", path: shown(name) });
  if (isSymlink(entry)) throw new Refused({ code: "zip_symlink", path: shown(name) });
  if (name.endsWith("/") || JUNK.test(name)) return null;
  if (entry.isEncrypted()) throw new Refused({ code: "zip_encrypted", path: shown(name) });
  // The header's size is only a first, cheap refusal; the real count is taken while inflating
  // (yauzl's own size check is off: a header that lies is caught here, with the size message).
  if (entry.uncompressedSize > budget.left) throw new Refused({ code: "zip_too_big_unpacked", max: limits.maxUnpacked });
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
    zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))),
  );
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => {
      budget.left -= chunk.length;
      if (budget.left < 0) {
        (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
        reject(new Refused({ code: "zip_too_big_unpacked", max: limits.maxUnpacked }));
        return;
      }
      chunks.push(chunk);
    });
    stream.on("error", reject);
    stream.on("end", () => resolve());
  });
  return { path: name, bytes: Buffer.concat(chunks) };
}

/**
 * The entry's name. Zips made by Windows' "Send to → Compressed folder" store names in the OEM
 * code page (CP866 on Russian and Kazakh Windows) without the UTF-8 flag: such a name that is not
 * valid UTF-8 is read as CP866, so a bank named in Cyrillic still matches the course file.
 */
function entryName(entry: Entry): string {
  // With decodeStrings off, yauzl hands the name over as the raw bytes.
  const raw = entry.fileNameRaw as Buffer | undefined ?? (entry.fileName as unknown as Buffer);
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw), "utf8");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    if (entry.generalPurposeBitFlag & 0x800) return "\u0000"; // claims UTF-8 but is not: refused as unsafe
    return new TextDecoder("ibm866").decode(bytes);
  }
}

function unsafePath(name: string): boolean {
  if (name.length === 0 || name.includes("\u0000") || name.includes("\\")) return true;
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) return true;
  const parts = name.replace(/\/$/, "").split("/");
  return parts.some((p) => p === ".." || p === "." || p === "");
}

/** Unix mode in the high 16 bits of the external attributes, when the zip was made on Unix. */
function isSymlink(entry: Entry): boolean {
  const madeOnUnix = entry.versionMadeBy >> 8 === 3;
  return madeOnUnix && ((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000;
}

function shown(name: string): string {
  const clean = name.replace(/\p{Cc}/gu, "?");
  return shorten(clean, 120);
}
