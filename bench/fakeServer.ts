/**
 * The fake Bot API for the benchmark, in its own thread (as Telegram is not in our process):
 * the sender and the server do not compete for one event loop.
 */
import { parentPort, workerData } from "node:worker_threads";
import { FakeTelegram } from "../test/support/fakeTelegram.js";

const { limit, retryAfter, latencyMs, chats } = workerData as {
  limit: number;
  retryAfter: number;
  latencyMs: number;
  chats: { from: number; count: number };
};
const telegram = new FakeTelegram();
for (let i = 0; i < chats.count; i++) telegram.addChat(chats.from + i);
telegram.rateLimit = { perSecond: limit, retryAfter };
telegram.latencyMs = latencyMs;
const server = await telegram.listen();
parentPort!.postMessage({ type: "ready", url: server.url });

// eslint-disable-next-line @typescript-eslint/no-misused-promises -- a worker's listener may be async; its errors end the bench
parentPort!.on("message", async (msg: { type: string }) => {
  if (msg.type === "report") {
    const byChat = [...telegram.deliveriesByChat()];
    const times = telegram.deliveredAt;
    parentPort!.postMessage({
      type: "report",
      byChat,
      floodAnswers: telegram.floodAnswers,
      delivered: telegram.delivered.length,
      firstAt: times[0] ?? 0,
      lastAt: times[times.length - 1] ?? 0,
      times,
    });
  } else if (msg.type === "close") {
    await server.close();
    parentPort!.postMessage({ type: "closed" });
  }
});
