import type { Db } from "./client.js";

interface Statements {
  get: import("better-sqlite3").Statement<[number], LiveKeyboard>;
  set: import("better-sqlite3").Statement<[number, number, string, number]>;
  clear: import("better-sqlite3").Statement<[number]>;
}

/** The message with the buttons of a learner's current step, and whose step it is. */
export interface LiveKeyboard {
  messageId: number;
  owner: string;
}

const cache = new WeakMap<Db, Statements>();

/** Prepared once per database: these run each time a quiz, questionnaire or /ask step is shown. */
function statements(db: Db): Statements {
  let s = cache.get(db);
  if (!s) {
    const c = db.$client;
    s = {
      get: c.prepare("SELECT message_id AS messageId, owner FROM live_keyboards WHERE learner_id = ?"),
      set: c.prepare(
        "INSERT INTO live_keyboards (learner_id, message_id, owner, updated_at) VALUES (?, ?, ?, ?) " +
          "ON CONFLICT(learner_id) DO UPDATE SET message_id = excluded.message_id, owner = excluded.owner, updated_at = excluded.updated_at",
      ),
      clear: c.prepare("DELETE FROM live_keyboards WHERE learner_id = ?"),
    };
    cache.set(db, s);
  }
  return s;
}

/** The message whose buttons belong to the learner's current step, if one is recorded. */
export function liveKeyboard(db: Db, learnerId: number): LiveKeyboard | undefined {
  return statements(db).get.get(learnerId);
}

export function setLiveKeyboard(db: Db, learnerId: number, k: LiveKeyboard, now: number): void {
  statements(db).set.run(learnerId, k.messageId, k.owner, now);
}

export function clearLiveKeyboard(db: Db, learnerId: number): void {
  statements(db).clear.run(learnerId);
}
