import type { ConversationData, VersionedState } from "@grammyjs/conversations";
import type { Clock } from "../clock.js";
import type { Db } from "../db/client.js";

/**
 * SQLite storage for @grammyjs/conversations: a restart resumes every conversation at the step
 * it was waiting on. Bump CONVERSATIONS_VERSION when a conversation's code changes shape, so
 * stale replays are discarded instead of misapplied.
 */
export const CONVERSATIONS_VERSION = 1;

export function conversationStorage(db: Db, clock: Clock) {
  const read = db.$client.prepare<[string], { value: string }>("SELECT value FROM conversation_state WHERE key = ?");
  const write = db.$client.prepare<[string, string, number]>(
    "INSERT INTO conversation_state (key, value, updated_at) VALUES (?, ?, ?) " +
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
  );
  const remove = db.$client.prepare<[string]>("DELETE FROM conversation_state WHERE key = ?");
  return {
    type: "key" as const,
    version: CONVERSATIONS_VERSION,
    getStorageKey: (ctx: { chatId?: number }) => conversationKey(ctx),
    adapter: {
      read(key: string): VersionedState<ConversationData> | undefined {
        const row = read.get(key);
        return row ? (JSON.parse(row.value) as VersionedState<ConversationData>) : undefined;
      },
      write(key: string, state: VersionedState<ConversationData>): void {
        write.run(key, JSON.stringify(state), clock.now());
      },
      delete(key: string): void {
        remove.run(key);
      },
    },
  };
}

/** One key function for conversations and for runner's sequentialize: per chat. */
export function conversationKey(ctx: { chatId?: number }): string | undefined {
  return ctx.chatId?.toString();
}
