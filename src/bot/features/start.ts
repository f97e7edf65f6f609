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
import { isAdmin, isAuthor } from "../auth.js";
import { syncStaffMenuSoon } from "../staffMenus.js";
import { INVITATION_PAYLOAD_PREFIX, showInvitation } from "./invitations.js";
import { VERIFY_PAYLOAD_PREFIX } from "../../domain/certificate.js";
import { replyVerification } from "./certificates.js";

export const LANGUAGE_NAMES = { kk: "🇰🇿 Қазақша", ru: "🇷🇺 Русский", en: "🇬🇧 English" } as const;

function languageKeyboard(): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const l of LOCALES) kb.text(LANGUAGE_NAMES[l], languageButton.encode(l));
  return kb;
}

export const startFeature = new Composer<BotContext>();
const pm = startFeature.chatType("private");

/**
 * Deep-link payloads (t.me/<bot>?start=<payload>) other than course ids, by prefix: each handles
 * the rest of the payload. A course whose id happens to start with a prefix still opens (course
 * ids are looked up first); add a feature's prefix here rather than parsing payloads elsewhere.
 */
const PAYLOAD_HANDLERS: { prefix: string; handle: (ctx: BotContext, rest: string) => Promise<void> }[] = [
  { prefix: INVITATION_PAYLOAD_PREFIX, handle: showInvitation },
  // The certificate QR's link: anyone may check a code.
  { prefix: VERIFY_PAYLOAD_PREFIX, handle: replyVerification },
];

pm.command("start", async (ctx) => {
  const payload = ctx.match.trim();
  const isNew = ctx.learnerIsNew;
  const special = PAYLOAD_HANDLERS.find((h) => payload.startsWith(h.prefix));
  if (special && !getCourse(ctx.deps.db, payload.toLowerCase())) {
    await special.handle(ctx, payload.slice(special.prefix.length));
    return;
  }
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
  const text =
    ctx.t("help.learner") +
    (isAuthor(ctx)
      ? `

${ctx.t("help.author")}

${ctx.t("help.upload")}`
      : "") +
    (isAdmin(ctx)
      ? `

${ctx.t("help.admin")}`
      : "");
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
  // An author's "/" menu is in their chosen language too.
  if (isAuthor(ctx)) syncStaffMenuSoon(ctx.api, ctx.deps.db, ctx.deps.config, ctx.from.id, () => ctx.deps.clock.now());
  await answerCallback(ctx, ctx.t("language.changed"));
  await show(ctx, `${ctx.t("language.changed")}\n\n${ctx.t("language.next_steps")}`);
});
