import type { Context } from "grammy";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Locale } from "../domain/locale.js";
import type { Db } from "../db/client.js";
import type { Learner } from "../db/schema/index.js";
import type { T } from "../messages/i18n.js";

export interface BotDeps {
  db: Db;
  clock: Clock;
  config: Config;
  /** Wakes the outbox sender after something was enqueued (no-op when no sender runs, as in tests). */
  kickOutbox?: () => void;
}

export interface BotContextExtras {
  deps: BotDeps;
  lang: Locale;
  t: T;
  /** The registered learner, for updates from a private chat. */
  learner: Learner | null;
  /** True on the update that registered the learner. */
  learnerIsNew: boolean;
}

export type BaseContext = Context & BotContextExtras;
export type BotContext = BaseContext;
