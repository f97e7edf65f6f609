import { readFileSync, statSync } from "node:fs";
import { basename, dirname, join, posix } from "node:path";
import type { CourseBundle } from "../domain/courseBundle.js";
import type { Locale } from "../domain/locale.js";
import type { CourseFile } from "./format.js";
import { MAX_BANK_BYTES } from "./quizValidate.js";

export interface BankRef {
  /** 0-based module position. */
  position: number;
  format: "aiken" | "gift" | "moodle_xml";
  language: Locale;
  /** Normalised path relative to the course file. */
  path: string;
}

/** Every bank file the course file refers to. */
export function bankPaths(file: CourseFile): BankRef[] {
  return file.modules.flatMap((m, position) =>
    (["aiken", "gift", "moodle_xml"] as const).flatMap((format) =>
      Object.entries(m.quiz?.[format] ?? {}).map(([language, p]) => ({
        position,
        format,
        language: language as Locale,
        path: posix.normalize(p.replaceAll("\\", "/")),
      })),
    ),
  );
}

/** The banks of a course whose file name is `fileName` (how a single bank upload finds its place). */
export function banksNamed(file: CourseFile, fileName: string): BankRef[] {
  const name = basename(fileName).toLowerCase();
  return bankPaths(file).filter((r) => posix.basename(r.path).toLowerCase() === name);
}

/**
 * A folder course's bundle: its file and the banks it refers to, read from next to it (after it
 * was validated, so they exist and are within the size limits).
 */
export function bundleOfFolderCourse(file: string, course: CourseFile): CourseBundle {
  const name = basename(file);
  const files: Record<string, Uint8Array> = { [name]: readFileSync(file) };
  for (const ref of bankPaths(course)) {
    const full = join(dirname(file), ref.path);
    if (statSync(full).size <= MAX_BANK_BYTES) files[ref.path] = readFileSync(full);
  }
  return { courseFile: name, files };
}

