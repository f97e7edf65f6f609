import type { Config } from "../config.js";
import { isLocale, type Locale } from "../domain/locale.js";
import { statement, type Db } from "./client.js";
import type { CourseChat } from "./schema/index.js";

type RouteConfig = Pick<Config, "assistantChatId" | "defaultLocale">;

interface CourseChatRow {
  course_id: string;
  chat_id: number;
  linked_by: number;
  linked_at: number;
  removed_at: number | null;
}

const toCourseChat = (r: CourseChatRow): CourseChat => ({
  courseId: r.course_id,
  chatId: r.chat_id,
  linkedBy: r.linked_by,
  linkedAt: r.linked_at,
  removedAt: r.removed_at,
});

/** The course's own assistants' chat link, alive or marked removed; undefined: it uses ASSISTANT_CHAT_ID. */
export function courseChat(db: Db, courseId: string): CourseChat | undefined {
  const row = statement<[string], CourseChatRow>(db, "SELECT * FROM course_chats WHERE course_id = ?").get(courseId);
  return row && toCourseChat(row);
}

/** Links the course to the chat (replacing its previous chat, alive or removed); returns the previous link. */
export function linkCourseChat(db: Db, link: { courseId: string; chatId: number; by: number; now: number }): CourseChat | undefined {
  return db.transaction(() => {
    const previous = courseChat(db, link.courseId);
    statement<[string, number, number, number]>(
      db,
      `INSERT INTO course_chats (course_id, chat_id, linked_by, linked_at, removed_at) VALUES (?, ?, ?, ?, NULL)
       ON CONFLICT (course_id) DO UPDATE SET chat_id = excluded.chat_id, linked_by = excluded.linked_by,
         linked_at = excluded.linked_at, removed_at = NULL`,
    ).run(link.courseId, link.chatId, link.by, link.now);
    return previous;
  });
}

/** Unlinks the course from this chat (only this one: an old button of another chat changes nothing). */
export function unlinkCourseChat(db: Db, courseId: string, chatId: number): boolean {
  return statement<[string, number]>(db, "DELETE FROM course_chats WHERE course_id = ? AND chat_id = ?").run(courseId, chatId).changes > 0;
}

/** The courses linked to this chat whose link is alive, by id. */
export function coursesLinkedTo(db: Db, chatId: number): string[] {
  return statement<[number], { course_id: string }>(
    db,
    "SELECT course_id FROM course_chats WHERE chat_id = ? AND removed_at IS NULL ORDER BY course_id",
  )
    .all(chatId)
    .map((r) => r.course_id);
}

/**
 * The bot was removed from the chat: its alive links are marked (the courses' questions wait)
 * and their course ids returned; a second notice of the same removal returns none.
 */
export function markLinksRemoved(db: Db, chatId: number, now: number): string[] {
  return db.transaction(() => {
    const courses = coursesLinkedTo(db, chatId);
    statement<[number, number]>(db, "UPDATE course_chats SET removed_at = ? WHERE chat_id = ? AND removed_at IS NULL").run(now, chatId);
    return courses;
  });
}

/** Courses in the catalogue with no link of their own: ASSISTANT_CHAT_ID serves them. */
export function coursesWithoutChat(db: Db): string[] {
  return statement<[], { id: string }>(db, "SELECT id FROM courses WHERE id NOT IN (SELECT course_id FROM course_chats) ORDER BY id")
    .all()
    .map((r) => r.id);
}

// ---- the chat's own settings ----

interface AssistantChatRow {
  locale: string | null;
  removed_at: number | null;
}

function chatSettings(db: Db, chatId: number): AssistantChatRow | undefined {
  return statement<[number], AssistantChatRow>(db, "SELECT locale, removed_at FROM assistant_chats WHERE chat_id = ?").get(chatId);
}

/** The language the bot writes in this chat: its own (/chatlanguage), or DEFAULT_LOCALE. */
export function chatLocale(db: Db, config: Pick<Config, "defaultLocale">, chatId: number): Locale {
  const locale = chatSettings(db, chatId)?.locale;
  return isLocale(locale) ? locale : config.defaultLocale;
}

export function setChatLocale(db: Db, chatId: number, locale: Locale, now: number): void {
  statement<[number, Locale, number]>(
    db,
    `INSERT INTO assistant_chats (chat_id, locale, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (chat_id) DO UPDATE SET locale = excluded.locale, updated_at = excluded.updated_at`,
  ).run(chatId, locale, now);
}

/**
 * Marks ASSISTANT_CHAT_ID as removed (the bot was kicked) or back (added again); returns whether
 * that changed anything. Linked chats are marked on their links instead (markLinksRemoved).
 */
export function setDefaultChatRemoved(db: Db, chatId: number, removedAt: number | null, now: number): boolean {
  const before = chatSettings(db, chatId)?.removed_at ?? null;
  if ((before === null) === (removedAt === null)) return false;
  statement<[number, number | null, number]>(
    db,
    `INSERT INTO assistant_chats (chat_id, removed_at, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (chat_id) DO UPDATE SET removed_at = excluded.removed_at, updated_at = excluded.updated_at`,
  ).run(chatId, removedAt, now);
  return true;
}

function defaultChatAlive(db: Db, config: RouteConfig): number | null {
  const id = config.assistantChatId;
  return id !== null && (chatSettings(db, id)?.removed_at ?? null) === null ? id : null;
}

// ---- routing ----

/**
 * Where a course's questions go: its own linked chat, else ASSISTANT_CHAT_ID. "waiting" when the
 * bot was removed from that chat: the questions are kept and posted once a chat is linked again
 * (or the bot is back in ASSISTANT_CHAT_ID), never sent to a chat the bot is not in.
 */
export type AssistantRoute = { kind: "chat"; chatId: number; locale: Locale } | { kind: "waiting" } | { kind: "off" };

/** The one routing decision: which chat a question of this course goes to. */
export function assistantChatFor(db: Db, config: RouteConfig, courseId: string): AssistantRoute {
  const link = courseChat(db, courseId);
  if (link) {
    return link.removedAt === null
      ? { kind: "chat", chatId: link.chatId, locale: chatLocale(db, config, link.chatId) }
      : { kind: "waiting" };
  }
  if (config.assistantChatId === null) return { kind: "off" };
  const alive = defaultChatAlive(db, config);
  return alive === null ? { kind: "waiting" } : { kind: "chat", chatId: alive, locale: chatLocale(db, config, alive) };
}

/** Whether learners can ask at all: a default chat is configured or some course has its own. */
export function questionsEnabled(db: Db, config: RouteConfig): boolean {
  return config.assistantChatId !== null || statement<[]>(db, "SELECT 1 FROM course_chats LIMIT 1").get() !== undefined;
}

/** The courses whose questions this chat receives (its /questions, digest and CSV list only these). */
export function coursesServedBy(db: Db, config: RouteConfig, chatId: number): string[] {
  const linked = coursesLinkedTo(db, chatId);
  if (chatId !== defaultChatAlive(db, config)) return linked;
  return [...new Set([...linked, ...coursesWithoutChat(db)])].sort();
}

/** Every chat questions go to now: the alive linked chats and ASSISTANT_CHAT_ID (for the digest). */
export function servingChats(db: Db, config: RouteConfig): number[] {
  const linked = statement<[], { chat_id: number }>(
    db,
    "SELECT DISTINCT chat_id FROM course_chats WHERE removed_at IS NULL ORDER BY chat_id",
  )
    .all()
    .map((r) => r.chat_id);
  const fallback = defaultChatAlive(db, config);
  return fallback === null || linked.includes(fallback) ? linked : [fallback, ...linked];
}

/**
 * A group upgraded to a supergroup gets a new id (Telegram's migrate_to_chat_id): its links and
 * language follow it, or its courses would post to a chat that no longer takes messages.
 */
export function moveChat(db: Db, fromId: number, toId: number, now: number): number {
  return db.transaction(() => {
    const moved = statement<[number, number]>(db, "UPDATE course_chats SET chat_id = ? WHERE chat_id = ?").run(toId, fromId).changes;
    statement<[number, number, number]>(db, "UPDATE OR REPLACE assistant_chats SET chat_id = ?, updated_at = ? WHERE chat_id = ?").run(
      toId,
      now,
      fromId,
    );
    return moved;
  });
}
