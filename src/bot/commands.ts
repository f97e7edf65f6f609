import type { Api } from "grammy";
import { LOCALES } from "../domain/locale.js";
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

export async function registerCommands(api: Api, defaultLocale: (typeof LOCALES)[number]): Promise<void> {
  const menu = (lang: (typeof LOCALES)[number]) => {
    const t = translator(lang);
    return LEARNER_COMMANDS.map((command) => ({ command, description: t(`commands.${command}`) }));
  };
  await api.setMyCommands(menu(defaultLocale));
  for (const lang of LOCALES) await api.setMyCommands(menu(lang), { language_code: lang });
}
