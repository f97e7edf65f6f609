import { Composer, InlineKeyboard } from "grammy";
import { shorten } from "../../domain/text.js";
import type { Message } from "grammy/types";
import { DAY } from "../../clock.js";
import type { Locale } from "../../domain/locale.js";
import {
  activeDraft,
  audienceByLanguage,
  getBroadcast,
  queueBroadcast,
  startDraft,
  transition,
  versionFor,
} from "../../db/announceRepo.js";
import { getCourse, listCourses } from "../../db/coursesRepo.js";
import type { Broadcast, BroadcastVersion, Course } from "../../db/schema/index.js";
import { courseState } from "../../domain/calendar.js";
import { RULES } from "../../domain/rules.js";
import { formatNumber } from "../../messages/format.js";
import { isLocale } from "../../messages/i18n.js";
import { enqueueFanOutNow } from "../../db/outboxRepo.js";
import { announcementFanOuts } from "../../messages/weeklyViews.js";
import { allowedIn, coursesWithRole, hasRoleIn, isAuthor, requireAuthor } from "../auth.js";
import type { BotContext } from "../context.js";
import { courseTitle } from "../../messages/courseViews.js";
import type { OnEnrolled } from "../hooks.js";
import {
  announceCancelButton,
  announceCourseButton,
  announcePreviewButton,
  announceRestartButton,
  announceSendButton,
  announceSkipButton,
} from "../../messages/callbackData.js";
import { answerCallback, buttonValues, HTML, show } from "../ui.js";
import { seemsOtherLanguage } from "../../domain/script.js";
import { pauseOpenDialog } from "./dialogs.js";

/**
 * /announce: an author pushes their own announcement to a course. A small state machine kept in
 * the `broadcasts` table (so a restart resumes it): choose the course, send one message per
 * language of the course (or skip languages), preview exactly what learners get, confirm or
 * cancel; then one progress message is edited as sending goes on (jobs/broadcastProgress.ts).
 *
 * Callback data: an:c:<draft>:<course>  an:k:<draft>:<step> (skip)  an:p:<draft> (preview)
 *                an:y:<draft> (send)     an:r:<draft> (start again) an:x:<draft> (cancel)
 */
export const announceFeature = new Composer<BotContext>();
const pm = announceFeature.chatType("private");

/** A learner who enrolls while a module runs gets that module's announcement at once (createBot wires it). */
export const announceRunningModule: OnEnrolled = async (ctx, course) => {
  const { db, clock } = ctx.deps;
  if (!ctx.from) return;
  const learnerId = ctx.from.id;
  let queued = 0;
  for (const f of announcementFanOuts(db, clock.now(), course.id))
    queued += enqueueFanOutNow(db, { ...f, onlyLearner: learnerId }, clock.now());
  if (queued > 0) ctx.deps.kickOutbox?.();
};

function courseLocales(course: Course): Locale[] {
  return course.languages.filter(isLocale);
}

/** The order the versions are asked in: the author's own language first (if the course has it). */
function stepLocales(course: Course, authorLang: Locale): Locale[] {
  const langs = courseLocales(course);
  return langs.includes(authorLang) ? [authorLang, ...langs.filter((l) => l !== authorLang)] : langs;
}

/** A language named in the author's language ("Kazakh", «Казахский», «Қазақ тілі»). */
function languageName(ctx: BotContext, lang: Locale): string {
  return ctx.t(`announce_lang.name_${lang}`);
}

/** A version's text or caption; `ownOnly`: without the course name put above it, for the language check. */
function versionText(v: BroadcastVersion, ownOnly = false): string {
  const p = v.payload as { text?: unknown; caption?: unknown };
  const text = typeof p.text === "string" ? p.text : typeof p.caption === "string" ? p.caption : "";
  if (!ownOnly || !text.startsWith("📣 ")) return text;
  const cut = text.indexOf("\n\n");
  return cut < 0 ? "" : text.slice(cut + 2);
}

/**
 * The course's name above the author's text (or caption), in the version's language, so learners
 * know which course writes to them; the author's formatting is moved along with the text.
 */
function withCourseName(v: BroadcastVersion, title: string): BroadcastVersion | { limit: number } {
  const head = `📣 ${title}\n\n`;
  const bold = { type: "bold" as const, offset: "📣 ".length, length: title.length };
  const shift = (entities: unknown) => [
    bold,
    ...((entities as { offset: number }[] | undefined) ?? []).map((e) => ({ ...e, offset: e.offset + head.length })),
  ];
  const p = v.payload as Record<string, unknown> & { text?: string; caption?: string };
  if (v.method === "sendMessage") {
    const text = head + (p.text ?? "");
    if (text.length > RULES.telegramMaxMessageLength) return { limit: RULES.telegramMaxMessageLength - head.length };
    return { method: v.method, payload: { ...p, text, entities: shift(p.entities) } };
  }
  const caption = p.caption ? head + p.caption : head.trimEnd();
  if (caption.length > RULES.telegramMaxCaptionLength) return { limit: RULES.telegramMaxCaptionLength - head.length };
  return { method: v.method, payload: { ...p, caption, caption_entities: shift(p.caption_entities) } };
}

export { versionFor };

/** A draft untouched this long no longer captures the author's messages. */
const DRAFT_TTL = DAY;

const n = (ctx: BotContext, x: number) => formatNumber(x, ctx.lang, 0);

/** Who will receive it, counted in SQL (a course may have 100,000 learners). */
function audience(db: BotContext["deps"]["db"], courseId: string) {
  const rows = audienceByLanguage(db, courseId);
  const byLang = new Map(rows.map((r) => [r.language, r.n]));
  const total = rows.reduce((s, r) => s + r.n, 0);
  const blocked = rows.reduce((s, r) => s + r.blocked, 0);
  return { rows, byLang, total, blocked };
}

// ---- entry and cancel ----

pm.command("announce", requireAuthor, async (ctx) => {
  const { db, clock } = ctx.deps;
  const mine = new Set(coursesWithRole(ctx));
  const courses = listCourses(db).filter((c) => mine.has(c.id) && courseState(c, clock.now()) !== "finished");
  if (courses.length === 0) {
    await ctx.reply(ctx.t("announce.no_courses"), HTML);
    return;
  }
  const draft = startDraft(db, ctx.from.id, ctx.lang, clock.now());
  const kb = new InlineKeyboard();
  for (const c of courses) {
    const title = courseTitle(c, ctx.lang);
    kb.text(shorten(title, 60), announceCourseButton.encode(draft.id, c.id)).row();
  }
  kb.text(ctx.t("buttons.cancel"), announceCancelButton.encode(draft.id));
  await ctx.reply(ctx.t("announce.choose_course"), { ...HTML, reply_markup: kb });
});

pm.command("cancel", async (ctx, next) => {
  const draft = activeDraft(ctx.deps.db, ctx.from.id);
  if (!draft) return next();
  transition(ctx.deps.db, draft.id, ["choosing_course", "collecting", "confirming"], { status: "cancelled" }, ctx.deps.clock.now());
  await ctx.reply(ctx.t("announce.cancelled"), HTML);
});

// ---- buttons ----

const buttons = pm.callbackQuery(/^an:/);
buttons.use(requireAuthor);
// Every step is checked against the course it acts on: the course on the button (an:c), else the
// draft's course; a role removed mid-draft stops the draft at the next tap.
buttons.use(async (ctx, next) => {
  const chosen = announceCourseButton.decode(ctx.callbackQuery.data);
  const draftId = Number(ctx.callbackQuery.data.split(":")[2]);
  const courseId = chosen ? chosen[1] : Number.isSafeInteger(draftId) ? getBroadcast(ctx.deps.db, draftId)?.courseId : null;
  if (courseId && !(await allowedIn(ctx, courseId))) return;
  await next();
});

/** The author's broadcast named in a button, if it is theirs and in one of `statuses`; else an alert. */
async function draftFromButton(ctx: BotContext, id: number | undefined, statuses: Broadcast["status"][]): Promise<Broadcast | null> {
  const b = id === undefined ? undefined : getBroadcast(ctx.deps.db, id);
  if (!b || b.authorId !== ctx.from!.id || !statuses.includes(b.status)) {
    await answerCallback(ctx, ctx.t("announce.stale"), true);
    return null;
  }
  return b;
}

buttons.callbackQuery(announceCourseButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, announceCourseButton);
  if (!values) return;
  const b = await draftFromButton(ctx, values[0], ["choosing_course"]);
  if (!b) return;
  const course = getCourse(ctx.deps.db, values[1]);
  if (!course) {
    await answerCallback(ctx, ctx.t("errors.course_gone"), true);
    return;
  }
  const moved = transition(
    ctx.deps.db,
    b.id,
    "choosing_course",
    { status: "collecting", courseId: course.id, step: 0, versions: {} },
    ctx.deps.clock.now(),
  );
  await answerCallback(ctx);
  if (!moved) return;
  await pauseOpenDialog(ctx);
  await askForVersion(ctx, moved, course);
});

buttons.callbackQuery(announceSkipButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, announceSkipButton);
  if (!values) return;
  const b = await draftFromButton(ctx, values[0], ["collecting"]);
  if (!b) return;
  const course = b.courseId ? getCourse(ctx.deps.db, b.courseId) : undefined;
  if (!course || values[1] !== b.step) {
    await answerCallback(ctx, ctx.t("announce.stale"), true);
    return;
  }
  const langs = stepLocales(course, b.authorLang);
  const hasAny = Object.keys(b.versions).length > 0;
  if (b.step + 1 >= langs.length && !hasAny) {
    await answerCallback(ctx, ctx.t("announce.need_one_version"), true);
    return;
  }
  const moved = transition(ctx.deps.db, b.id, "collecting", { step: b.step + 1 }, ctx.deps.clock.now());
  await answerCallback(ctx);
  if (!moved) return;
  if (moved.step >= langs.length) await showPreview(ctx, moved, course);
  else await askForVersion(ctx, moved, course);
});

buttons.callbackQuery(announcePreviewButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, announcePreviewButton);
  if (!values) return;
  const b = await draftFromButton(ctx, values[0], ["collecting"]);
  if (!b) return;
  const course = b.courseId ? getCourse(ctx.deps.db, b.courseId) : undefined;
  if (!course || Object.keys(b.versions).length === 0) {
    await answerCallback(ctx, ctx.t("announce.need_one_version"), true);
    return;
  }
  await answerCallback(ctx);
  await showPreview(ctx, b, course);
});

buttons.callbackQuery(announceRestartButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, announceRestartButton);
  if (!values) return;
  const b = await draftFromButton(ctx, values[0], ["collecting", "confirming"]);
  if (!b) return;
  const course = b.courseId ? getCourse(ctx.deps.db, b.courseId) : undefined;
  if (!course) {
    await answerCallback(ctx, ctx.t("errors.course_gone"), true);
    return;
  }
  const moved = transition(
    ctx.deps.db,
    b.id,
    ["collecting", "confirming"],
    { status: "collecting", step: 0, versions: {} },
    ctx.deps.clock.now(),
  );
  await answerCallback(ctx);
  if (moved) await askForVersion(ctx, moved, course, true);
});

buttons.callbackQuery(announceCancelButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, announceCancelButton);
  if (!values) return;
  const b = await draftFromButton(ctx, values[0], ["choosing_course", "collecting", "confirming"]);
  if (!b) return;
  transition(ctx.deps.db, b.id, ["choosing_course", "collecting", "confirming"], { status: "cancelled" }, ctx.deps.clock.now());
  await answerCallback(ctx, ctx.t("announce.cancelled_toast"));
  await show(ctx, ctx.t("announce.cancelled"));
});

buttons.callbackQuery(announceSendButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, announceSendButton);
  if (!values) return;
  const b = await draftFromButton(ctx, values[0], ["confirming"]);
  if (!b) return;
  const { db, clock } = ctx.deps;
  const course = b.courseId ? getCourse(db, b.courseId) : undefined;
  if (!course) {
    await answerCallback(ctx, ctx.t("errors.course_gone"), true);
    return;
  }
  const now = clock.now();
  const messageId = ctx.callbackQuery.message?.message_id ?? null;
  // The status change decides (a double tap finds it moved on); the learners' rows are queued
  // right after, in chunks (db/announceRepo.ts queueBroadcast), and a restart finishes them.
  const total = audience(db, course.id).total;
  const moved = transition(
    db,
    b.id,
    "confirming",
    {
      status: "sending",
      confirmedAt: now,
      total,
      progressChatId: ctx.chat.id,
      progressMessageId: messageId,
    },
    now,
  );
  if (!moved) {
    await answerCallback(ctx, ctx.t("announce.stale"), true);
    return;
  }
  await answerCallback(ctx, ctx.t("announce.started_toast"));
  await show(
    ctx,
    ctx.t("announce.report.progress_header", { title: courseTitle(course, ctx.lang), done: n(ctx, 0), total: n(ctx, total) }),
  );
  await queueBroadcast(db, moved, course, now);
  ctx.deps.kickOutbox?.();
});

// ---- the author's messages while collecting ----

pm.on("message", async (ctx, next) => {
  // Every private message passes here: learners (not authors) never reach the database.
  if (!isAuthor(ctx)) return next();
  const draft = activeDraft(ctx.deps.db, ctx.from.id);
  if (!draft) return next();
  // A command (not just any text starting with "/", e.g. a path) goes to its own handler.
  if (ctx.msg.entities?.some((e) => e.type === "bot_command" && e.offset === 0)) return next();
  if (draft.updatedAt < ctx.deps.clock.now() - DRAFT_TTL) {
    // Abandoned long ago: the author is not answering it any more.
    transition(ctx.deps.db, draft.id, draft.status, { status: "cancelled" }, ctx.deps.clock.now());
    return next();
  }
  if (draft.status !== "collecting") {
    await ctx.reply(ctx.t(draft.status === "choosing_course" ? "announce.press_course" : "announce.press_confirm"), HTML);
    return;
  }
  if (draft.courseId && !hasRoleIn(ctx, draft.courseId)) return next();
  const course = draft.courseId ? getCourse(ctx.deps.db, draft.courseId) : undefined;
  const langs = course ? stepLocales(course, draft.authorLang) : [];
  const lang = langs[draft.step];
  if (!course || !lang) return next();

  const taken = versionFromMessage(ctx.msg);
  if ("error" in taken) {
    await ctx.reply(ctx.t(`announce.${taken.error}`, { count: n(ctx, taken.count ?? 0), max: n(ctx, taken.max ?? 0) }), HTML);
    return;
  }
  const version = withCourseName(taken, courseTitle(course, lang));
  if ("limit" in version) {
    const length = versionText(taken).length;
    const error = taken.method === "sendMessage" ? "too_long_text" : "too_long_caption";
    await ctx.reply(ctx.t(`announce.${error}`, { count: n(ctx, length), max: n(ctx, version.limit) }), HTML);
    return;
  }
  const moved = transition(
    ctx.deps.db,
    draft.id,
    "collecting",
    { versions: { ...draft.versions, [lang]: version }, step: draft.step + 1 },
    ctx.deps.clock.now(),
  );
  if (!moved) return;
  const saved = [ctx.t("announce.version_saved", { language: languageName(ctx, lang) })];
  const other = seemsOtherLanguage(versionText(taken), lang);
  if (other) saved.push(ctx.t("announce_lang.mismatch_saved", { detected: languageName(ctx, other), language: languageName(ctx, lang) }));
  await ctx.reply(saved.join("\n\n"), HTML);
  if (moved.step >= langs.length) await showPreview(ctx, moved, course);
  else await askForVersion(ctx, moved, course);
});

type VersionResult =
  BroadcastVersion | { error: "too_long_text" | "too_long_caption" | "unsupported" | "album"; count?: number; max?: number };

/** What learners will get, taken from the author's message: text, or photo/document by file_id. */
export function versionFromMessage(msg: Message): VersionResult {
  // Each picture of an album arrives as its own message: taking them one by one would spread
  // them over the language steps, so albums are refused as a whole.
  if (msg.media_group_id !== undefined) return { error: "album" };
  if (msg.text !== undefined) {
    if (msg.text.length > RULES.telegramMaxMessageLength) {
      return { error: "too_long_text", count: msg.text.length, max: RULES.telegramMaxMessageLength };
    }
    return {
      method: "sendMessage",
      payload: {
        text: msg.text,
        ...(msg.entities ? { entities: msg.entities } : {}),
        // The author's choice about the link preview (shown, hidden, above the text) is kept.
        ...(msg.link_preview_options ? { link_preview_options: msg.link_preview_options } : {}),
      },
    };
  }
  const caption = msg.caption ?? "";
  if (caption.length > RULES.telegramMaxCaptionLength) {
    return { error: "too_long_caption", count: caption.length, max: RULES.telegramMaxCaptionLength };
  }
  const captionPart = caption ? { caption, ...(msg.caption_entities ? { caption_entities: msg.caption_entities } : {}) } : {};
  if (msg.photo && msg.photo.length > 0) {
    const largest = msg.photo[msg.photo.length - 1]!;
    return { method: "sendPhoto", payload: { photo: largest.file_id, ...captionPart } };
  }
  if (msg.document) return { method: "sendDocument", payload: { document: msg.document.file_id, ...captionPart } };
  return { error: "unsupported" };
}

// ---- screens ----

async function askForVersion(ctx: BotContext, b: Broadcast, course: Course, fresh = false): Promise<void> {
  const langs = stepLocales(course, b.authorLang);
  const lang = langs[b.step]!;
  const { byLang, total } = audience(ctx.deps.db, course.id);
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

async function showPreview(ctx: BotContext, draft: Broadcast, course: Course): Promise<void> {
  const { db, clock } = ctx.deps;
  const b = transition(db, draft.id, ["collecting", "confirming"], { status: "confirming" }, clock.now());
  if (!b) return;
  const { rows, byLang, total, blocked } = audience(db, course.id);
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
