import { Writable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import { Api } from "grammy";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DAY } from "../src/clock.js";
import { enroll } from "../src/db/coursesRepo.js";
import { setLearnerBlocked, upsertLearner } from "../src/db/learnersRepo.js";
import { enqueue, enqueueFanOut, enqueueFanOutNow, outboxMessages, saveBody, type FanOut } from "../src/db/outboxRepo.js";
import { broadcasts, outbox, outboxBodies } from "../src/db/schema/index.js";
import type { Locale } from "../src/domain/locale.js";
import { ReplyTraffic, retryInBackground, watchPolling } from "../src/bot/apiSetup.js";
import { queueAnnouncements, weeklyAnnouncementsJob } from "../src/jobs/announcements.js";
import { DUE_SQL, EXPIRE_SQL } from "../src/jobs/outbox.js";
import { AdaptivePace } from "../src/jobs/pace.js";
import { createLogger } from "../src/log.js";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot } from "./support/harness.js";

/** python-101 starts 2026-09-07 (Asia/Almaty): module 1 opens at 2026-09-06 19:00 UTC. */
const ALMATY_W1 = Date.UTC(2026, 8, 6, 19, 0);

let tb: TestBot;
const extra: TestBot[] = [];
afterEach(() => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when a test failed before creating it
  tb?.close();
  for (const t of extra.splice(0)) t.close();
});

const LANGS: Locale[] = ["kk", "ru", "en"];
function learners(t: TestBot, ids: number[], courseId = "python-101"): void {
  for (const id of ids) {
    t.telegram.addChat(id); // seeded learners started the bot before: Telegram knows their chats
    upsertLearner(t.db, { id, first_name: `L${id}` }, LANGS[id % 3]!, t.clock.now());
    enroll(t.db, id, courseId, t.clock.now());
  }
}

/** Log lines (pino JSON) written by a logger built for the test. */
function captureLog() {
  const lines: { msg: string; durationMs?: number; level: number }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { log: createLogger({ level: "info", destination: stream }), lines };
}

describe("set-based fan-out", () => {
  it("chunked enqueue gives the same rows as one shot, each learner once however often it runs", async () => {
    const a = new TestBot({ now: T0 });
    const b = new TestBot({ now: T0 });
    extra.push(a, b);
    const ids = Array.from({ length: 23 }, (_, i) => 100 + i);
    for (const t of [a, b]) {
      t.loadCourse(courseYaml());
      learners(t, ids);
      setLearnerBlocked(t.db, 105, true, T0);
    }
    const spec = (t: TestBot): FanOut => {
      const bodies = Object.fromEntries(
        LANGS.map((l) => [l, saveBody(t.db, `test:${l}`, { kind: "test", method: "sendMessage", payload: { text: l } }, T0)]),
      );
      return { courseId: "python-101", keyPrefix: "test:", bodies, fallbackBody: bodies.kk!, expiresAt: T0 + DAY };
    };
    expect(await enqueueFanOut(a.db, spec(a), T0, 4)).toBe(22);
    expect(await enqueueFanOut(a.db, spec(a), T0, 4)).toBe(0);
    expect(enqueueFanOutNow(b.db, spec(b), T0)).toBe(22);
    const shape = (t: TestBot) =>
      outboxMessages(t.db)
        .map((r) => [r.dedupeKey, r.chatId, r.state, String(r.payload.text)].join(" "))
        .sort();
    expect(shape(a)).toEqual(shape(b));
    expect(shape(a)).not.toContain("test:105 105 pending kk");
    expect(shape(a)).toContain("test:101 101 pending en");
  });

  it("a broadcast to many learners stores one body per language, and every row points to one", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml());
    learners(
      tb,
      Array.from({ length: 30 }, (_, i) => 1 + i),
    );
    tb.clock.set(ALMATY_W1);
    expect(await queueAnnouncements(tb.db, tb.clock.now())).toBe(30);
    const bodies = tb.db.select().from(outboxBodies).all();
    expect(bodies.map((b) => b.key).sort()).toEqual(["announce:python-101:0:en", "announce:python-101:0:kk", "announce:python-101:0:ru"]);
    const perBody = tb.db
      .select({ body: outbox.bodyId, n: sql<number>`count(*)` })
      .from(outbox)
      .groupBy(outbox.bodyId)
      .all();
    expect(perBody.map((r) => r.n)).toEqual([10, 10, 10]);
    // A later tick reuses the bodies and adds nothing.
    expect(await queueAnnouncements(tb.db, tb.clock.now() + 60_000)).toBe(0);
    expect(tb.db.select().from(outboxBodies).all()).toHaveLength(3);
  });
});

describe("the drain and expiry walk indexes (flat cost per batch)", () => {
  it("EXPLAIN QUERY PLAN: the partial indexes, no temporary B-tree for the order", () => {
    tb = new TestBot({ now: T0 });
    const plan = (q: string, ...params: unknown[]) =>
      (tb.db.$client.prepare(`EXPLAIN QUERY PLAN ${q}`).all(...params) as { detail: string }[]).map((r) => r.detail).join("\n");
    const due = plan(DUE_SQL, 1, T0, 500);
    expect(due).toMatch(/USING INDEX outbox_due/);
    expect(due).not.toMatch(/TEMP B-TREE/);
    const expire = plan(EXPIRE_SQL, T0, 2000);
    expect(expire).toMatch(/USING COVERING INDEX outbox_expiry/);
    expect(expire).not.toMatch(/SCAN/);
    expect(due).not.toMatch(/SCAN/);
    const counts = plan(
      "SELECT state, count(*) FROM outbox_items WHERE body_id IN (SELECT id FROM outbox_bodies WHERE batch = 'x') GROUP BY state",
    );
    expect(counts).toMatch(/COVERING INDEX outbox_body_state/);
  });
});

describe("outages: retried until the message expires, logged once", () => {
  it("a 5xx and network outage: every message goes out when Telegram is back; one past its moment expires", async () => {
    tb = new TestBot({ now: T0 });
    const ids = [1, 2, 3, 4];
    for (const id of ids) {
      tb.telegram.addChat(id);
      upsertLearner(tb.db, { id, first_name: `L${id}` }, "en", T0);
      enqueue(
        tb.db,
        {
          dedupeKey: `n:${id}`,
          kind: "test",
          chatId: id,
          method: "sendMessage",
          payload: { text: `hi ${id}` },
          expiresAt: id === 4 ? T0 + 20_000 : undefined,
        },
        T0,
      );
    }
    // Telegram is down for 5 minutes (clock time): 502s and refused connections in turn.
    const outageEnds = T0 + 5 * 60_000;
    let n = 0;
    tb.telegram.failures.push(() =>
      tb.clock.now() < outageEnds && n++ % 2 === 0 ? { error_code: 502, description: "Bad Gateway" } : undefined,
    );
    tb.telegram.networkFailures.push(() => (tb.clock.now() < outageEnds ? "ECONNREFUSED" : undefined));
    const { log, lines } = captureLog();
    const sender = tb.sender({ log });
    for (let i = 0; i < 100 && outboxMessages(tb.db).some((r) => r.state === "pending"); i++) {
      await sender.drain();
      const next = Math.min(
        ...outboxMessages(tb.db)
          .filter((r) => r.state === "pending")
          .map((r) => r.notBefore),
      );
      if (Number.isFinite(next)) tb.clock.set(Math.max(tb.clock.now() + 1000, next));
    }
    const rows = outboxMessages(tb.db);
    expect(rows.filter((r) => r.state === "sent").map((r) => r.chatId)).toEqual([1, 2, 3]);
    expect(rows.find((r) => r.chatId === 4)!.state).toBe("expired");
    expect(rows.some((r) => r.state === "failed")).toBe(false);
    expect(rows.find((r) => r.chatId === 1)!.attempts).toBeGreaterThan(5);
    expect(tb.telegram.deliveriesByChat()).toEqual(
      new Map([
        [1, 1],
        [2, 1],
        [3, 1],
      ]),
    );
    // Logged once when it began and once when it ended, with how long it lasted.
    const started = lines.filter((l) => l.msg.includes("unreachable"));
    const ended = lines.filter((l) => l.msg.includes("reachable again"));
    expect(started).toHaveLength(1);
    expect(ended).toHaveLength(1);
    expect(ended[0]!.durationMs).toBeGreaterThanOrEqual(5 * 60_000 - 60_000);
  });

  it("a 400 fails at once with Telegram's reason; a 403 marks the learner blocked", async () => {
    tb = new TestBot({ now: T0 });
    for (const id of [1, 2]) {
      tb.telegram.addChat(id);
      upsertLearner(tb.db, { id, first_name: `L${id}` }, "en", T0);
      enqueue(tb.db, { dedupeKey: `n:${id}`, kind: "test", chatId: id, method: "sendMessage", payload: { text: "x" } }, T0);
    }
    tb.telegram.failures.push((c) =>
      c.payload.chat_id === 1
        ? { error_code: 400, description: "Bad Request: message is too long" }
        : { error_code: 403, description: "Forbidden: bot was blocked by the user" },
    );
    expect(await tb.sender().drain()).toMatchObject({ failed: 1, blocked: 1 });
    const rows = outboxMessages(tb.db);
    expect(rows[0]).toMatchObject({ state: "failed", error: "Bad Request: message is too long", attempts: 1 });
    expect(rows[1]).toMatchObject({ state: "blocked" });
  });
});

describe("adaptive pace (AIMD)", () => {
  it("slows down multiplicatively on a 429, creeps back up additively (quickly, then slowly near the last 429), never above the ceiling", () => {
    const pace = new AdaptivePace({ start: 25, ceiling: 30, decrease: 0.5, fastStep: 4, step: 0.5 }, 0);
    expect(pace.rate).toBe(25);
    pace.onFlood(1000);
    expect(pace.rate).toBe(12.5);
    pace.tick(1500);
    expect(pace.rate).toBe(12.5);
    pace.tick(4000); // three quiet seconds, well under the rate that drew the 429
    expect(pace.rate).toBe(24.5);
    pace.tick(5000); // close to it now: slowly
    expect(pace.rate).toBe(25);
    pace.tick(600_000);
    expect(pace.rate).toBe(30);
  });

  it("the 429s of one overshoot (every request in flight) slow it down once, and it climbs back to just under that rate", () => {
    const pace = new AdaptivePace({ start: 480, ceiling: 500 }, 0);
    for (let i = 0; i < 40; i++) pace.onFlood(1000 + i, 1000); // 40 requests in flight get their 429 together
    expect(pace.rate).toBe(408);
    pace.onFlood(2500, 1000); // still the same episode: its pause is not over
    expect(pace.rate).toBe(408);
    pace.tick(5000); // quick steps (25/s) up to 98% of 480, then slow ones (1/s)
    expect(pace.rate).toBeCloseTo(471.4, 1);
    pace.onFlood(6000, 1000); // a new episode
    expect(pace.rate).toBeCloseTo(471.4 * 0.85, 1);
  });

  it("the sender's pace drops after a 429 and the row waits retry_after, then goes out once", async () => {
    tb = new TestBot({ now: T0 });
    tb.telegram.addChat(1);
    upsertLearner(tb.db, { id: 1, first_name: "L1" }, "en", T0);
    enqueue(tb.db, { dedupeKey: "n:1", kind: "test", chatId: 1, method: "sendMessage", payload: { text: "x" } }, T0);
    let refused = 0;
    tb.telegram.failures.push(() =>
      refused++ === 0 ? { error_code: 429, description: "Too Many Requests: retry after 3", parameters: { retry_after: 3 } } : undefined,
    );
    const sender = tb.sender({ ratePerSecond: 20, maxRatePerSecond: 30 });
    await sender.drain();
    expect(sender.pace.rate).toBeLessThan(20);
    tb.clock.advance(3000);
    expect(await sender.drain()).toMatchObject({ sent: 1 });
    expect(tb.telegram.deliveriesByChat()).toEqual(new Map([[1, 1]]));
  });
});

describe("replies before broadcasts", () => {
  it("during a 429 storm a learner's reply waits out retry_after and arrives; the outbox holds off meanwhile", async () => {
    tb = new TestBot({ now: T0 });
    // The storm: the next two sends are refused with retry_after 1 s, whoever sends them.
    let storm = 2;
    tb.telegram.failures.push((c) =>
      c.method === "sendMessage" && storm-- > 0
        ? { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } }
        : undefined,
    );
    const u = tb.user(77);
    await u.send("/help");
    expect(storm).toBeLessThan(0); // both 429s were met by the reply
    expect(u.lastText()).toContain("What I can do");
    // The reply saw the 429s: the outbox is told to hold off for the rest of retry_after.
    const held = new ReplyTraffic(() => 0);
    held.noteFlood(1);
    expect(held.holdMs()).toBe(1000);
    const slept: number[] = [];
    tb.telegram.addChat(5);
    upsertLearner(tb.db, { id: 5, first_name: "L5" }, "en", T0);
    enqueue(tb.db, { dedupeKey: "b:5", kind: "test", chatId: 5, method: "sendMessage", payload: { text: "broadcast" } }, T0);
    await tb.sender({ replies: held, sleep: async (ms) => void slept.push(ms) }).drain();
    expect(slept[0]).toBe(1000);
    expect(tb.telegram.deliveriesByChat().get(5)).toBe(1);
    expect(tb.db.select().from(outbox).where(eq(outbox.dedupeKey, "b:5")).get()!.state).toBe("sent");
  });
});

describe("start-up and polling through an outage", () => {
  it("getUpdates failures are logged once when the outage starts and once, with its duration, when it ends", async () => {
    let clock = 0;
    let failing = 3;
    const fetch = (async () => {
      if (failing-- > 0) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      return new Response(JSON.stringify({ ok: true, result: [] }), { headers: { "content-type": "application/json" } });
    }) as unknown as typeof globalThis.fetch;
    const api = new Api("1:x", { fetch });
    const { log, lines } = captureLog();
    watchPolling(api, () => clock, log);
    for (let i = 0; i < 3; i++) {
      clock += 2000;
      await expect(api.getUpdates()).rejects.toThrow();
    }
    clock += 2000;
    await expect(api.getUpdates()).resolves.toEqual([]);
    expect(lines.map((l) => l.msg)).toEqual([
      "polling failed: Telegram unreachable, retrying every few seconds",
      "polling restored after 6 s",
    ]);
    expect(lines[1]!.durationMs).toBe(6000);
  });

  it("command menus are set in the background and retried until Telegram takes them", async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const { log } = captureLog();
      retryInBackground(
        "command menu",
        async () => {
          if (++calls < 3) throw new Error("500 Internal Server Error");
        },
        log,
      );
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(1000);
      expect(calls).toBe(2);
      await vi.advanceTimersByTimeAsync(2000);
      expect(calls).toBe(3);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("an author's broadcast whose queueing a restart interrupted", () => {
  it("the progress job finishes queueing it (each learner once, blocked ones counted), then reports", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml());
    learners(tb, [1, 2, 3, 4, 5]);
    setLearnerBlocked(tb.db, 4, true, T0);
    const [b] = tb.db
      .insert(broadcasts)
      .values({
        authorId: 900,
        authorLang: "en",
        courseId: "python-101",
        status: "sending",
        createdAt: T0,
        updatedAt: T0,
        confirmedAt: T0,
        total: 5,
        versions: { en: { method: "sendMessage", payload: { text: "Hello" } }, ru: { method: "sendMessage", payload: { text: "Привет" } } },
      })
      .returning()
      .all();
    // The process died after the first learners' rows: learner 1 already has one.
    enqueue(
      tb.db,
      { dedupeKey: `bc:${b!.id}:1`, kind: "broadcast", batch: `bc:${b!.id}`, chatId: 1, method: "sendMessage", payload: { text: "Hello" } },
      T0,
    );
    const monitor = tb.monitor();
    await monitor.poll();
    const rows = outboxMessages(tb.db);
    expect(rows.map((r) => r.chatId).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(rows.find((r) => r.chatId === 4)!.state).toBe("blocked");
    // Learner 3 (kk) gets the first course language that has a version (ru); the others their own.
    expect(
      rows
        .filter((r) => r.chatId !== 1)
        .map((r) => `${r.chatId}:${String(r.payload.text)}`)
        .sort(),
    ).toEqual(["2:Hello", "3:Привет", "4:Привет", "5:Hello"]);
    expect(tb.db.select().from(broadcasts).where(eq(broadcasts.id, b!.id)).get()!.queuedAt).toBe(T0);
    await tb.sender().drain();
    await monitor.poll();
    expect(tb.db.select().from(broadcasts).where(eq(broadcasts.id, b!.id)).get()!.status).toBe("done");
    expect(tb.telegram.deliveriesByChat().get(1)).toBe(1);
  });
});

describe("the weekly job at scale", () => {
  it("after a complete pass it re-checks a course every 10 minutes, not every minute: an unblocked learner is caught then", async () => {
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml());
    learners(tb, [1, 2]);
    setLearnerBlocked(tb.db, 2, true, T0);
    const job = weeklyAnnouncementsJob(tb.db, () => {});
    await job.run(ALMATY_W1);
    expect(outboxMessages(tb.db).map((r) => r.chatId)).toEqual([1]);
    setLearnerBlocked(tb.db, 2, false, ALMATY_W1);
    await job.run(ALMATY_W1 + 60_000);
    expect(outboxMessages(tb.db)).toHaveLength(1);
    await job.run(ALMATY_W1 + 10 * 60_000);
    expect(outboxMessages(tb.db).map((r) => r.chatId)).toEqual([1, 2]);
  });
});
