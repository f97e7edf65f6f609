import { Composer, InlineKeyboard } from "grammy";
import { shorten } from "../../domain/text.js";
import { courseState, currentModuleIndex, enrollmentRefusal, isEnrollmentOpen } from "../../domain/calendar.js";
import type { Db } from "../../db/client.js";
import { liveQuiz } from "../../db/quizRepo.js";
import { enroll, getCourse, getModules, isEnrolled, isWatching, listCourses, unenroll, watchCourse } from "../../db/coursesRepo.js";
import type { Course, Module } from "../../db/schema/index.js";
import { formatDate } from "../../messages/format.js";
import { escapeHtml } from "../../messages/i18n.js";
import type { OnEnrolled } from "../hooks.js";
import type { BotContext } from "../context.js";
import { cardKeyboard, courseCard, courseStatus, courseTitle, STATE_ICON } from "../../messages/courseViews.js";
import {
  courseCardNew,
  coursesButton,
  enrollButton,
  enrollConfirmButton,
  notifyButton,
  unenrollButton,
  unenrollConfirmButton,
  type CallbackCodec,
  type Field,
} from "../../messages/callbackData.js";
import { answerCallback, buttonValues, HTML, show } from "../ui.js";

export async function showCourseList(ctx: BotContext): Promise<void> {
  const now = ctx.deps.clock.now();
  const all = listCourses(ctx.deps.db);
  if (all.length === 0) {
    await show(ctx, ctx.t("courses.none"));
    return;
  }
  const kb = new InlineKeyboard();
  const lines = [ctx.t("courses.header"), ""];
  for (const course of all) {
    const title = courseTitle(course, ctx.lang);
    lines.push(`${STATE_ICON[courseState(course, now)]} <b>${escapeHtml(title)}</b>`);
    lines.push(`   ${courseStatus(ctx.t, course, ctx.lang, now)}`);
    kb.text(shorten(title, 60), coursesButton.encode(course.id)).row();
  }
  await show(ctx, lines.join("\n"), kb);
}

/** The course card, in place of the pressed screen, or as a new message when `fresh` (the pressed one stays). */
export async function showCourseCard(ctx: BotContext, course: Course, fresh = false): Promise<void> {
  const { db, clock } = ctx.deps;
  const now = clock.now();
  const learnerId = ctx.from!.id;
  const modules = getModules(db, course.id);
  const enrolled = isEnrolled(db, learnerId, course.id);
  const facts = {
    enrolled,
    watching: isWatching(db, learnerId, course.id),
    openQuizModule: enrolled ? openQuizModule(db, course.id, modules, now) : undefined,
  };
  const text = courseCard(ctx.t, course, modules, ctx.lang, now, facts);
  const keyboard = cardKeyboard(ctx.t, course, now, facts);
  if (fresh) await ctx.reply(text, { ...HTML, reply_markup: keyboard, link_preview_options: { is_disabled: true } });
  else await show(ctx, text, keyboard);
}

/** This week's module, when it has a quiz that is open now (it opens with its module and closes at its deadline). */
function openQuizModule(db: Db, courseId: string, modules: Module[], now: number): number | undefined {
  const k = currentModuleIndex(modules, now);
  const m = k === null ? undefined : modules[k];
  if (!m) return undefined;
  return liveQuiz(db, courseId, m.position) ? m.position : undefined;
}

/** Resolves the course named in a button; malformed data or a course that no longer exists gets an alert. */
async function courseFromButton(ctx: BotContext, codec: CallbackCodec<readonly [Field<string>]>): Promise<Course | null> {
  const values = await buttonValues(ctx, codec);
  if (!values) return null;
  const course = getCourse(ctx.deps.db, values[0]);
  if (!course) {
    await answerCallback(ctx, ctx.t("errors.course_gone"), true);
    return null;
  }
  return course;
}
export interface CoursesHooks {
  /** Run in order after a learner enrolled (the running module's announcement, the pre-course questionnaire). */
  onEnrolled: readonly OnEnrolled[];
}

/** /courses, course cards, enrollment and "notify me"; what follows an enrollment is passed in by createBot. */
export function coursesFeature(hooks: CoursesHooks): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  const pm = feature.chatType("private");

  pm.command("courses", (ctx) => showCourseList(ctx));

  pm.callbackQuery(coursesButton.filter, async (ctx) => {
    const values = await buttonValues(ctx, coursesButton);
    if (!values) return;
    const [id] = values;
    if (id === undefined) {
      await answerCallback(ctx);
      await showCourseList(ctx);
      return;
    }
    const course = getCourse(ctx.deps.db, id);
    if (!course) {
      await answerCallback(ctx, ctx.t("errors.course_gone"), true);
      return;
    }
    await answerCallback(ctx);
    await showCourseCard(ctx, course);
  });

  // From an announcement or a notice: the card comes below it, the announcement stays readable.
  pm.callbackQuery(courseCardNew.filter, async (ctx) => {
    const course = await courseFromButton(ctx, courseCardNew);
    if (!course) return;
    await answerCallback(ctx);
    await showCourseCard(ctx, course, true);
  });

  pm.callbackQuery(enrollButton.filter, async (ctx) => {
    const course = await courseFromButton(ctx, enrollButton);
    if (!course) return;
    if (!(await refuseIfClosed(ctx, course))) return;
    await answerCallback(ctx);
    if (isEnrolled(ctx.deps.db, ctx.from.id, course.id)) {
      await showCourseCard(ctx, course);
      return;
    }
    const kb = new InlineKeyboard()
      .text(ctx.t("buttons.confirm_enroll"), enrollConfirmButton.encode(course.id))
      .text(ctx.t("buttons.cancel"), coursesButton.encode(course.id));
    await show(ctx, ctx.t("enroll.confirm", { title: courseTitle(course, ctx.lang) }), kb);
  });

  pm.callbackQuery(enrollConfirmButton.filter, async (ctx) => {
    const course = await courseFromButton(ctx, enrollConfirmButton);
    if (!course) return;
    if (!(await refuseIfClosed(ctx, course))) return;
    const now = ctx.deps.clock.now();
    const outcome = enroll(ctx.deps.db, ctx.from.id, course.id, now);
    await answerCallback(ctx, ctx.t(outcome === "enrolled" ? "enroll.done_toast" : "enroll.already"));
    await showCourseCard(ctx, course);
    if (outcome === "enrolled") {
      // A course that is already running is not announced in the future tense.
      const key = now >= course.startAt ? "enroll.done_started" : "enroll.done";
      await ctx.reply(
        ctx.t(key, { title: courseTitle(course, ctx.lang), start: formatDate(course.startAt, ctx.lang, course.timezone) }),
        HTML,
      );
      for (const hook of hooks.onEnrolled) await hook(ctx, course);
    }
  });

  pm.callbackQuery(unenrollButton.filter, async (ctx) => {
    const course = await courseFromButton(ctx, unenrollButton);
    if (!course) return;
    await answerCallback(ctx);
    if (!isEnrolled(ctx.deps.db, ctx.from.id, course.id)) {
      await showCourseCard(ctx, course);
      return;
    }
    const reopen = isEnrollmentOpen(course, ctx.deps.clock.now());
    const kb = new InlineKeyboard()
      .text(ctx.t("buttons.confirm_unenroll"), unenrollConfirmButton.encode(course.id))
      .text(ctx.t("buttons.cancel"), coursesButton.encode(course.id));
    const warning = reopen ? "" : `\n\n${ctx.t("unenroll.cannot_return")}`;
    await show(ctx, ctx.t("unenroll.confirm", { title: courseTitle(course, ctx.lang) }) + warning, kb);
  });

  pm.callbackQuery(unenrollConfirmButton.filter, async (ctx) => {
    const course = await courseFromButton(ctx, unenrollConfirmButton);
    if (!course) return;
    const outcome = unenroll(ctx.deps.db, ctx.from.id, course.id, ctx.deps.clock.now());
    await answerCallback(ctx, ctx.t(outcome === "unenrolled" ? "unenroll.done" : "unenroll.not_enrolled"));
    await showCourseCard(ctx, course);
  });

  pm.callbackQuery(notifyButton.filter, async (ctx) => {
    const course = await courseFromButton(ctx, notifyButton);
    if (!course) return;
    const now = ctx.deps.clock.now();
    if (courseState(course, now) !== "upcoming") {
      // Enrollment opened meanwhile: show the card with its enroll button instead.
      await answerCallback(ctx);
      await showCourseCard(ctx, course);
      return;
    }
    watchCourse(ctx.deps.db, ctx.from.id, course.id, now);
    await answerCallback(ctx, ctx.t("notify.toast"));
    await showCourseCard(ctx, course);
  });

  return feature;
}

/** Explains why enrollment is refused, with the dates; returns false when it is. */
async function refuseIfClosed(ctx: BotContext, course: Course): Promise<boolean> {
  const refusal = enrollmentRefusal(course, ctx.deps.clock.now());
  if (!refusal) return true;
  const d = (ms: number) => formatDate(ms, ctx.lang, course.timezone);
  const text = ctx.t(`enroll.refused.${refusal}`, {
    title: courseTitle(course, ctx.lang),
    opens: d(course.enrollOpensAt),
    closes: d(course.enrollClosesAt - 1),
  });
  await answerCallback(ctx, ctx.t("enroll.refused_toast"));
  await show(
    ctx,
    text,
    cardKeyboard(ctx.t, course, ctx.deps.clock.now(), {
      enrolled: false,
      watching: isWatching(ctx.deps.db, ctx.from!.id, course.id),
    }),
  );
  return false;
}
