import { GrammyError, type Api } from "grammy";
import type { BotCommand } from "grammy/types";
import { LOCALES, type Locale } from "../domain/locale.js";
import { translator } from "../messages/i18n.js";

/** The learner-facing command menu, in each language (Telegram picks by the user's app language). */
export const LEARNER_COMMANDS = [
  "courses",
  "mycourses",
  "quiz",
  "progress",
  "certificates",
  "ask",
  "myquestions",
  "glossary",
  "language",
  "help",
] as const;

/** Added to an author's own "/" menu (chat scope of their private chat), after the learner commands. */
export const AUTHOR_COMMANDS = ["announce", "results", "export", "quizstats", "report", "invite", "invites"] as const;
/** Added for platform admins, after the authors' commands. */
export const ADMIN_COMMANDS = ["staff", "grant", "revoke", "reload"] as const;

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

/** Telegram refused for good (unknown chat, bad request), as opposed to a failure worth retrying. */
export function isPermanentRefusal(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code >= 400 && err.error_code < 500 && err.error_code !== 429;
}

/** What an assistants' group offers: its questions, and linking courses and choosing its language (courseChats.ts). */
export const ASSISTANT_CHAT_COMMANDS = ["questions", "questions_csv", "link", "unlink", "chatlanguage"] as const;

/**
 * The command menu inside an assistants' chat, in the chat's language. In a group, choosing a
 * command from this menu sends /questions@bot, which reaches the bot even in privacy mode. A
 * private assistants' chat (ASSISTANT_CHAT_ID may be one person) keeps the learner commands too,
 * since that person is also a user, and has nothing to link.
 */
export async function setAssistantChatMenu(api: Api, chatId: number, locale: Locale): Promise<void> {
  const t = translator(locale);
  const own = ASSISTANT_CHAT_COMMANDS.filter((c) => chatId < 0 || c === "questions" || c === "questions_csv" || c === "chatlanguage").map(
    (command) => ({ command, description: t(`assist.commands.${command}`) }),
  );
  const learner = chatId > 0 ? LEARNER_COMMANDS.map((command) => ({ command, description: t(`commands.${command}`) })) : [];
  await api.setMyCommands([...own, ...learner], { scope: { type: "chat", chat_id: chatId } });
}
