import { shorten } from "../../../domain/text.js";
/** /quiz (the list and a quiz's card, starting or continuing an attempt) and /progress. */
import { Composer, InlineKeyboard } from "grammy";
import { moduleScore } from "../../../domain/quiz.js";
import { getCourse, isEnrolled, learnerCourses } from "../../../db/coursesRepo.js";
import { setOpenDialog } from "../../../db/dialogsRepo.js";
import { courseQuizzes, quizBankSize, quizById, quizByModule } from "../../../db/quizRepo.js";
import {
  availabilityFor,
  closeOverdueAttempts,
  courseProgressFor,
  learnerAttempts,
  startOrResumeAttempt,
  type StartOutcome,
} from "../../../db/quizAttemptsRepo.js";
import { answeredItems, attemptState } from "../../../db/quizStepRepo.js";
import { courseTitle } from "../../../messages/courseViews.js";
import { escapeHtml } from "../../../messages/i18n.js";
import {
  availabilityLine,
  moduleName,
  QUIZ_CARD_RE,
  QUIZ_START_RE,
  renderCourseProgress,
  renderQuizCard,
  type ProgressCertificate,
} from "../../../messages/quizViews.js";
import { certificateFor } from "../../../db/certificatesRepo.js";
import { certificatePolicy } from "../../../courses/certificatePolicy.js";
import { coursesButton } from "../../../messages/callbackData.js";
import { attemptsOnCard } from "../../../messages/quizReviewViews.js";
import type { BotContext } from "../../context.js";
import { answerCallback, HTML, show } from "../../ui.js";
import { introText, showStep } from "./steps.js";
import { deleteDraft } from "../../../db/questionsRepo.js";

export const quizCommands = new Composer<BotContext>();
const pm = quizCommands.chatType("private");

pm.command("quiz", (ctx) => showQuizList(ctx));

pm.callbackQuery("qz", async (ctx) => {
  await answerCallback(ctx);
  await showQuizList(ctx);
});

pm.command("progress", async (ctx) => {
  const { db, clock } = ctx.deps;
  const now = clock.now();
  closeOverdueAttempts(db, now, ctx.from.id);
  const mine = learnerCourses(db, ctx.from.id);
  if (mine.length === 0) {
    await show(ctx, ctx.t("quiz.progress.not_enrolled"), new InlineKeyboard().text(ctx.t("buttons.all_courses"), "crs"));
    return;
  }
  const blocks = mine.map(({ course }) => {
    const report = courseProgressFor(db, ctx.from.id, course.id, now)!;
    // One indexed look-up per course of the learner's own certificate.
    const issued = certificateFor(db, ctx.from.id, course.id);
    const certificate: ProgressCertificate = issued
      ? { code: issued.code }
      : { code: null, whenCourseEnds: certificatePolicy(course.content).issue === "after_end" && now < course.endAt };
    return renderCourseProgress(ctx.t, ctx.lang, report, certificate);
  });
  await ctx.reply([ctx.t("quiz.progress.header"), "", blocks.join("\n\n")].join("\n"), HTML);
});

pm.callbackQuery(QUIZ_CARD_RE, async (ctx) => {
  const [, courseId, pos] = ctx.match;
  const q = quizByModule(ctx.deps.db, courseId!, Number(pos));
  if (!q) {
    const course = getCourse(ctx.deps.db, courseId!);
    await answerCallback(ctx, ctx.t(course ? "quiz.no_quiz" : "errors.course_gone"), true);
    return;
  }
  await answerCallback(ctx);
  await showQuizCard(ctx, q.quiz.id);
});

pm.callbackQuery(QUIZ_START_RE, async (ctx) => {
  const quizId = Number(ctx.match[1]);
  const { db, clock } = ctx.deps;
  const outcome = startOrResumeAttempt(db, ctx.from.id, quizId, clock.now());
  if (!outcome.ok) {
    await answerCallback(ctx, refusalText(ctx, quizId, outcome), true);
    if (quizById(db, quizId)) await showQuizCard(ctx, quizId);
    return;
  }
  // One dialog at a time: a questionnaire left open in this chat is paused (it resumes from the database).
  setOpenDialog(db, ctx.from.id, "quiz", outcome.attempt.id, clock.now());
  // A /ask left waiting for its text would otherwise take the first message typed after the quiz.
  deleteDraft(db, ctx.from.id);
  await answerCallback(ctx);
  const a = attemptState(db, outcome.attempt.id)!;
  await show(ctx, introText(ctx, a, outcome.resumed, answeredItems(db, a.id).size));
  await showStep(ctx, a.id);
});

function refusalText(ctx: BotContext, quizId: number, outcome: Extract<StartOutcome, { ok: false }>): string {
  const r = outcome.refusal;
  if (r.state === "not_enrolled") return ctx.t("quiz.not_enrolled");
  const q = quizById(ctx.deps.db, quizId);
  if (!q) return ctx.t("errors.stale_button");
  return availabilityLine(ctx.t, ctx.lang, q.course, r, q.module.closesAt);
}

async function showQuizCard(ctx: BotContext, quizId: number): Promise<void> {
  const { db, clock } = ctx.deps;
  const now = clock.now();
  closeOverdueAttempts(db, now, ctx.from!.id);
  const q = quizById(db, quizId);
  if (!q) {
    await show(ctx, ctx.t("quiz.no_quiz"));
    return;
  }
  if (!isEnrolled(db, ctx.from!.id, q.course.id)) {
    await show(ctx, ctx.t("quiz.not_enrolled"), new InlineKeyboard().text(ctx.t("buttons.open_course"), coursesButton.encode(q.course.id)));
    return;
  }
  const attempts = learnerAttempts(db, ctx.from!.id, quizId);
  const finished = attempts.filter((a) => a.finishedAt !== null).map((a) => a.score ?? 0);
  const { text, keyboard } = renderQuizCard(
    ctx.t,
    ctx.lang,
    q,
    attempts,
    availabilityFor(q, attempts, now),
    quizBankSize(db, quizId),
    moduleScore(finished, q.quiz.scorePolicy),
    attemptsOnCard(ctx.t, ctx.lang, q, attempts, now),
  );
  await show(ctx, text, keyboard);
}

/** /quiz: every quiz of the learner's courses, where it stands and its deadline. */
async function showQuizList(ctx: BotContext): Promise<void> {
  const { db, clock } = ctx.deps;
  const now = clock.now();
  const learnerId = ctx.from!.id;
  closeOverdueAttempts(db, now, learnerId);
  const mine = learnerCourses(db, learnerId);
  if (mine.length === 0) {
    await show(ctx, ctx.t("quiz.list_not_enrolled"), new InlineKeyboard().text(ctx.t("buttons.all_courses"), "crs"));
    return;
  }
  const kb = new InlineKeyboard();
  const blocks: string[] = [];
  for (const { course } of mine) {
    const qs = courseQuizzes(db, course.id);
    const lines = [`<b>${escapeHtml(courseTitle(course, ctx.lang))}</b>`];
    if (qs.length === 0) lines.push(ctx.t("quiz.progress.no_quizzes"));
    for (const q of qs) {
      const attempts = learnerAttempts(db, learnerId, q.quiz.id);
      const a = availabilityFor(q, attempts, now);
      lines.push(`• ${moduleName(ctx.t, q, ctx.lang)}\n   ${availabilityLine(ctx.t, ctx.lang, course, a, q.module.closesAt)}`);
      if (a.state !== "not_open") {
        const icon = a.state === "open" || a.state === "in_progress" ? "▶️" : "📄";
        const label = `${icon} ${ctx.t("quiz.list_button", { week: q.module.position + 1, course: shorten(courseTitle(course, ctx.lang), 30) })}`;
        kb.text(label, `qz:${course.id}:${q.module.position}`).row();
      }
    }
    blocks.push(lines.join("\n"));
  }
  await show(ctx, [ctx.t("quiz.list_header"), "", blocks.join("\n\n")].join("\n"), kb);
}
