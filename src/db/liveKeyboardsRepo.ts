import { prepared, type Db } from "./client.js";

/** The message with the buttons of a learner's current step, and whose step it is. */
export interface LiveKeyboard {
  messageId: number;
  owner: string;
}

const getStmt = prepared<[number], LiveKeyboard>("SELECT message_id AS messageId, owner FROM live_keyboards WHERE learner_id = ?");
const setStmt = prepared<[number, number, string, number]>(
  "INSERT INTO live_keyboards (learner_id, message_id, owner, updated_at) VALUES (?, ?, ?, ?) " +
    "ON CONFLICT(learner_id) DO UPDATE SET message_id = excluded.message_id, owner = excluded.owner, updated_at = excluded.updated_at",
);
const clearStmt = prepared<[number]>("DELETE FROM live_keyboards WHERE learner_id = ?");

/** The message whose buttons belong to the learner's current step, if one is recorded. */
export function liveKeyboard(db: Db, learnerId: number): LiveKeyboard | undefined {
  return getStmt(db).get(learnerId);
}

export function setLiveKeyboard(db: Db, learnerId: number, k: LiveKeyboard, now: number): void {
  setStmt(db).run(learnerId, k.messageId, k.owner, now);
}

export function clearLiveKeyboard(db: Db, learnerId: number): void {
  clearStmt(db).run(learnerId);
}
