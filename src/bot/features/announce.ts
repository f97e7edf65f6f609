import { Composer, InlineKeyboard } from "grammy";
import { shorten } from "../../domain/text.js";
import { DAY } from "../../clock.js";
import { activeDraft, getBroadcast, queueBroadcast, startDraft, transition, versionFor } from "../../db/announceRepo.js";
import { getCourse, listCourses } from "../../db/coursesRepo.js";
import { enrolledCount } from "../../db/reportsRepo.js";
import type { Broadcast } from "../../db/schema/index.js";
import { courseState } from "../../domain/calendar.js";
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
import { askForVersion, languageName, n, showPreview } from "./announceScreens.js";
import { stepLocales, versionFromMessage, versionText, withCourseName } from "./announceVersions.js";
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

export { versionFor };

/** A draft untouched this long no longer captures the author's messages. */
const DRAFT_TTL = DAY;

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
  // Counted on the index (every active enrollment, blocked ones included, as the fan-out takes
  // them): the per-language audience of the preview joins 100,000 learners, 0.2 s of this thread.
  const total = enrolledCount(db, course.id);
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
