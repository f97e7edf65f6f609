import { autoRetry } from "@grammyjs/auto-retry";
import { Api, type ApiClientOptions } from "grammy";
import type { Config } from "../config.js";

/**
 * The Api the outbox sends with. 429s are waited out by auto-retry (Telegram says how long);
 * 5xx and network errors are rethrown at once so the outbox reschedules the row with its own
 * backoff instead of holding a sending slot for minutes.
 */
export function createOutboxApi(config: Config, client: Omit<ApiClientOptions, "apiRoot"> = {}): Api {
  const api = new Api(config.botToken, { ...client, apiRoot: config.botApiRoot });
  api.config.use(
    autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 120, rethrowInternalServerErrors: true, rethrowHttpErrors: true }),
  );
  return api;
}
