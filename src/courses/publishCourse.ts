import type { Db } from "../db/client.js";
import { recordVersion } from "../db/courseVersionsRepo.js";
import type { VersionOrigin } from "../db/schema/index.js";
import type { CourseBundle } from "../domain/courseBundle.js";
import { importCourse } from "./importCourse.js";
import type { CourseDefinition } from "./validate.js";

/**
 * Imports a validated course and records it as the course's next version, in one transaction:
 * the course, its modules, quizzes and questionnaires and the version row all land, or none.
 * `alsoInTransaction` runs inside it (marking the upload applied), so a crash never leaves an
 * imported upload still pending.
 */
export function publishCourse(
  db: Db,
  def: CourseDefinition,
  bundle: CourseBundle,
  meta: { origin: VersionOrigin; sourceFile: string; createdBy: number | null; now: number; restoredFrom?: number; skipImport?: boolean },
  alsoInTransaction?: () => void,
): number {
  return db.$client.transaction(() => {
    // importCourse opens its own transaction: nested in this one, it becomes a savepoint.
    if (!meta.skipImport) importCourse(db, def, meta.sourceFile, meta.now);
    const version = recordVersion(db, {
      courseId: def.id,
      origin: meta.origin,
      sourceHash: def.sourceHash,
      sourceFile: meta.sourceFile,
      bundle,
      createdBy: meta.createdBy,
      now: meta.now,
      restoredFrom: meta.restoredFrom,
    });
    alsoInTransaction?.();
    return version;
  })();
}

