/**
 * The authors' and admins' "/" menus: a command menu scoped to each one's private chat, in the
 * language they chose as learners. The role is stored first; the menu follows in the background
 * (a Telegram failure never undoes or delays a grant), and the table staff_menus remembers what
 * was set so that start-up puts every menu right, including the menu of someone removed while
 * the process was down.
 */
import type { Api } from "grammy";
import { eq } from "drizzle-orm";
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";
import { getLearner } from "../db/learnersRepo.js";
import { staffMenus } from "../db/schema/index.js";
import { hasRoleAnywhere, isAdmin } from "../db/staffRepo.js";
import { statement } from "../db/client.js";
import { logger } from "../log.js";
import { isPermanentRefusal, staffMenu, type StaffMenuKind } from "./commands.js";

type MenuConfig = Pick<Config, "adminIds" | "defaultLocale">;

function wantedMenu(db: Db, config: MenuConfig, userId: number): { kind: StaffMenuKind; lang: Config["defaultLocale"] } | null {
  const kind: StaffMenuKind | null = isAdmin(config, userId) ? "admin" : hasRoleAnywhere(db, config, userId, "author") ? "author" : null;
  if (!kind) return null;
  return { kind, lang: getLearner(db, userId)?.language ?? config.defaultLocale };
}

/** Sets or removes one person's menu so it matches their roles now; does nothing when it already does. */
export async function syncStaffMenu(api: Api, db: Db, config: MenuConfig, userId: number, now: number): Promise<void> {
  const wanted = wantedMenu(db, config, userId);
  const label = wanted ? `${wanted.kind}:${wanted.lang}` : null;
  const current = db.select().from(staffMenus).where(eq(staffMenus.chatId, userId)).get()?.menu ?? null;
  if (label === current) return;
  const scope = { type: "chat" as const, chat_id: userId };
  if (wanted && label) {
    await api.setMyCommands(staffMenu(wanted.kind, wanted.lang), { scope });
    db.insert(staffMenus)
      .values({ chatId: userId, menu: label, setAt: now })
      .onConflictDoUpdate({ target: staffMenus.chatId, set: { menu: label, setAt: now } })
      .run();
  } else {
    await api.deleteMyCommands({ scope });
    db.delete(staffMenus).where(eq(staffMenus.chatId, userId)).run();
  }
}

/** Everyone who should have a staff menu or has one: admins, authors, and the menus set before. */
function staffMenuPeople(db: Db, config: MenuConfig): number[] {
  const rows = statement<[], { id: number }>(
    db,
    "SELECT user_id AS id FROM course_staff WHERE role = 'author' UNION SELECT chat_id AS id FROM staff_menus",
  ).all();
  return [...new Set([...config.adminIds, ...rows.map((r) => r.id)])].sort((a, b) => a - b);
}

/**
 * At start (in the background, retried by the caller): every staff menu put right. A person
 * Telegram refuses (never opened the bot, blocked it) is skipped, not retried for ever.
 */
export async function syncAllStaffMenus(api: Api, db: Db, config: MenuConfig, now: () => number): Promise<void> {
  for (const userId of staffMenuPeople(db, config)) {
    try {
      await syncStaffMenu(api, db, config, userId, now());
    } catch (err) {
      if (!isPermanentRefusal(err)) throw err;
      logger.warn({ user: userId, err }, "staff command menu refused; skipped until the next start");
    }
  }
}

const pending = new Set<Promise<void>>();
const RETRY_DELAYS_MS = [1000, 4000, 15_000, 60_000];

/**
 * After a grant, a removal or a change of language: the menu is brought up to date in the
 * background, with a few retries; the reply to the person who acted never waits for it.
 */
export function syncStaffMenuSoon(api: Api, db: Db, config: MenuConfig, userId: number, now: () => number): void {
  const run = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        await syncStaffMenu(api, db, config, userId, now());
        return;
      } catch (err) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (isPermanentRefusal(err) || delay === undefined) {
          logger.warn({ user: userId, err }, "staff command menu not updated; the next start tries again");
          return;
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };
  const p = run().finally(() => pending.delete(p));
  pending.add(p);
}

/** Resolves when every background menu update has finished (for tests and a clean shutdown). */
export async function staffMenusSettled(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}
