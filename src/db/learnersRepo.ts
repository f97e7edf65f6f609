import type { Locale } from "../domain/locale.js";
import { statement, transaction, type Db } from "./client.js";
import type { Learner } from "./schema/index.js";

export interface TelegramUserInfo {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
}

interface LearnerRow {
  id: number;
  first_name: string;
  last_name: string | null;
  username: string | null;
  language: Locale;
  language_chosen: number;
  blocked_at: number | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS = "id, first_name, last_name, username, language, language_chosen, blocked_at, created_at, updated_at";

// Built once: the statement cache is keyed by the SQL text, and a constant string hashes once.
const SELECT_LEARNER = `SELECT ${COLUMNS} FROM learners WHERE id = ?`;
const INSERT_LEARNER = `INSERT INTO learners (id, first_name, last_name, username, language, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
     username = excluded.username, blocked_at = NULL, updated_at = excluded.updated_at
   RETURNING ${COLUMNS}`;

const toLearner = (r: LearnerRow): Learner => ({
  id: r.id,
  firstName: r.first_name,
  lastName: r.last_name,
  username: r.username,
  language: r.language,
  languageChosen: r.language_chosen !== 0,
  blockedAt: r.blocked_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * Registers the learner on first contact and keeps their name fresh. Writing to the bot again
 * means they have not blocked it (any more), so the blocked mark is cleared.
 *
 * Runs on every update, so it only writes when something changed: a read is a few microseconds,
 * a write is a WAL commit.
 */
export function upsertLearner(db: Db, user: TelegramUserInfo, initialLanguage: Locale, now: number): { learner: Learner; isNew: boolean } {
  const firstName = user.first_name;
  const lastName = user.last_name ?? null;
  const username = user.username ?? null;
  const existing = getLearner(db, user.id);
  if (!existing) {
    const insert = statement<[number, string, string | null, string | null, string, number, number], LearnerRow>(db, INSERT_LEARNER);
    // In a transaction: outside one, RETURNING hands back the row even when the commit fails (full disk).
    const row = transaction(db, () => insert.get(user.id, firstName, lastName, username, initialLanguage, now, now)!);
    return { learner: toLearner(row), isNew: true };
  }
  if (existing.firstName === firstName && existing.lastName === lastName && existing.username === username && existing.blockedAt === null) {
    return { learner: existing, isNew: false };
  }
  statement<[string, string | null, string | null, number, number]>(
    db,
    "UPDATE learners SET first_name = ?, last_name = ?, username = ?, blocked_at = NULL, updated_at = ? WHERE id = ?",
  ).run(firstName, lastName, username, now, user.id);
  return { learner: { ...existing, firstName, lastName, username, blockedAt: null, updatedAt: now }, isNew: false };
}

export function getLearner(db: Db, id: number): Learner | undefined {
  const row = statement<[number], LearnerRow>(db, SELECT_LEARNER).get(id);
  return row ? toLearner(row) : undefined;
}

export function setLearnerLanguage(db: Db, id: number, language: Locale, now: number): void {
  statement<[string, number, number]>(db, "UPDATE learners SET language = ?, language_chosen = 1, updated_at = ? WHERE id = ?").run(
    language,
    now,
    id,
  );
}

export function setLearnerBlocked(db: Db, id: number, blocked: boolean, now: number): void {
  statement<[number | null, number, number]>(db, "UPDATE learners SET blocked_at = ?, updated_at = ? WHERE id = ?").run(
    blocked ? now : null,
    now,
    id,
  );
}
