import { conversationApiPlugin } from "../apiSetup.js";
import { shorten, truncate } from "../../domain/text.js";
import { createConversation, type Conversation } from "@grammyjs/conversations";
import { Composer, InlineKeyboard, type NextFunction } from "grammy";
import type { Locale } from "../../domain/locale.js";
import { pickText, type Translated } from "../../domain/course.js";
import { parseNumberAnswer, type GivenAnswer, type QuizQuestion, type VariantItem } from "../../domain/quiz.js";
import { getCourse, isEnrolled, learnerCourses } from "../../db/coursesRepo.js";
import { getLearner } from "../../db/learnersRepo.js";
import {
  attemptAnswers,
  availabilityFor,
  closeOverdueAttempts,
  courseProgressFor,
  courseQuizzes,
  finishAttempt,
  getAttempt,
  learnerAttempts,
  quizBank,
  quizById,
  quizByModule,
  recordAnswer,
  startOrResumeAttempt,
  type AnswerOutcome,
  type StartOutcome,
} from "../../db/quizRepo.js";
import { formatDeadline, formatDateTime } from "../../messages/format.js";
import { escapeHtml, isLocale, translator } from "../../messages/i18n.js";
import { moduleScore } from "../../domain/quiz.js";
import type { BaseContext, BotContext, BotDeps } from "../context.js";
import { courseTitle } from "../../messages/courseViews.js";
import {
  ANSWER_RE,
  answerFeedback,
  availabilityLine,
  describeGiven,
  moduleName,
  QUIZ_CARD_RE,
  QUIZ_START_RE,
  renderCourseProgress,
  renderQuestion,
  renderQuizCard,
  renderResult,
  reviewLine,
  type QuestionView,
  type ResultView,
} from "../../messages/quizViews.js";
import { answerCallback, HTML, show } from "../ui.js";

export const QUIZ_CONVERSATION = "quiz";

/** Everything the conversation needs about an attempt, loaded once (JSON-serialisable for replays). */
interface RunData {
  attemptId: number;
  finished: boolean;
  feedback: "after_each" | "at_end";
  endsAt: number;
  timeLimited: boolean;
  timezone: string;
  languages: string[];
  moduleTitle: Translated;
  /** Aligned with the attempt's variant; null where the bank no longer has the question (counts 0). */
  items: { question: QuizQuestion | null; variant: VariantItem }[];
  answered: number[];
}

/** What the conversation stores about a finished attempt (JSON-safe); rendered as a ResultView. */
type ResultData = Pick<
  ResultView,
  "score" | "passScore" | "passed" | "attemptNo" | "attemptsAllowed" | "endReason" | "closesAt" | "answered"
> & {
  /** Items (0-based) not fully right, including unanswered ones. */
  notRight: number[];
};

function loadRun(deps: BotDeps, attemptId: number): RunData | null {
  const attempt = getAttempt(deps.db, attemptId);
  if (!attempt) return null;
  const q = quizById(deps.db, attempt.quizId);
  if (!q) return null;
  const bank = quizBank(deps.db, attempt.quizId);
  const items = attempt.variant.map((variant) => ({ question: bank[variant.q] ?? null, variant }));
  return {
    attemptId,
    finished: attempt.finishedAt !== null,
    feedback: q.quiz.feedback,
    endsAt: attempt.endsAt,
    timeLimited: q.quiz.timeLimitMinutes !== null,
    timezone: q.course.timezone,
    languages: q.course.languages,
    moduleTitle: q.module.title,
    items,
    answered: attemptAnswers(deps.db, attemptId).map((a) => a.item),
  };
}

function finishAndSummarise(deps: BotDeps, attemptId: number): ResultData | null {
  const attempt = finishAttempt(deps.db, attemptId, "submitted", deps.clock.now());
  if (!attempt) return null;
  const q = quizById(deps.db, attempt.quizId);
  if (!q) return null;
  const answers = attemptAnswers(deps.db, attemptId);
  const right = new Set(answers.filter((a) => a.correct).map((a) => a.item));
  return {
    score: attempt.score ?? 0,
    passScore: q.quiz.passScore,
    passed: attempt.passed ?? false,
    attemptNo: attempt.attemptNo,
    attemptsAllowed: q.quiz.attemptsAllowed,
    endReason: attempt.endReason ?? "submitted",
    closesAt: q.module.closesAt,
    answered: answers.length,
    notRight: attempt.variant.map((_, i) => i).filter((i) => !right.has(i)),
  };
}

/** Gives contexts inside the conversation what the outside middleware gives: deps, language, t(). */
function conversationContext(deps: BotDeps) {
  return async (ctx: BaseContext, next: NextFunction) => {
    ctx.deps = deps;
    const learner = ctx.from ? getLearner(deps.db, ctx.from.id) : undefined;
    ctx.learner = learner ?? null;
    ctx.learnerIsNew = false;
    ctx.lang = learner && isLocale(learner.language) ? learner.language : deps.config.defaultLocale;
    ctx.t = translator(ctx.lang);
    await next();
  };
}

export function quizFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  // ---------------------------------------------------------------- the conversation

  async function quiz(conversation: Conversation<BaseContext, BaseContext>, ctx: BaseContext, attemptId: number) {
    const run = await conversation.external(() => loadRun(deps, attemptId));
    if (!run) {
      // The quiz was removed from the course file meanwhile.
      await ctx.reply(ctx.t("quiz.no_quiz"), HTML);
      return;
    }
    const answered = new Set(run.answered);
    const moduleTitle = (lang: Locale) => pickText(run.moduleTitle, lang, run.languages);
    const view = (item: number): QuestionView => ({
      attemptId,
      item,
      total: run.items.length,
      question: run.items[item]!.question!,
      variant: run.items[item]!.variant,
      endsAt: run.timeLimited ? run.endsAt : null,
      timezone: run.timezone,
      languages: run.languages,
    });
    const send = async (c: BaseContext, item: number, selected?: ReadonlySet<number>) => {
      const { text, keyboard } = renderQuestion(c.t, c.lang, view(item), selected);
      await c.reply(text, { ...HTML, reply_markup: keyboard });
    };
    const showResult = async (c: BaseContext) => {
      const r = await conversation.external(() => finishAndSummarise(deps, attemptId));
      if (!r) return;
      const toReview = r.notRight.map((i) => {
        const q = run.items[i]?.question;
        return {
          number: i + 1,
          review: q ? reviewLine(c.t, c.lang, run.languages, q, moduleTitle(c.lang)) : c.t("quiz.review_module", { title: moduleTitle(c.lang) }),
        };
      });
      await c.reply(
        renderResult(c.t, c.lang, {
          ...r,
          total: run.items.length,
          timezone: run.timezone,
          toReview,
          moduleTitle: moduleTitle(c.lang),
        }),
        HTML,
      );
    };

    let current = ctx;
    if (run.finished) {
      await showResult(current);
      return;
    }
    for (let item = 0; item < run.items.length; item++) {
      const { question, variant } = run.items[item]!;
      if (answered.has(item) || !question) continue;
      await send(current, item);

      // Anything that is not an answer to THIS question of THIS attempt gets a clear reply, and
      // the conversation keeps waiting at this question (skip: the update is not recorded).
      const expectsButtons = question.kind !== "text" && question.kind !== "number";
      const waitAnswer = async (accept: (c: BaseContext) => boolean): Promise<BaseContext> => {
        const c = await conversation.wait();
        if (accept(c)) return c;
        const data = c.callbackQuery?.data;
        if (data !== undefined) {
          if (ANSWER_RE.test(data)) {
            await answerCallback(c as BotContext, c.t("quiz.old_button"), true);
            return await conversation.skip({ next: false });
          }
          // Buttons of other screens (the quiz card, courses, ...) are handled outside.
          return await conversation.skip({ next: true });
        }
        const text = c.message?.text;
        if (text !== undefined && /^\/cancel(@\w+)?(\s|$)/i.test(text)) {
          await c.reply(c.t("quiz.paused"), HTML);
          return await conversation.halt({ next: false });
        }
        // Other commands work as usual; the quiz waits at this question meanwhile.
        if (text?.startsWith("/") || !c.message) return await conversation.skip({ next: true });
        if (expectsButtons) await c.reply(c.t("quiz.use_buttons"), HTML);
        else if (question.kind === "number" && text !== undefined) await c.reply(c.t("quiz.not_a_number", { text: shorten(text, 50) }), HTML);
        else await c.reply(c.t("quiz.send_text"), HTML);
        await send(c, item);
        return await conversation.skip({ next: false });
      };
      const prefix = `${attemptId}:${item}`;
      let given: GivenAnswer;
      let shown: number[] | null = null;
      let answerCtx: BaseContext;

      if (question.kind === "single" || question.kind === "truefalse") {
        const pattern = new RegExp(`^qb:${prefix}:(\\d{1,2})$`);
        const c = await waitAnswer((x) => {
          const m = pattern.exec(x.callbackQuery?.data ?? "");
          return m !== null && (question.kind === "truefalse" ? Number(m[1]) <= 1 : Number(m[1]) < variant.order.length);
        });
        const n = Number(pattern.exec(c.callbackQuery!.data!)![1]);
        if (question.kind === "truefalse") given = { kind: "truefalse", value: n === 1 };
        else {
          given = { kind: "choice", options: [variant.order[n]!] };
          shown = [n];
        }
        answerCtx = c;
      } else if (question.kind === "multiple") {
        const toggle = new RegExp(`^qt:${prefix}:(\\d{1,2})$`);
        const done = `qd:${prefix}`;
        const selected = new Set<number>();
        for (;;) {
          const c = await waitAnswer((x) => {
            const d = x.callbackQuery?.data ?? "";
            const m = toggle.exec(d);
            return d === done || (m !== null && Number(m[1]) < variant.order.length);
          });
          const m = toggle.exec(c.callbackQuery!.data!);
          if (m) {
            const n = Number(m[1]);
            if (selected.has(n)) selected.delete(n);
            else selected.add(n);
            await answerCallback(c as BotContext);
            await c.editMessageReplyMarkup({ reply_markup: renderQuestion(c.t, c.lang, view(item), selected).keyboard });
            continue;
          }
          if (selected.size === 0) {
            await answerCallback(c as BotContext, c.t("quiz.choose_first"), true);
            continue;
          }
          shown = [...selected].sort((a, b) => a - b);
          given = { kind: "choice", options: shown.map((n) => variant.order[n]!) };
          answerCtx = c;
          break;
        }
      } else {
        const c = await waitAnswer((x) => {
          const text = x.message?.text;
          if (text === undefined || text.startsWith("/")) return false;
          return question.kind === "text" ? text.trim().length > 0 : parseNumberAnswer(text) !== null;
        });
        given = { kind: "text", text: truncate(c.message!.text!.trim(), 500) };
        answerCtx = c;
      }

      const g = given;
      const outcome: AnswerOutcome = await conversation.external(() => recordAnswer(deps.db, attemptId, item, g, deps.clock.now()));
      current = answerCtx;
      const c = answerCtx;
      if (c.callbackQuery) await answerCallback(c as BotContext);
      if (outcome.status === "closed") {
        await c.reply(c.t("quiz.answer_too_late"), HTML);
        await showResult(c);
        return;
      }
      if (outcome.status === "duplicate") continue;
      answered.add(item);
      const yours = c.t("quiz.your_answer", {
        answer: describeGiven(
          c.t,
          question,
          shown,
          g.kind === "text" ? g.text : null,
          g.kind === "truefalse" ? g.value : null,
        ),
        interpolation: { escapeValue: false },
      });
      const feedback =
        run.feedback === "after_each"
          ? answerFeedback(c.t, c.lang, run.languages, question, outcome.grade, moduleTitle(c.lang))
          : c.t("quiz.answer_saved");
      if (c.callbackQuery) {
        // The question stays readable with the chosen answer; its buttons go away.
        const { text } = renderQuestion(c.t, c.lang, view(item));
        await c.editMessageText(`${text}\n\n${yours}\n${feedback}`, HTML);
      } else {
        await c.reply(`${yours}\n${feedback}`, HTML);
      }
    }
    await showResult(current);
  }

  // ---------------------------------------------------------------- outside the conversation

  // Registered first: an active quiz sees the chat's updates before the handlers below; what it
  // does not take (other commands and buttons) passes on to them.
  feature.use(
    createConversation<BaseContext, BaseContext>(quiz, {
      id: QUIZ_CONVERSATION,
      plugins: [conversationApiPlugin, conversationContext(deps)],
    }),
  );
  const pm = feature.chatType("private");


  // /cancel while a quiz runs is taken by the conversation above (it pauses the quiz); with no
  // quiz running it passes on to the other features and the fallback.

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
    const blocks = mine.map(({ course }) => renderCourseProgress(ctx.t, ctx.lang, courseProgressFor(db, ctx.from.id, course.id, now)!));
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
    await answerCallback(ctx);
    await enterQuiz(ctx, outcome.attempt.id, outcome.resumed);
  });

  // An answer button while no quiz conversation runs: from a finished attempt (never counts
  // twice), or from one paused with /cancel or interrupted (the quiz continues at its question).
  pm.callbackQuery(ANSWER_RE, async (ctx) => {
    const attemptId = Number(ctx.match[2]);
    const { db, clock } = ctx.deps;
    closeOverdueAttempts(db, clock.now(), ctx.from.id);
    const attempt = getAttempt(db, attemptId);
    if (!attempt || attempt.learnerId !== ctx.from.id) {
      await answerCallback(ctx, ctx.t("errors.stale_button"), true);
      return;
    }
    if (attempt.finishedAt !== null) {
      await answerCallback(ctx, ctx.t("quiz.attempt_finished"), true);
      return;
    }
    await answerCallback(ctx, ctx.t("quiz.resuming"));
    await enterQuiz(ctx, attempt.id, true, false);
  });

  return feature;
}

/**
 * Enters the quiz conversation for an attempt. `fromCard`: the button pressed was on the quiz
 * card, which becomes the intro; otherwise (an old question's button) the intro is a new message.
 */
async function enterQuiz(ctx: BotContext, attemptId: number, resumed: boolean, fromCard = true): Promise<void> {
  const attempt = getAttempt(ctx.deps.db, attemptId)!;
  const q = quizById(ctx.deps.db, attempt.quizId)!;
  const answered = attemptAnswers(ctx.deps.db, attemptId).length;
  const intro = resumed
    ? ctx.t("quiz.resumed", { answered, total: attempt.variant.length })
    : ctx.t("quiz.started", {
        number: attempt.attemptNo,
        allowed: q.quiz.attemptsAllowed,
        total: attempt.variant.length,
        pass: q.quiz.passScore,
        deadline: formatDeadline(q.module.closesAt, ctx.lang, q.course.timezone),
      });
  const limit =
    q.quiz.timeLimitMinutes !== null
      ? `\n${ctx.t("quiz.time_limit_until", { minutes: q.quiz.timeLimitMinutes, time: formatDateTime(attempt.endsAt, ctx.lang, q.course.timezone) })}`
      : "";
  const text = `📝 ${moduleName(ctx.t, q, ctx.lang)}\n\n${intro}${limit}\n\n${ctx.t("quiz.cancel_hint")}`;
  if (fromCard) await show(ctx, text);
  else await ctx.reply(text, HTML);
  // One dialog at a time: a quiz or questionnaire left open in this chat is left. Both keep every
  // answer in the database and resume at the same question when opened again.
  await ctx.conversation.exitAll();
  await ctx.conversation.enter(QUIZ_CONVERSATION, attemptId);
}

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
    await show(ctx, ctx.t("quiz.not_enrolled"), new InlineKeyboard().text(ctx.t("buttons.open_course"), `crs:${q.course.id}`));
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
    quizBank(db, quizId).length,
    moduleScore(finished, q.quiz.scorePolicy),
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

