/**
 * Course teams through the real process (src/main.ts against the strict fake Bot API over HTTP),
 * restarted between steps: an invitation created before a kill -9 is accepted after it, the role
 * holds after another restart and opens only its own course, and the staff "/" menus are set at
 * start and after the grant, in the background.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUTHOR_ID, World, sleep } from "./faults/world.js";

let world: World;
beforeAll(async () => {
  world = await new World("tsx").init();
  await world.start(60_000);
}, 90_000);
afterAll(async () => world.dispose());

const chatMenus = (chatId: number) =>
  world.api.calls.filter(
    (c) =>
      c.method === "setMyCommands" && (c.payload.scope as { chat_id?: number } | undefined)?.chat_id === chatId && c.result !== undefined,
  );

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("a course team across restarts", () => {
  it("invites, survives kill -9 between creating and accepting, and keeps the role to its own course", async () => {
    // The admin's own menu is set at start, in the background.
    await waitFor(() => chatMenus(AUTHOR_ID).length > 0, "the admin's menu");

    const admin = world.learner(AUTHOR_ID, "en");
    await admin.send("/invite intro-programming author");
    const link = /start=inv-([\w-]{22})/.exec(admin.texts().at(-1) ?? "");
    expect(link, admin.texts().at(-1)).not.toBeNull();
    const token = link![1]!;

    await world.kill();
    await world.start(60_000);

    const author = world.learner(700, "ru");
    await author.send(`/start inv-${token}`);
    expect(author.texts().at(-1)).toContain("Приглашение в команду курса");
    await author.press(`iv:a:${token}`);
    await waitFor(() => (author.texts().at(-1) ?? "").includes("Теперь вы автор"), "the acceptance");
    // Their own "/" menu follows the grant, with the author commands.
    await waitFor(() => chatMenus(700).length > 0, "the new author's menu");
    const commands = (chatMenus(700).at(-1)!.payload.commands as { command: string }[]).map((c) => c.command);
    expect(commands).toContain("announce");
    expect(commands).not.toContain("reload");

    await world.kill();
    await world.start(60_000);

    await author.send("/results");
    const picker = author.screen((s) => s.buttons.some((b) => b.data.startsWith("qr:")));
    expect(picker?.buttons.map((b) => b.data)).toEqual(["qr:intro-programming"]);
    await author.send("/results digital-literacy");
    expect(author.texts().at(-1)).toBe("Вы не автор этого курса, поэтому это действие вам недоступно.");
    // The used link says so after the restart too.
    const late = world.learner(701, "en");
    await late.send(`/start inv-${token}`);
    expect(late.texts().at(-1)).toContain("already been used");
  }, 180_000);
});
