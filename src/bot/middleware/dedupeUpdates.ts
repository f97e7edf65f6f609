import { lt } from "drizzle-orm";
import type { NextFunction } from "grammy";
import type { Clock } from "../../clock.js";
import { DAY } from "../../clock.js";
import type { Db } from "../../db/client.js";
import { processedUpdates } from "../../db/schema/index.js";
import { pruneKeptUpdates } from "../../db/updateInboxRepo.js";
import type { BotContext } from "../context.js";

/**
 * Telegram may deliver an update again (after a crash before the offset was confirmed, or a
 * webhook timeout), and the update inbox replays what a crash left unhandled. An update id seen
 * before is dropped; once handled it is recorded and leaves the inbox, in one transaction.
 */
export function dedupeUpdates(db: Db, clock: Clock) {
  const seen = db.$client.prepare<[number], { one: number }>("SELECT 1 AS one FROM processed_updates WHERE update_id = ?");
  const record = db.$client.prepare<[number, number]>("INSERT OR IGNORE INTO processed_updates (update_id, handled_at) VALUES (?, ?)");
  const drop = db.$client.prepare<[number]>("DELETE FROM update_inbox WHERE update_id = ?");
  const handled = db.$client.transaction((id: number, now: number) => {
    record.run(id, now);
    drop.run(id);
  });
  return async (ctx: BotContext, next: NextFunction) => {
    const id = ctx.update.update_id;
    if (seen.get(id)) return;
    try {
      await next();
    } finally {
      handled(id, clock.now());
    }
  };
}

export function pruneProcessedUpdates(db: Db, now: number): void {
  db.delete(processedUpdates)
    .where(lt(processedUpdates.handledAt, now - 2 * DAY))
    .run();
  pruneKeptUpdates(db, now - 2 * DAY);
}
