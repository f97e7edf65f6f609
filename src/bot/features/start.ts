import { Composer, InlineKeyboard } from "grammy";
import { shorten } from "../../domain/text.js";
import { LOCALES } from "../../domain/locale.js";
import { getCourse } from "../../db/coursesRepo.js";
import { setLearnerLanguage } from "../../db/learnersRepo.js";
import { isLocale, translator } from "../../messages/i18n.js";
import type { BotContext } from "../context.js";
import { answerCallback, HTML, show } from "../ui.js";
import { showCourseCard } from "./courses.js";

export const LANGUAGE_NAMES = { kk: "🇰🇿 Қазақша", ru: "🇷🇺 Русский", en: "🇬🇧 English" } as const;

function languageKeyboard(): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const l of LOCALES) kb.text(LANGUAGE_NAMES[l], `lang:${l}`);
  return kb;
}

export const startFeature = new Composer<BotContext>();
const pm = startFeature.chatType("private");

pm.command("start", async (ctx) => {
  const payload = ctx.match.trim();
  const isNew = ctx.learnerIsNew;
  if (payload) {
    // Deep link t.me/<bot>?start=<course-id>: the link a university puts on its course page.
    const course = getCourse(ctx.deps.db, payload.toLowerCase());
    if (course) {
      if (isNew) await ctx.reply(ctx.t("start.welcome_short", { name: ctx.from.first_name }), HTML);
      await showCourseCard(ctx, course);
      return;
    }
    await ctx.reply(ctx.t("start.unknown_course", { id: shorten(payload, 64) }), HTML);
  }
  await ctx.reply(ctx.t(isNew ? "start.welcome" : "start.welcome_back", { name: ctx.from.first_name }), {
    ...HTML,
    reply_markup: isNew ? languageKeyboard() : undefined,
  });
});

pm.command("help", async (ctx) => {
  const isAuthor = ctx.deps.config.authorIds.has(ctx.from.id);
  const text = ctx.t("help.learner") + (isAuthor ? `\n\n${ctx.t("help.author")}` : "");
  await ctx.reply(text, HTML);
});

pm.command("language", async (ctx) => {
  await ctx.reply(ctx.t("language.choose"), { ...HTML, reply_markup: languageKeyboard() });
});

pm.callbackQuery(/^lang:(.+)$/, async (ctx) => {
  const lang = ctx.match[1];
  if (!isLocale(lang)) {
    await answerCallback(ctx, ctx.t("errors.stale_button"), true);
    return;
  }
  setLearnerLanguage(ctx.deps.db, ctx.from.id, lang, ctx.deps.clock.now());
  ctx.lang = lang;
  ctx.t = translator(lang);
  await answerCallback(ctx, ctx.t("language.changed"));
  await show(ctx, `${ctx.t("language.changed")}\n\n${ctx.t("language.next_steps")}`);
});
