import type { Db } from "../db/client.js";
import { getCourse, getModules } from "../db/coursesRepo.js";
import { latestVersion, versionBundle } from "../db/courseVersionsRepo.js";
import { snapshotOfDatabase, snapshotOfDefinition, type CourseSnapshot } from "./courseChanges.js";
import { validateBundle } from "./courseUpload.js";
import type { LoadOptions } from "./loadCourses.js";

/**
 * The course as imported now, to compare an upload with: its newest version re-validated from its
 * stored source, or the database row when it has no version (imported before versions were kept).
 * Null for a course not in the catalogue.
 */
export function currentSnapshot(db: Db, courseId: string, options: LoadOptions): CourseSnapshot | null {
  const course = getCourse(db, courseId);
  if (!course) return null;
  const latest = latestVersion(db, courseId);
  const bundle = latest ? versionBundle(db, courseId, latest.version) : undefined;
  if (bundle && latest?.sourceHash === course.sourceHash) {
    const check = validateBundle(db, bundle, options);
    if (check.course) return snapshotOfDefinition(check.course);
  }
  return snapshotOfDatabase(course, getModules(db, courseId));
}
