import type { NextFunction } from "grammy";
import type { Clock } from "../../clock.js";
import { DAY } from "../../clock.js";
import { statement, type Db } from "../../db/client.js";
import { pruneKeptUpdates } from "../../db/updateInboxRepo.js";
import type { BotContext } from "../context.js";

const SEEN = "SELECT 1 AS one FROM processed_updates WHERE update_id = ?";
const RECORD = "INSERT OR IGNORE INTO processed_updates (update_id, handled_at) VALUES (?, ?)";

/**
 * Telegram may deliver an update again (after a crash before the offset was confirmed, or a
 * webhook timeout), and the update inbox (bot/polling.ts) hands over again what a crash left
 * unhandled. An update id seen before is dropped; once handled, it is recorded (which is what
 * takes it out of the inbox: the poller clears handled ones there a batch at a time).
 *
 * That commit comes on every update, so the table has no index but its key: a second B-tree
 * (handled_at) made it write two pages per update instead of one.
 */
export function dedupeUpdates(db: Db, clock: Clock) {
  // Telegram numbers updates in increasing order, so an id above every id recorded or seen is new
  // and needs no look-up; only ids at or below it (a redelivery, an update kept in the inbox, or
  // numbering that restarted) are looked up. Saves a statement on nearly every update.
  let highest = statement<[], { id: number | null }>(db, "SELECT max(update_id) AS id FROM processed_updates").get()?.id ?? 0;
  return async (ctx: BotContext, next: NextFunction) => {
    const id = ctx.update.update_id;
    if (id > highest) highest = id;
    else if (statement<[number], { one: number }>(db, SEEN).get(id)) return;
    try {
      await next();
    } finally {
      statement<[number, number]>(db, RECORD).run(id, clock.now());
    }
  };
}

/** Rows looked at per statement when pruning: a short write, then the event loop gets a turn. */
const PRUNE_CHUNK = 1000;

/**
 * Forgets update ids handled more than two days ago (Telegram keeps an unconfirmed update for 24
 * hours). Update ids grow with time, so the old rows are the lowest ids, or the highest when
 * Telegram restarted its numbering after a week without updates: both ends are trimmed in key
 * order, a chunk at a time, while the chunk is all old. An old row behind a newer one waits for a
 * later tick. Updates kept in the inbox as long unhandled go too. Returns how many rows went.
 */
export async function pruneProcessedUpdates(db: Db, now: number): Promise<number> {
  const cutoff = now - 2 * DAY;
  let removed = 0;
  for (const order of ["ASC", "DESC"]) {
    const prune = statement<[number, number]>(
      db,
      `DELETE FROM processed_updates WHERE update_id IN
         (SELECT update_id FROM processed_updates ORDER BY update_id ${order} LIMIT ?) AND handled_at < ?`,
    );
    for (;;) {
      const n = prune.run(PRUNE_CHUNK, cutoff).changes;
      removed += n;
      if (n < PRUNE_CHUNK) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  pruneKeptUpdates(db, cutoff);
  return removed;
}
