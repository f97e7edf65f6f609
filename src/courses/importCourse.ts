import { and, eq, gte } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { importQuizzes } from "../db/quizRepo.js";
import { saveQuestionImages } from "../db/questionImagesRepo.js";
import { courses, modules } from "../db/schema/index.js";
import { saveQuestionnaires } from "../db/questionnaireRepo.js";
import { normaliseQuestionnaires } from "./questionnaire.js";
import type { CourseDefinition } from "./validate.js";

/**
 * Writes a validated course in one transaction: either all of it lands or none.
 * Enrollments reference the course id and are never touched, so reloading a changed file keeps them.
 */
export function importCourse(db: Db, def: CourseDefinition, sourceFile: string, now: number): void {
  db.transaction((tx) => {
    const row = {
      languages: def.languages,
      title: def.title,
      description: def.description,
      timezone: def.timezone,
      startAt: def.calendar.startAt,
      dateAnchor: def.dateAnchor,
      enrollOpensAt: def.calendar.enrollOpensAt,
      enrollClosesAt: def.calendar.enrollClosesAt,
      endAt: def.calendar.endAt,
      hoursPerWeek: def.hoursPerWeek ?? null,
      sourceFile,
      sourceHash: def.sourceHash,
      content: def.file,
      loadedAt: now,
    };
    tx.insert(courses).values({ id: def.id, ...row }).onConflictDoUpdate({ target: courses.id, set: row }).run();
    for (const m of def.modules) {
      const values = { title: m.title, announcement: m.announcement, opensAt: m.opensAt, closesAt: m.closesAt };
      tx.insert(modules)
        .values({ courseId: def.id, position: m.position, ...values })
        .onConflictDoUpdate({ target: [modules.courseId, modules.position], set: values })
        .run();
    }
    // Modules dropped from the file go away (their ids are stable for the ones that remain).
    tx.delete(modules)
      .where(and(eq(modules.courseId, def.id), gte(modules.position, def.modules.length)))
      .run();
    importQuizzes(tx, def, now);
    saveQuestionImages(tx, def.modules.flatMap((m) => m.quiz?.images ?? []), now);
    saveQuestionnaires(tx, def.id, normaliseQuestionnaires(def.file.questionnaires), now);
  });
}
