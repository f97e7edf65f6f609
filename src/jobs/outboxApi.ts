import { Api, type ApiClientOptions } from "grammy";
import type { Config } from "../config.js";

/**
 * The Api the outbox sends with. No auto-retry here: the sender itself honours 429 (it pauses
 * all sending for `retry_after` and re-queues the row, so no request holds a slot while it waits
 * and the rest of the broadcast does not run into the same flood limit), and reschedules 5xx and
 * network errors with its own backoff (jobs/outbox.ts). Replies to learners keep bot.api, with
 * auto-retry.
 */
export function createOutboxApi(config: Config, client: Omit<ApiClientOptions, "apiRoot"> = {}): Api {
  return new Api(config.botToken, { ...client, apiRoot: config.botApiRoot });
}
