import type { Context } from "grammy";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Locale } from "../domain/locale.js";
import type { Db } from "../db/client.js";
import type { Learner } from "../db/schema/index.js";
import type { T } from "../messages/i18n.js";
import type { Logger } from "../log.js";

export interface BotDeps {
  db: Db;
  clock: Clock;
  config: Config;
  /** Wakes the outbox sender after something was enqueued (no-op when no sender runs, as in tests). */
  kickOutbox?: () => void;
  /** How documents are downloaded from Telegram's file server (default: the global fetch; tests: the fake Bot API). */
  fetch?: typeof fetch;
  /** Where updates log (default: the process logger of log.ts); tests pass one that writes to a stream. */
  logger?: Logger;
}

export interface BotContextExtras {
  deps: BotDeps;
  /** This update's logger: update_id, chat, user, and the feature that handles it. */
  log: Logger;
  lang: Locale;
  t: T;
  /** The registered learner, for updates from a private chat. */
  learner: Learner | null;
  /** True on the update that registered the learner. */
  learnerIsNew: boolean;
}

export type BaseContext = Context & BotContextExtras;
export type BotContext = BaseContext;
