import { GrammyError, type Api } from "grammy";
import type { BotCommand } from "grammy/types";
import { LOCALES, type Locale } from "../domain/locale.js";
import { translator } from "../messages/i18n.js";

/** The learner-facing command menu, in each language (Telegram picks by the user's app language). */
export const LEARNER_COMMANDS = ["courses", "mycourses", "quiz", "progress", "ask", "myquestions", "glossary", "language", "help"] as const;

/** Added to an author's own "/" menu (chat scope of their private chat), after the learner commands. */
export const AUTHOR_COMMANDS = ["announce", "results", "export", "quizstats", "report", "invite", "invites"] as const;
/** Added for platform admins, after the authors' commands. */
export const ADMIN_COMMANDS = ["staff", "grant", "revoke", "reload"] as const;
/** The assistants' group chat (scope chat): what assistants do there. */
export const ASSISTANT_CHAT_COMMANDS = ["questions", "questions_csv"] as const;

export type StaffMenuKind = "author" | "admin";

export async function registerCommands(api: Api, defaultLocale: (typeof LOCALES)[number]): Promise<void> {
  const menu = (lang: (typeof LOCALES)[number]) => {
    const t = translator(lang);
    return LEARNER_COMMANDS.map((command) => ({ command, description: t(`commands.${command}`) }));
  };
  await api.setMyCommands(menu(defaultLocale));
  for (const lang of LOCALES) await api.setMyCommands(menu(lang), { language_code: lang });
}

/** The menu of an author's (or admin's) private chat, in their language. */
export function staffMenu(kind: StaffMenuKind, lang: Locale): BotCommand[] {
  const t = translator(lang);
  const names: readonly string[] = [...LEARNER_COMMANDS, ...AUTHOR_COMMANDS, ...(kind === "admin" ? ADMIN_COMMANDS : [])];
  return names.map((command) => ({ command, description: t(`commands.${command}`) }));
}

/**
 * The "/" menu inside a course's assistants' group, in the chat's language. Called when a chat is
 * linked to a course (and at start for the default ASSISTANT_CHAT_ID).
 */
export async function setAssistantChatMenu(api: Api, chatId: number, locale: Locale): Promise<void> {
  const t = translator(locale);
  const commands = ASSISTANT_CHAT_COMMANDS.map((command) => ({ command, description: t(`assist.commands.${command}`) }));
  await api.setMyCommands(commands, { scope: { type: "chat", chat_id: chatId } });
}

/** Telegram refused for good (unknown chat, bad request), as opposed to a failure worth retrying. */
export function isPermanentRefusal(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code >= 400 && err.error_code < 500 && err.error_code !== 429;
}
