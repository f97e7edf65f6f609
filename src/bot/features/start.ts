import { Composer, InlineKeyboard } from "grammy";
import { shorten } from "../../domain/text.js";
import { LOCALES } from "../../domain/locale.js";
import { getCourse } from "../../db/coursesRepo.js";
import { setLearnerLanguage } from "../../db/learnersRepo.js";
import { translator } from "../../messages/i18n.js";
import type { BotContext } from "../context.js";
import { languageButton } from "../../messages/callbackData.js";
import { answerCallback, buttonValues, HTML, show } from "../ui.js";
import { showCourseCard } from "./courses.js";
import { isAuthor } from "../auth.js";
import { VERIFY_PAYLOAD_PREFIX } from "../../domain/certificate.js";
import { replyVerification } from "./certificates.js";

export const LANGUAGE_NAMES = { kk: "🇰🇿 Қазақша", ru: "🇷🇺 Русский", en: "🇬🇧 English" } as const;

function languageKeyboard(): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const l of LOCALES) kb.text(LANGUAGE_NAMES[l], languageButton.encode(l));
  return kb;
}

/**
 * `/start <prefix><rest>` deep links, dispatched by prefix before the course-id fallback: the
 * certificate QR's `verify-<code>` (a course id starting with "verify-" would be shadowed).
 */
const PAYLOAD_PREFIXES: readonly (readonly [string, (ctx: BotContext, rest: string) => Promise<void>])[] = [
  [VERIFY_PAYLOAD_PREFIX, replyVerification],
];

export const startFeature = new Composer<BotContext>();
const pm = startFeature.chatType("private");

pm.command("start", async (ctx) => {
  const payload = ctx.match.trim();
  const isNew = ctx.learnerIsNew;
  if (payload) {
    // Deep links with a prefix first (verify-<code>, ...); anything else is a course id.
    for (const [prefix, handle] of PAYLOAD_PREFIXES) {
      if (payload.startsWith(prefix)) {
        await handle(ctx, payload.slice(prefix.length));
        return;
      }
    }
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
  const text = ctx.t("help.learner") + (isAuthor(ctx) ? `\n\n${ctx.t("help.author")}` : "");
  await ctx.reply(text, HTML);
});

pm.command("language", async (ctx) => {
  await ctx.reply(ctx.t("language.choose"), { ...HTML, reply_markup: languageKeyboard() });
});

pm.callbackQuery(languageButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, languageButton);
  if (!values) return;
  const [lang] = values;
  setLearnerLanguage(ctx.deps.db, ctx.from.id, lang, ctx.deps.clock.now());
  ctx.lang = lang;
  ctx.t = translator(lang);
  await answerCallback(ctx, ctx.t("language.changed"));
  await show(ctx, `${ctx.t("language.changed")}\n\n${ctx.t("language.next_steps")}`);
});
