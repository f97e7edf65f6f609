/**
 * What /announce shows the author: the step asking for one language's version, and the preview of
 * exactly what each language group gets with the summary to confirm.
 */
import { InlineKeyboard } from "grammy";
import type { Locale } from "../../domain/locale.js";
import { RULES } from "../../domain/rules.js";
import { seemsOtherLanguage } from "../../domain/script.js";
import { audienceByLanguage, transition, versionFor } from "../../db/announceRepo.js";
import type { Broadcast, Course } from "../../db/schema/index.js";
import {
  announceCancelButton,
  announcePreviewButton,
  announceRestartButton,
  announceSendButton,
  announceSkipButton,
} from "../../messages/callbackData.js";
import { courseTitle } from "../../messages/courseViews.js";
import { formatNumber } from "../../messages/format.js";
import { isLocale } from "../../messages/i18n.js";
import type { BotContext } from "../context.js";
import { HTML, show } from "../ui.js";
import { courseLocales, stepLocales, versionText } from "./announceVersions.js";

/** A language named in the author's language ("Kazakh", «Казахский», «Қазақ тілі»). */
export function languageName(ctx: BotContext, lang: Locale): string {
  return ctx.t(`announce_lang.name_${lang}`);
}

export const n = (ctx: BotContext, x: number) => formatNumber(x, ctx.lang, 0);

/** Who will receive it, counted in SQL (a course may have 100,000 learners). */
export async function audience(db: BotContext["deps"]["db"], courseId: string) {
  const rows = await audienceByLanguage(db, courseId);
  const byLang = new Map(rows.map((r) => [r.language, r.n]));
  const total = rows.reduce((s, r) => s + r.n, 0);
  const blocked = rows.reduce((s, r) => s + r.blocked, 0);
  return { rows, byLang, total, blocked };
}

export async function askForVersion(ctx: BotContext, b: Broadcast, course: Course, fresh = false): Promise<void> {
  const langs = stepLocales(course, b.authorLang);
  const lang = langs[b.step]!;
  const { byLang, total } = await audience(ctx.deps.db, course.id);
  const lines = [
    ctx.t("announce.course_chosen", { title: courseTitle(course, ctx.lang), count: n(ctx, total) }),
    "",
    ctx.t("announce.ask_version", {
      step: b.step + 1,
      steps: langs.length,
      language: languageName(ctx, lang),
      count: n(ctx, byLang.get(lang) ?? 0),
      max: n(ctx, RULES.telegramMaxMessageLength),
      maxCaption: n(ctx, RULES.telegramMaxCaptionLength),
    }),
  ];
  const hasAny = Object.keys(b.versions).length > 0;
  if (b.step > 0 || hasAny) lines.push("", ctx.t(hasAny ? "announce.skip_hint" : "announce.skip_hint_none"));
  const kb = new InlineKeyboard();
  if (hasAny || b.step + 1 < langs.length)
    kb.text(ctx.t("announce.buttons.skip", { language: languageName(ctx, lang) }), announceSkipButton.encode(b.id, b.step)).row();
  if (hasAny) kb.text(ctx.t("announce.buttons.preview"), announcePreviewButton.encode(b.id)).row();
  kb.text(ctx.t("buttons.cancel"), announceCancelButton.encode(b.id));
  const text = lines.join("\n");
  // After the author's own message, ask in a new message; after a button, edit the screen.
  if (ctx.callbackQuery && !fresh) await show(ctx, text, kb);
  else await ctx.reply(text, { ...HTML, reply_markup: kb });
}

export async function showPreview(ctx: BotContext, draft: Broadcast, course: Course): Promise<void> {
  const { db, clock } = ctx.deps;
  const b = transition(db, draft.id, ["collecting", "confirming"], { status: "confirming" }, clock.now());
  if (!b) return;
  const { rows, byLang, total, blocked } = await audience(db, course.id);
  // Who gets which version.
  const gets = new Map<Locale, number>();
  for (const r of rows) {
    const chosen = versionFor(b, course, r.language);
    if (chosen) gets.set(chosen.lang, (gets.get(chosen.lang) ?? 0) + r.n);
  }
  const langs = [...stepLocales(course, b.authorLang), ...Object.keys(b.versions).filter(isLocale)].filter((l, i, a) => a.indexOf(l) === i);
  for (const lang of langs) {
    const version = b.versions[lang];
    if (!version) continue;
    await ctx.reply(ctx.t("announce.preview_header", { language: languageName(ctx, lang), count: n(ctx, gets.get(lang) ?? 0) }), HTML);
    const method = ctx.api.raw[version.method] as unknown as (p: Record<string, unknown>) => Promise<unknown>;
    await method({ chat_id: ctx.chat!.id, ...version.payload });
  }
  const summary = [ctx.t("announce.summary", { title: courseTitle(course, ctx.lang), count: n(ctx, total) })];
  for (const lang of courseLocales(course)) {
    const own = b.versions[lang] !== undefined;
    const fallback = versionFor({ versions: b.versions }, course, lang);
    summary.push(
      own
        ? ctx.t("announce.summary_own", { language: languageName(ctx, lang), count: n(ctx, byLang.get(lang) ?? 0) })
        : ctx.t("announce.summary_fallback", {
            language: languageName(ctx, lang),
            count: n(ctx, byLang.get(lang) ?? 0),
            other: fallback ? languageName(ctx, fallback.lang) : "—",
          }),
    );
  }
  const others = rows.filter((r) => !courseLocales(course).includes(r.language as Locale)).reduce((s, r) => s + r.n, 0);
  if (others > 0) summary.push(ctx.t("announce.summary_others", { count: n(ctx, others) }));
  for (const lang of langs) {
    const version = b.versions[lang];
    const other = version ? seemsOtherLanguage(versionText(version, true), lang) : null;
    if (other)
      summary.push(ctx.t("announce_lang.mismatch_summary", { language: languageName(ctx, lang), detected: languageName(ctx, other) }));
  }
  if (blocked > 0) summary.push(ctx.t("announce.summary_blocked", { count: n(ctx, blocked) }));
  if (total === 0) summary.push("", ctx.t("announce.summary_nobody"));
  const kb = new InlineKeyboard();
  if (total > 0) kb.text(ctx.t("announce.buttons.send", { count: n(ctx, total) }), announceSendButton.encode(b.id)).row();
  kb.text(ctx.t("announce.buttons.restart"), announceRestartButton.encode(b.id)).text(
    ctx.t("buttons.cancel"),
    announceCancelButton.encode(b.id),
  );
  await ctx.reply(summary.join("\n"), { ...HTML, reply_markup: kb });
}
