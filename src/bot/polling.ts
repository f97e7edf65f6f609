/**
 * Long polling through the update inbox. grammY's runner confirms a batch to Telegram (the next
 * getUpdates' offset) while the batch is still being handled, so a crash loses whatever was in
 * flight: a tap or an answer the learner then has to repeat. Here each batch is kept in the
 * database before it is handed on (db/updateInboxRepo.ts), leaves it with the next batch once
 * the dedupe middleware has recorded it as handled, and a start handles what the previous
 * process left first.
 */
import {
  createConcurrentSink,
  createRunner,
  createSource,
  createUpdateFetcher,
  type RunnerHandle,
  type RunnerOptions,
  type UpdateSupplier,
} from "@grammyjs/runner";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { Clock } from "../clock.js";
import type { Db } from "../db/client.js";
import { keepUpdates, takeKeptUpdates } from "../db/updateInboxRepo.js";
import { logger } from "../log.js";
import type { BotContext } from "./context.js";

export function startPolling(bot: Bot<BotContext>, db: Db, clock: Clock, options: RunnerOptions): RunnerHandle {
  const log = logger.child({ feature: "polling" });
  const fetchUpdates = createUpdateFetcher(bot, options);
  const kept = takeKeptUpdates(db);
  if (kept.givenUp > 0) log.error({ updates: kept.givenUp }, "updates given up: each was replayed at several starts without being handled");
  if (kept.updates.length > 0) log.info({ updates: kept.updates.length }, "handling the updates the previous process left unhandled");
  const replay = kept.updates;
  const supplier: UpdateSupplier<Update> = {
    async supply(batchSize, signal) {
      await bot.init();
      if (replay.length > 0) return replay.splice(0, batchSize);
      const updates = await fetchUpdates(batchSize, signal);
      try {
        keepUpdates(db, updates, clock.now());
      } catch (err) {
        // The fetcher has moved its offset on already: handling them unkept beats dropping them.
        log.error({ err }, "could not keep the fetched updates (they are handled, but not replayed after a crash)");
      }
      return updates;
    },
  };
  const sink = createConcurrentSink<Update>({ consume: (update) => bot.handleUpdate(update) }, async (error) => {
    try {
      await bot.errorHandler(error as never);
    } catch (err) {
      log.error({ err }, "the error handler failed");
    }
  });
  const runner = createRunner(createSource(supplier), sink);
  runner.start();
  return runner;
}
