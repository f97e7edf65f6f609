import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { Db } from "../db/client.js";
import { getCourse } from "../db/coursesRepo.js";
import { lastFolderHash } from "../db/courseVersionsRepo.js";
import { bundleOfFolderCourse } from "./courseBundles.js";
import { publishCourse } from "./publishCourse.js";
import type { CourseIssue } from "./issues.js";
import { validateCourseText, type ValidationResult } from "./validate.js";
import { truncate } from "../domain/text.js";

export interface FileReport {
  file: string;
  courseId: string | null;
  loaded: boolean;
  /** True when the file did not change since the last import. */
  unchanged: boolean;
  issues: CourseIssue[];
}

/**
 * A course file is a few dozen kilobytes (the demo, with 100+ inline quiz items in three
 * languages, is 53 KB). The cap keeps one runaway file from stalling the start: the YAML
 * parser's cost grows faster than linearly with nesting.
 */
export const MAX_COURSE_FILE_BYTES = 1024 * 1024;

const COURSE_FILE_RE = /\.ya?ml$/i;

/** A .yaml entry of COURSES_DIR that is not read, and why (reported, never skipped silently). */
export interface SkippedEntry {
  file: string;
  issue: CourseIssue;
}

/**
 * The course files of a folder, sorted. Symlinks are followed when they resolve to a regular
 * file (wherever it lives: operators link course files from a content checkout); broken links,
 * links to folders and other special entries (FIFOs, sockets) named *.yaml are returned in
 * `skipped` with the reason. Sub-folders are not searched: they hold the quiz banks.
 */
export function scanCourseDir(dir: string): { files: string[]; skipped: SkippedEntry[] } {
  const files: string[] = [];
  const skipped: SkippedEntry[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!COURSE_FILE_RE.test(e.name)) continue;
    const full = join(dir, e.name);
    if (e.isFile()) {
      files.push(full);
      continue;
    }
    if (e.isDirectory()) continue;
    if (e.isSymbolicLink()) {
      let target: string;
      try {
        target = realpathSync(full);
      } catch (err) {
        skipped.push({ file: full, issue: fileIssue("symlink_broken", { reason: errnoText(err) }) });
        continue;
      }
      let isFile = false;
      try {
        isFile = statSync(target).isFile();
      } catch (err) {
        skipped.push({ file: full, issue: fileIssue("file_unreadable", { reason: errnoText(err) }) });
        continue;
      }
      if (isFile) files.push(full);
      else skipped.push({ file: full, issue: fileIssue("symlink_not_file", { target }) });
      continue;
    }
    skipped.push({ file: full, issue: fileIssue("file_not_regular", {}) });
  }
  files.sort();
  return { files, skipped };
}

/** The course files of a folder, sorted (see scanCourseDir for what is skipped). */
export function courseFilesIn(dir: string): string[] {
  return scanCourseDir(dir).files;
}

export interface LoadOptions {
  now: number;
  defaultTimezone: string;
}

/**
 * Reads a course file as UTF-8 text, or says why it cannot be used: unreadable, too big, not
 * UTF-8. Never throws, so one bad file never stops the others.
 */
export function readCourseFile(file: string): { text: string } | { issue: CourseIssue } {
  let bytes: Buffer;
  try {
    // lstat of a symlink would give the link's size; stat gives the target's.
    const size = statSync(file).size;
    if (size > MAX_COURSE_FILE_BYTES) {
      return { issue: fileIssue("file_too_large", { size, max: MAX_COURSE_FILE_BYTES }) };
    }
    bytes = readFileSync(file);
  } catch (err) {
    return { issue: fileIssue("file_unreadable", { reason: errnoText(err) }) };
  }
  if (bytes.length > MAX_COURSE_FILE_BYTES) {
    return { issue: fileIssue("file_too_large", { size: bytes.length, max: MAX_COURSE_FILE_BYTES }) };
  }
  if (!isUtf8(bytes)) {
    const line = firstInvalidUtf8Line(bytes);
    return { issue: { ...fileIssue("file_not_utf8", { line }), line } };
  }
  let text = bytes.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM from a Windows editor is harmless
  return { text };
}

/** Validates one file; a course already in the database keeps its "today" anchor. Never throws. */
export function validateCourseFile(
  db: Db | null,
  file: string,
  options: LoadOptions & { displayPath?: (file: string) => string },
): ValidationResult {
  const read = readCourseFile(file);
  if ("issue" in read) return { course: null, issues: [read.issue] };
  const { text } = read;
  try {
    const idGuess = /^id:\s*["']?([\w-]+)/m.exec(text)?.[1];
    const existing = db && idGuess ? getCourse(db, idGuess) : undefined;
    return validateCourseText(text, {
      now: options.now,
      defaultTimezone: options.defaultTimezone,
      dateAnchor: existing?.dateAnchor ?? null,
      baseDir: dirname(file),
      displayPath:
        options.displayPath ??
        ((f) => {
          const r = relative(process.cwd(), f);
          return r && !r.startsWith("..") ? r : f;
        }),
    });
  } catch (err) {
    return { course: null, issues: [limitIssue(err)] };
  }
}

/**
 * Loads every course file of a folder. Each file loads or fails on its own, with a report
 * naming it: a file with errors (or unreadable, too big, not UTF-8, a YAML bomb, a broken
 * symlink) is skipped, the others still load, and whatever that course had in the database
 * before stays as it was. Never throws: a folder that cannot be read gives one report.
 */
export function loadCoursesFromDir(db: Db, dir: string, options: LoadOptions): FileReport[] {
  const show = (f: string) => relative(process.cwd(), f) || f;
  let scan: ReturnType<typeof scanCourseDir>;
  try {
    scan = scanCourseDir(dir);
  } catch (err) {
    return [{ file: show(dir), courseId: null, loaded: false, unchanged: false, issues: [fileIssue("dir_unreadable", { reason: errnoText(err) })] }];
  }
  const seen = new Map<string, string>();
  const reports = scan.files.map((file): FileReport => {
    const name = show(file);
    const result = validateCourseFile(db, file, options);
    const issues = [...result.issues];
    const def = result.course;
    if (def && seen.has(def.id)) {
      issues.push({ level: "error", code: "duplicate_id", path: ["id"], params: { value: def.id, other: seen.get(def.id)! } });
      return { file: name, courseId: def.id, loaded: false, unchanged: false, issues };
    }
    if (!def) return { file: name, courseId: null, loaded: false, unchanged: false, issues };
    seen.set(def.id, name);
    try {
      // The folder and uploads through the chat do not fight: a folder file is imported only when
      // it changed since it was last imported from the folder, so an uploaded version survives
      // restarts and /reload, and an admin's edited file replaces whatever is current.
      if (lastFolderHash(db, def.id) === def.sourceHash) return { file: name, courseId: def.id, loaded: true, unchanged: true, issues };
      const unchanged = getCourse(db, def.id)?.sourceHash === def.sourceHash;
      // Recorded as a version even when unchanged (a course imported before versions were kept).
      publishCourse(db, def, bundleOfFolderCourse(file, def.file), {
        origin: "folder",
        sourceFile: name,
        createdBy: null,
        now: options.now,
        skipImport: unchanged,
      });
      return { file: name, courseId: def.id, loaded: true, unchanged, issues };
    } catch (err) {
      // A full disk or a locked database: this file is not imported now, the next reload retries.
      issues.push(fileIssue("import_failed", { reason: errnoText(err) }));
      return { file: name, courseId: def.id, loaded: false, unchanged: false, issues };
    }
  });
  for (const s of scan.skipped) {
    reports.push({ file: show(s.file), courseId: null, loaded: false, unchanged: false, issues: [s.issue] });
  }
  return reports;
}
function fileIssue(code: string, params: CourseIssue["params"]): CourseIssue {
  return { level: "error", code, path: [], params };
}

/** The YAML library's resource guards (alias bombs) and deep nesting surface as exceptions. */
function limitIssue(err: unknown): CourseIssue {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ReferenceError && /alias/i.test(message)) return fileIssue("yaml_too_many_aliases", {});
  if (err instanceof RangeError && /call stack/i.test(message)) return fileIssue("yaml_too_deep", {});
  return fileIssue("file_check_failed", { reason: truncate(message.split("\n")[0]!, 200) });
}

function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code === "EACCES" || e?.code === "EPERM") return "permission denied";
  if (e?.code === "ENOENT") return "no such file";
  if (e?.code === "ELOOP") return "too many levels of symbolic links";
  if (e?.code === "EISDIR") return "it is a folder";
  const message = err instanceof Error ? err.message : String(err);
  return (e?.code ? `${e.code}: ` : "") + truncate(message.split("\n")[0]!, 200);
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The line of the first byte that is not valid UTF-8 (1-based), for the author's editor. */
function firstInvalidUtf8Line(bytes: Buffer): number {
  // Bisect on prefixes: a prefix ending mid-character is also invalid, so widen by up to 3 bytes.
  let lo = 0;
  let hi = bytes.length;
  const validPrefix = (n: number) => {
    for (let k = 0; k <= 3 && n + k <= bytes.length; k++) {
      if (isUtf8(bytes.subarray(0, n + k))) return true;
    }
    return false;
  };
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (validPrefix(mid)) lo = mid;
    else hi = mid - 1;
  }
  let line = 1;
  for (let i = 0; i < lo; i++) if (bytes[i] === 0x0a) line++;
  return line;
}
