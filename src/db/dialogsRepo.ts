import type { Db } from "./client.js";

export type DialogKind = "quiz" | "questionnaire";
export interface OpenDialog {
  kind: DialogKind;
  refId: number;
}

interface Statements {
  get: import("better-sqlite3").Statement<[number], { kind: DialogKind; refId: number }>;
  set: import("better-sqlite3").Statement<[number, string, number, number]>;
  clear: import("better-sqlite3").Statement<[number]>;
  clearIf: import("better-sqlite3").Statement<[number, string, number]>;
}

const cache = new WeakMap<Db, Statements>();

/** Prepared once per database: these run on every update of a learner in a quiz or questionnaire. */
function statements(db: Db): Statements {
  let s = cache.get(db);
  if (!s) {
    const c = db.$client;
    s = {
      get: c.prepare("SELECT kind, ref_id AS refId FROM open_dialogs WHERE learner_id = ?"),
      // Written only when it changes, so an update that stays in the same dialog writes nothing here.
      set: c.prepare(
        "INSERT INTO open_dialogs (learner_id, kind, ref_id, updated_at) VALUES (?, ?, ?, ?) " +
          "ON CONFLICT(learner_id) DO UPDATE SET kind = excluded.kind, ref_id = excluded.ref_id, updated_at = excluded.updated_at " +
          "WHERE open_dialogs.kind <> excluded.kind OR open_dialogs.ref_id <> excluded.ref_id",
      ),
      clear: c.prepare("DELETE FROM open_dialogs WHERE learner_id = ?"),
      clearIf: c.prepare("DELETE FROM open_dialogs WHERE learner_id = ? AND kind = ? AND ref_id = ?"),
    };
    cache.set(db, s);
  }
  return s;
}

/** The quiz attempt or questionnaire response the learner's typed messages go to, if any. */
export function openDialog(db: Db, learnerId: number): OpenDialog | undefined {
  return statements(db).get.get(learnerId);
}

/** Brings a dialog to the foreground (one at a time: another one open is paused). */
export function setOpenDialog(db: Db, learnerId: number, kind: DialogKind, refId: number, now: number): void {
  statements(db).set.run(learnerId, kind, refId, now);
}

/** Pauses whatever dialog is open; true when there was one. */
export function clearOpenDialog(db: Db, learnerId: number): boolean {
  return statements(db).clear.run(learnerId).changes > 0;
}

/** Closes this dialog if it is the open one (a finished quiz, a submitted questionnaire). */
export function closeDialog(db: Db, learnerId: number, kind: DialogKind, refId: number): void {
  statements(db).clearIf.run(learnerId, kind, refId);
}
