/**
 * The update inbox (schema/runtime.ts updateInbox): what was fetched from Telegram and is not
 * handled yet. Written once per fetched batch (which also lets go of the updates handled since),
 * read at start to handle what a crash left behind.
 */
import type { Update } from "grammy/types";
import { statement, transaction, type Db } from "./client.js";

/** Lets go of kept updates the dedupe middleware has recorded as handled (a key look-up per kept row). */
const DROP_HANDLED = "DELETE FROM update_inbox WHERE EXISTS (SELECT 1 FROM processed_updates p WHERE p.update_id = update_inbox.update_id)";

/**
 * Keeps a fetched batch, in one transaction (a batch is kept whole or not at all), and lets go of
 * the updates handled since the last batch (recorded in processed_updates by the dedupe
 * middleware): one statement per batch rather than one more write per update.
 */
export function keepUpdates(db: Db, updates: readonly Update[], now: number): void {
  const insert = statement<[number, string, number]>(
    db,
    "INSERT OR IGNORE INTO update_inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
  );
  transaction(db, () => {
    statement(db, DROP_HANDLED).run();
    for (const u of updates) insert.run(u.update_id, JSON.stringify(u), now);
  });
}

/** Starts that may replay one update: one that takes the process down every time is then given up. */
export const MAX_REPLAYS = 3;

/**
 * Updates kept but not handled (a crash came first), oldest first, counted as replayed once more;
 * handled ones left behind and ones replayed MAX_REPLAYS times already are dropped (how many of
 * the latter is returned, for the log).
 */
export function takeKeptUpdates(db: Db): { updates: Update[]; givenUp: number } {
  return transaction(db, () => {
    statement(db, DROP_HANDLED).run();
    const givenUp = statement<[number]>(db, "DELETE FROM update_inbox WHERE replays >= ?").run(MAX_REPLAYS).changes;
    db.$client.exec("UPDATE update_inbox SET replays = replays + 1");
    const updates = statement<[], { payload: string }>(db, "SELECT payload FROM update_inbox ORDER BY update_id")
      .all()
      .map((r) => JSON.parse(r.payload) as Update);
    return { updates, givenUp };
  });
}

/** Kept (not handled) for longer than Telegram itself keeps an update (24 hours): too old to act on. */
export function pruneKeptUpdates(db: Db, before: number): void {
  statement<[number]>(db, "DELETE FROM update_inbox WHERE received_at < ?").run(before);
}
