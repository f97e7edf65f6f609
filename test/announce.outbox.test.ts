import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getLearner, setLearnerBlocked, upsertLearner } from "../src/db/learnersRepo.js";
import { outbox } from "../src/db/schema/index.js";
import { enqueue } from "../src/db/outboxRepo.js";
import { T0, TestBot, tempDir } from "./support/harness.js";

const SECOND_FOR_TESTS = 1000;

let tb: TestBot;
const extra: TestBot[] = [];
let cleanup: (() => void) | null = null;
afterEach(() => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset if the first test failed early
  tb?.close();
  for (const t of extra.splice(0)) t.close();
  cleanup?.();
  cleanup = null;
});

function queue(t: TestBot, learnerIds: number[], tag = "m"): void {
  for (const id of learnerIds) {
    t.telegram.addChat(id); // seeded learners started the bot before: Telegram knows their chats
    if (!getLearner(t.db, id)) upsertLearner(t.db, { id, first_name: `L${id}` }, "en", t.clock.now());
    enqueue(
      t.db,
      { dedupeKey: `${tag}:${id}`, kind: "test", batch: tag, chatId: id, method: "sendMessage", payload: { text: `hello ${id}` } },
      t.clock.now(),
    );
  }
}
const row = (t: TestBot, key: string) => t.db.select().from(outbox).where(eq(outbox.dedupeKey, key)).get()!;

describe("outbox: Telegram's answers", () => {
  it("429: honours retry_after — the row waits that long, all sending pauses, then it goes out once", async () => {
    tb = new TestBot({ now: T0 });
    queue(tb, [1, 2]);
    let refused = 0;
    tb.telegram.failures.push((c) =>
      c.method === "sendMessage" && c.payload.chat_id === 1 && refused++ === 0
        ? { error_code: 429, description: "Too Many Requests: retry after 7", parameters: { retry_after: 7 } }
        : undefined,
    );
    const slept: number[] = [];
    const sender = tb.sender({ sleep: async (ms) => void slept.push(ms), maxInFlight: 1 });
    const first = await sender.drain();
    expect(first).toMatchObject({ sent: 1, retried: 1 });
    expect(sender.floodWaits).toBe(1);
    // The next send waited for the pause (about 7 s), not just the pacing interval.
    expect(Math.max(...slept)).toBeGreaterThan(6000);
    expect(row(tb, "m:1")).toMatchObject({ state: "pending", notBefore: T0 + 7 * SECOND_FOR_TESTS });

    tb.clock.advance(7 * SECOND_FOR_TESTS);
    expect(await sender.drain()).toMatchObject({ sent: 1 });
    expect(tb.telegram.deliveriesByChat()).toEqual(
      new Map([
        [1, 1],
        [2, 1],
      ]),
    );
    expect(row(tb, "m:1").messageId).toBeGreaterThan(0);
  });

  it("403: marks the learner blocked, skips their later messages without calling Telegram", async () => {
    tb = new TestBot({ now: T0 });
    queue(tb, [1, 2], "a");
    tb.telegram.failures.push((c) =>
      c.payload.chat_id === 1 ? { error_code: 403, description: "Forbidden: bot was blocked by the user" } : undefined,
    );
    const sender = tb.sender();
    expect(await sender.drain()).toMatchObject({ sent: 1, blocked: 1 });
    expect(getLearner(tb.db, 1)?.blockedAt).toBe(T0);
    expect(row(tb, "a:1").state).toBe("blocked");

    queue(tb, [1, 2], "b");
    expect(await sender.drain()).toMatchObject({ sent: 1, blocked: 1 });
    expect(tb.telegram.calls.filter((c) => c.payload.chat_id === 1)).toHaveLength(1);
    expect(row(tb, "b:1").state).toBe("blocked");
  });

  it("a blocked learner is un-marked when Telegram says they unblocked, or when they write again", async () => {
    tb = new TestBot({ now: T0 });
    const u = tb.user(5);
    await u.send("/start");
    setLearnerBlocked(tb.db, 5, true, T0);
    await tb.handle({
      my_chat_member: {
        chat: u.chat,
        from: u.from,
        date: 0,
        old_chat_member: { status: "kicked", user: { id: 424242, is_bot: true, first_name: "Bot" }, until_date: 0 },
        new_chat_member: { status: "member", user: { id: 424242, is_bot: true, first_name: "Bot" } },
      },
    });
    expect(getLearner(tb.db, 5)?.blockedAt).toBeNull();

    setLearnerBlocked(tb.db, 5, true, T0);
    await u.send("/help");
    expect(getLearner(tb.db, 5)?.blockedAt).toBeNull();
  });

  it("5xx and connection refused: retried with growing, capped backoff, never failed after a fixed count", async () => {
    tb = new TestBot({ now: T0 });
    queue(tb, [1, 2]);
    let badGateways = 8;
    tb.telegram.failures.push((c) =>
      c.payload.chat_id === 1 && badGateways-- > 0 ? { error_code: 502, description: "Bad Gateway" } : undefined,
    );
    let refusals = 2;
    tb.telegram.networkFailures.push((c) => (c.payload.chat_id === 2 && refusals-- > 0 ? "ECONNREFUSED" : undefined));
    // No jitter (random = 1): the waits are the plain doubling, capped at 60 s.
    const sender = tb.sender({ random: () => 1 });
    const waits: number[] = [];
    for (let i = 0; i < 20; i++) {
      await sender.drain();
      const r = row(tb, "m:1");
      if (r.state !== "pending") break;
      waits.push(r.notBefore - tb.clock.now());
      tb.clock.set(r.notBefore);
    }
    expect(waits).toEqual([2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect(row(tb, "m:1")).toMatchObject({ state: "sent", attempts: 9 });
    // The refused connection never reached Telegram: sent on the third try, once.
    expect(row(tb, "m:2")).toMatchObject({ state: "sent", attempts: 3 });
    expect(tb.telegram.deliveriesByChat()).toEqual(
      new Map([
        [1, 1],
        [2, 1],
      ]),
    );
  });

  it("a connection reset is retried; a request that timed out waiting for the answer is not resent (uncertain)", async () => {
    tb = new TestBot({ now: T0 });
    queue(tb, [1, 2]);
    let resets = 1;
    tb.telegram.networkFailures.push((c) => (c.payload.chat_id === 1 && resets-- > 0 ? "ECONNRESET" : undefined));
    tb.telegram.networkFailures.push((c) => (c.payload.chat_id === 2 ? "ETIMEDOUT" : undefined));
    const sender = tb.sender();
    expect(await sender.drain()).toMatchObject({ uncertain: 1, retried: 1, sent: 0 });
    expect(row(tb, "m:2").state).toBe("uncertain");
    tb.clock.set(row(tb, "m:1").notBefore);
    expect(await sender.drain()).toMatchObject({ sent: 1 });
    expect(row(tb, "m:1")).toMatchObject({ state: "sent", attempts: 2 });
  });

  it("a bad request (400) fails at once and is not retried", async () => {
    tb = new TestBot({ now: T0 });
    queue(tb, [1]);
    tb.telegram.failures.push(() => ({ error_code: 400, description: "Bad Request: chat not found" }));
    expect(await tb.sender().drain()).toMatchObject({ failed: 1 });
    expect(row(tb, "m:1")).toMatchObject({ state: "failed", error: "Bad Request: chat not found", attempts: 1 });
  });
});

describe("outbox: crash in the middle of a broadcast", () => {
  it("kill -9 with requests on the wire and answers not yet written: after restart no duplicates, no losses", async () => {
    const { dir, cleanup: c } = tempDir();
    cleanup = c;
    // The dead process's late answers fail to be recorded (its database is closed): expected noise.
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    const quietWarn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const ids = Array.from({ length: 60 }, (_, i) => 1000 + i);
    const before = new TestBot({ now: T0, dbPath: `${dir}/bot.sqlite` });
    extra.push(before);
    queue(before, ids);
    const snapshot = `${dir}/at-crash.sqlite`;
    // The process dies right after Telegram delivered the 25th message: the disk holds exactly
    // what was committed at that instant (a consistent copy), no answer comes back, and the
    // requests already handed to the network still arrive.
    before.telegram.afterDelivery = () => {
      if (before.telegram.delivered.length !== 25) return;
      before.db.$client.exec(`VACUUM INTO '${snapshot}'`);
      before.telegram.frozen = true;
      before.close(); // the old process is gone: it can neither write nor send any more
    };
    void before
      .sender({ sleep: (ms) => new Promise((r) => setTimeout(r, ms)), ratePerSecond: 2000 })
      .drain()
      .catch(() => {});
    await vi_waitFor(() => before.telegram.frozen);

    // Restart on the database as it was at the crash, against the same Telegram.
    const telegram = before.telegram;
    telegram.frozen = false;
    telegram.afterDelivery = null;
    tb = new TestBot({ now: T0 + 60_000, dbPath: snapshot, telegram });
    const sender = tb.sender({ ratePerSecond: 2000 });
    sender.start();
    await vi_waitFor(() => tb.db.select().from(outbox).where(eq(outbox.state, "pending")).all().length === 0);
    await sender.stop();

    const byChat = telegram.deliveriesByChat();
    expect([...byChat.values()].every((n) => n === 1)).toBe(true); // zero duplicates
    expect(ids.filter((id) => !byChat.has(id))).toEqual([]); // zero losses
    const states = tb.db.select().from(outbox).all();
    const uncertain = states.filter((r) => r.state === "uncertain");
    // The rows in flight at the crash are reported as uncertain, and they had in fact been delivered.
    expect(uncertain.length).toBeGreaterThanOrEqual(1);
    expect(uncertain.every((r) => byChat.get(r.chatId) === 1)).toBe(true);
    expect(states.filter((r) => r.state === "sent").length + uncertain.length).toBe(ids.length);
    quiet.mockRestore();
    quietWarn.mockRestore();
  });
});

describe("outbox: a broadcast never blocks replies", () => {
  it("a learner's command is answered while a slow broadcast is still sending", async () => {
    tb = new TestBot({ now: T0 });
    queue(
      tb,
      Array.from({ length: 40 }, (_, i) => 2000 + i),
    );
    const sender = tb.sender({ ratePerSecond: 10, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
    sender.start();
    await new Promise((r) => setTimeout(r, 200));
    const u = tb.user(77);
    const started = performance.now();
    await u.send("/help");
    expect(performance.now() - started).toBeLessThan(1000);
    expect(u.lastText()).toContain("What I can do");
    const pending = tb.db.select().from(outbox).where(eq(outbox.state, "pending")).all().length;
    expect(pending).toBeGreaterThan(20); // about 4 s of broadcast still to go
    await sender.stop();
  });
});

async function vi_waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}
