import type { Api } from "grammy";
import { LOCALES, type Locale } from "../domain/locale.js";
import { translator } from "../messages/i18n.js";

/** The learner-facing command menu, in each language (Telegram picks by the user's app language). */
export const LEARNER_COMMANDS = ["courses", "mycourses", "quiz", "progress", "ask", "myquestions", "glossary", "language", "help"] as const;

export async function registerCommands(api: Api, defaultLocale: (typeof LOCALES)[number]): Promise<void> {
  const menu = (lang: (typeof LOCALES)[number]) => {
    const t = translator(lang);
    return LEARNER_COMMANDS.map((command) => ({ command, description: t(`commands.${command}`) }));
  };
  await api.setMyCommands(menu(defaultLocale));
  for (const lang of LOCALES) await api.setMyCommands(menu(lang), { language_code: lang });
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
