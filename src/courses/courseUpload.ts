import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, normalize, posix, relative, sep } from "node:path";
import type { Db } from "../db/client.js";
import type { CourseBundle } from "../domain/courseBundle.js";
import { bankPaths } from "./courseBundles.js";
import type { CourseIssue } from "./issues.js";
import { validateCourseFile, type LoadOptions } from "./loadCourses.js";
import type { ValidationResult } from "./validate.js";
import type { ZipRefusal } from "./zipArchive.js";

/**
 * Courses sent to the bot as documents: what kind of file it is, the course's source bundle, and
 * the same validation as `npm run course:check` and COURSES_DIR (the bundle is laid out in a
 * private temporary folder and read by validateCourseFile, so banks resolve exactly as they do
 * next to a course file on the server).
 */

/** The largest document the bot downloads (Telegram lets bots download up to 20 MB). */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

export type UploadType = "course" | "zip" | "bank";

const COURSE_RE = /\.ya?ml$/i;
const BANK_RE = /\.(gift|txt|xml|aiken)$/i;

/** By the file's extension; null for anything else (refused as an unknown type). */
export function uploadType(fileName: string): UploadType | null {
  if (COURSE_RE.test(fileName)) return "course";
  if (/\.zip$/i.test(fileName)) return "zip";
  if (BANK_RE.test(fileName)) return "bank";
  return null;
}

export type UploadRefusal = ZipRefusal | { code: "zip_no_course" } | { code: "zip_many_courses"; files: string };

/** The bundle of a single course file: its banks, if it names any, must come in a .zip. */
export function bundleOfCourseFile(fileName: string, bytes: Uint8Array): CourseBundle {
  const name = safeBaseName(fileName, "course.yaml");
  return { courseFile: name, files: { [name]: bytes } };
}

/**
 * The bundle of a .zip: exactly one course file (.yaml) anywhere in it; its folder is the
 * course's folder, so a zip of the folder itself and a zip of its contents both work. Files
 * outside that folder are left out (a course file cannot refer to them anyway).
 */
export async function bundleOfZip(bytes: Buffer): Promise<{ ok: true; bundle: CourseBundle } | { ok: false; refusal: UploadRefusal }> {
  // Loaded on the first upload, not at start-up.
  const { readZip } = await import("./zipArchive.js");
  const zip = await readZip(bytes);
  if (!zip.ok) return zip;
  const courseFiles = [...zip.files.keys()].filter((p) => COURSE_RE.test(p));
  if (courseFiles.length === 0) return { ok: false, refusal: { code: "zip_no_course" } };
  if (courseFiles.length > 1) return { ok: false, refusal: { code: "zip_many_courses", files: courseFiles.slice(0, 5).join(", ") } };
  const main = courseFiles[0]!;
  const base = posix.dirname(main) === "." ? "" : `${posix.dirname(main)}/`;
  const files: Record<string, Uint8Array> = {};
  for (const [p, b] of zip.files) if (p.startsWith(base)) files[p.slice(base.length)] = b;
  return { ok: true, bundle: { courseFile: main.slice(base.length), files } };
}

export interface BundleCheck extends ValidationResult {
  /** Files of the bundle the course does not use (a typo in a bank's path shows up here). */
  unused: string[];
}

/**
 * Validates a bundle exactly as a course file in COURSES_DIR is validated. Issues name files by
 * their path in the bundle. The temporary folder is private to this call and always removed.
 */
export function validateBundle(db: Db | null, bundle: CourseBundle, options: LoadOptions): BundleCheck {
  const dir = mkdtempSync(join(tmpdir(), "course-upload-"));
  try {
    for (const [p, bytes] of Object.entries(bundle.files)) {
      // Paths were checked when the zip was read; normalise again so nothing lands outside `dir`.
      const full = normalize(join(dir, p));
      if (relative(dir, full).startsWith("..")) continue;
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, bytes);
    }
    const show = (f: string) => relative(dir, f).split(sep).join("/");
    const result = validateCourseFile(db, join(dir, bundle.courseFile), { ...options, displayPath: show });
    const used = new Set([bundle.courseFile, ...(result.course ? bankPaths(result.course.file).map((r) => r.path) : [])]);
    const unused = result.course ? Object.keys(bundle.files).filter((p) => !used.has(p)) : [];
    return { ...result, unused };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bundle without files the course does not use: what a version keeps. */
export function trimBundle(bundle: CourseBundle, unused: string[]): CourseBundle {
  const drop = new Set(unused);
  return { courseFile: bundle.courseFile, files: Object.fromEntries(Object.entries(bundle.files).filter(([p]) => !drop.has(p))) };
}

/** The bundle with one bank file replaced. */
export function withFile(bundle: CourseBundle, path: string, bytes: Uint8Array): CourseBundle {
  return { courseFile: bundle.courseFile, files: { ...bundle.files, [path]: bytes } };
}

function safeBaseName(fileName: string, fallback: string): string {
  const name = basename(fileName.replaceAll("\\", "/")).replace(/\p{Cc}/gu, "");
  return name && name !== "." && name !== ".." ? name : fallback;
}

export type { CourseIssue };
