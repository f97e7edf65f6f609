import { eq } from "drizzle-orm";
import type { Locale } from "../domain/locale.js";
import type { Db } from "./client.js";
import { learners, type Learner } from "./schema/index.js";

export interface TelegramUserInfo {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
}

/**
 * Registers the learner on first contact and keeps their name fresh. Writing to the bot again
 * means they have not blocked it (any more), so the blocked mark is cleared.
 */
export function upsertLearner(
  db: Db,
  user: TelegramUserInfo,
  initialLanguage: Locale,
  now: number,
): { learner: Learner; isNew: boolean } {
  const isNew = getLearner(db, user.id) === undefined;
  const learner = db
    .insert(learners)
    .values({
      id: user.id,
      firstName: user.first_name,
      lastName: user.last_name ?? null,
      username: user.username ?? null,
      language: initialLanguage,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: learners.id,
      set: {
        firstName: user.first_name,
        lastName: user.last_name ?? null,
        username: user.username ?? null,
        blockedAt: null,
        updatedAt: now,
      },
    })
    .returning()
    .get();
  return { learner, isNew };
}

export function getLearner(db: Db, id: number): Learner | undefined {
  return db.select().from(learners).where(eq(learners.id, id)).get();
}

export function setLearnerLanguage(db: Db, id: number, language: Locale, now: number): void {
  db.update(learners).set({ language, languageChosen: true, updatedAt: now }).where(eq(learners.id, id)).run();
}

export function setLearnerBlocked(db: Db, id: number, blocked: boolean, now: number): void {
  db.update(learners).set({ blockedAt: blocked ? now : null, updatedAt: now }).where(eq(learners.id, id)).run();
}
