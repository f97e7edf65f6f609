import { prepared, type Db } from "./client.js";

export type DialogKind = "quiz" | "questionnaire";
export interface OpenDialog {
  kind: DialogKind;
  refId: number;
}

const getStmt = prepared<[number], { kind: DialogKind; refId: number }>(
  "SELECT kind, ref_id AS refId FROM open_dialogs WHERE learner_id = ?",
);
// Written only when it changes, so an update that stays in the same dialog writes nothing here.
const setStmt = prepared<[number, string, number, number]>(
  "INSERT INTO open_dialogs (learner_id, kind, ref_id, updated_at) VALUES (?, ?, ?, ?) " +
    "ON CONFLICT(learner_id) DO UPDATE SET kind = excluded.kind, ref_id = excluded.ref_id, updated_at = excluded.updated_at " +
    "WHERE open_dialogs.kind <> excluded.kind OR open_dialogs.ref_id <> excluded.ref_id",
);
const clearStmt = prepared<[number]>("DELETE FROM open_dialogs WHERE learner_id = ?");
const clearIfStmt = prepared<[number, string, number]>("DELETE FROM open_dialogs WHERE learner_id = ? AND kind = ? AND ref_id = ?");

/** The quiz attempt or questionnaire response the learner's typed messages go to, if any. */
export function openDialog(db: Db, learnerId: number): OpenDialog | undefined {
  return getStmt(db).get(learnerId);
}

/** Brings a dialog to the foreground (one at a time: another one open is paused). */
export function setOpenDialog(db: Db, learnerId: number, kind: DialogKind, refId: number, now: number): void {
  setStmt(db).run(learnerId, kind, refId, now);
}

/** Pauses whatever dialog is open; true when there was one. */
export function clearOpenDialog(db: Db, learnerId: number): boolean {
  return clearStmt(db).run(learnerId).changes > 0;
}

/** Closes this dialog if it is the open one (a finished quiz, a submitted questionnaire). */
export function closeDialog(db: Db, learnerId: number, kind: DialogKind, refId: number): void {
  clearIfStmt(db).run(learnerId, kind, refId);
}
