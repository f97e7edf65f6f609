import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { Db } from "../db/client.js";
import { getCourse } from "../db/coursesRepo.js";
import { importCourse } from "./importCourse.js";
import type { CourseIssue } from "./issues.js";
import { validateCourseText, type ValidationResult } from "./validate.js";

export interface FileReport {
  file: string;
  courseId: string | null;
  loaded: boolean;
  /** True when the file did not change since the last import. */
  unchanged: boolean;
  issues: CourseIssue[];
}

export function courseFilesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => join(dir, e.name))
    .sort();
}

export interface LoadOptions {
  now: number;
  defaultTimezone: string;
}

/** Validates one file; a course already in the database keeps its "today" anchor. */
export function validateCourseFile(db: Db | null, file: string, options: LoadOptions): ValidationResult {
  const text = readFileSync(file, "utf8");
  const idGuess = /^id:\s*["']?([\w-]+)/m.exec(text)?.[1];
  const existing = db && idGuess ? getCourse(db, idGuess) : undefined;
  return validateCourseText(text, {
    ...options,
    dateAnchor: existing?.dateAnchor ?? null,
    baseDir: dirname(file),
    displayPath: (f) => {
      const r = relative(process.cwd(), f);
      return r && !r.startsWith("..") ? r : f;
    },
  });
}

/**
 * Loads every course file of a folder. A file with errors is reported and skipped: the others
 * still load, and whatever that course had in the database before stays as it was.
 */
export function loadCoursesFromDir(db: Db, dir: string, options: LoadOptions): FileReport[] {
  const seen = new Map<string, string>();
  return courseFilesIn(dir).map((file) => {
    const name = relative(process.cwd(), file) || file;
    const result = validateCourseFile(db, file, options);
    const issues = [...result.issues];
    const def = result.course;
    if (def && seen.has(def.id)) {
      issues.push({ level: "error", code: "duplicate_id", path: ["id"], params: { value: def.id, other: seen.get(def.id)! } });
      return { file: name, courseId: def.id, loaded: false, unchanged: false, issues };
    }
    if (!def) return { file: name, courseId: null, loaded: false, unchanged: false, issues };
    seen.set(def.id, name);
    const unchanged = getCourse(db, def.id)?.sourceHash === def.sourceHash;
    if (!unchanged) importCourse(db, def, name, options.now);
    return { file: name, courseId: def.id, loaded: true, unchanged, issues };
  });
}
