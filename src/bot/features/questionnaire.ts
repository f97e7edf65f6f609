/**
 * Answering the pre- and post-course questionnaires: one question at a time in a conversation,
 * each answer saved as it is given (a restart or /cancel resumes where the learner was), a summary
 * to confirm, one submission per learner. Also the offer on enrollment and the /mycourses entry.
 */
import { conversationApiPlugin } from "../apiSetup.js";
import { createConversation, type Conversation } from "@grammyjs/conversations";
import { Composer, InlineKeyboard, type Context } from "grammy";
import type { Locale } from "../../domain/locale.js";
import { getCourse, isEnrolled } from "../../db/coursesRepo.js";
import type { Db } from "../../db/client.js";
import {
  answersOf,
  getQuestions,
  getResponse,
  getResponseById,
  saveAnswer,
  setPosition,
  startResponse,
  submitResponse,
} from "../../db/questionnaireRepo.js";
import type { Course } from "../../db/schema/index.js";
import {
  isQuestionnaireKind,
  isQuestionnaireOpen,
  isValidAnswer,
  parseTextAnswer,
  questionnaireWindow,
  type AnswerValue,
  type InputError,
  type Question,
  type QuestionnaireKind,
} from "../../domain/questionnaire.js";
import { formatDate, formatDateTime } from "../../messages/format.js";
import { escapeHtml, isLocale, translator } from "../../messages/i18n.js";
import { enqueue } from "../../jobs/outbox.js";
import type { BotContext } from "../context.js";
import { courseTitle } from "../../messages/courseViews.js";
import type { OnEnrolled } from "../hooks.js";
import {
  ANSWER_DATA_RE,
  answerLines,
  answerText,
  inputErrorText,
  questionKeyboard,
  questionText,
  sessionTitle,
  shorten,
  type QuestionnaireSession,
} from "../../messages/questionnaireViews.js";
import { answerCallback, chunkLines, HTML } from "../ui.js";

export const QUESTIONNAIRE_CONVERSATION = "questionnaire";

interface EnterArgs {
  responseId: number;
  lang: Locale;
}

/** Everything the conversation needs, read once (JSON-serialisable for the replay log). */
export function loadSession(db: Db, responseId: number): QuestionnaireSession | null {
  const r = getResponseById(db, responseId);
  if (!r) return null;
  const course = getCourse(db, r.courseId);
  const questions = getQuestions(db, r.courseId, r.kind);
  if (!course || !questions) return null;
  const stored = answersOf(db, r.id);
  // Keep only answers that still fit the questions as the course file defines them now.
  const answers: Record<string, AnswerValue> = {};
  for (const q of questions) {
    const v = stored[q.id];
    if (v !== undefined && isValidAnswer(q, v)) answers[q.id] = v;
  }
  return {
    responseId: r.id,
    courseId: r.courseId,
    kind: r.kind,
    title: course.title,
    languages: course.languages,
    questions,
    answers,
    position: Math.min(r.position, questions.length),
    submittedAt: r.submittedAt,
    timezone: course.timezone,
  };
}

type Step =
  | { kind: "button"; action: string; n: number | undefined }
  | { kind: "answer"; value: AnswerValue }
  | { kind: "cancel" }
  | { kind: "other_command" }
  | { kind: "foreign_button" };

type Classified = Step | { kind: "reject"; error: InputError | null; stale: boolean };

/** Reads an update against the question on screen. Pure, so replays classify it the same way. */
function classify(ctx: Context, s: QuestionnaireSession, position: number): Classified {
  const data = ctx.callbackQuery?.data;
  if (data !== undefined) {
    const m = ANSWER_DATA_RE.exec(data);
    if (!m) return { kind: "foreign_button" };
    if (Number(m[1]) !== s.responseId || Number(m[2]) !== position) return { kind: "reject", error: null, stale: true };
    return { kind: "button", action: m[3]!, n: m[4] === undefined ? undefined : Number(m[4]) };
  }
  const text = ctx.message?.text;
  const typed = s.questions[position]?.type;
  if (text === undefined) {
    return { kind: "reject", error: { code: typed === "text" || typed === "number" ? "send_text" : "use_buttons" }, stale: false };
  }
  if (text.startsWith("/")) {
    return /^\/cancel(@\w+)?(\s|$)/i.test(text) ? { kind: "cancel" } : { kind: "other_command" };
  }
  const q = s.questions[position];
  if (!q) return { kind: "reject", error: { code: "use_buttons" }, stale: false };
  const parsed = parseTextAnswer(q, text);
  return parsed.ok ? { kind: "answer", value: parsed.value } : { kind: "reject", error: parsed.error, stale: false };
}

async function questionnaireConversation(conversation: Conversation<BotContext>, ctx: Context, args: EnterArgs) {
  // The learner may switch the language with /language while answering: re-read it at each step.
  let lang = args.lang;
  let t = translator(lang);
  const refreshLanguage = async () => {
    const now = await conversation.external((octx) => octx.lang);
    if (now !== lang && isLocale(now)) {
      lang = now;
      t = translator(now);
    }
  };
  const loaded = await conversation.external((octx) => loadSession(octx.deps.db, args.responseId));
  if (!loaded) {
    await ctx.reply(t("survey.unavailable"), HTML);
    return;
  }
  const s = loaded;
  if (s.submittedAt !== null) {
    await sendSubmitted(ctx, t, s, lang);
    return;
  }
  let position = s.position;
  const save = (q: Question, value: AnswerValue, next: number) =>
    conversation.external((octx) => saveAnswer(octx.deps.db, s.responseId, q.id, value, next, octx.deps.clock.now()));
  const moveTo = (next: number) =>
    conversation.external((octx) => setPosition(octx.deps.db, s.responseId, next, octx.deps.clock.now()));

  const ask = async (c: Context, selected?: string[]) => {
    if (position >= s.questions.length) {
      const chunks = chunkLines([t("survey.summary_header"), "", ...answerLines(t, s, lang), "", t("survey.summary_confirm")]);
      for (const [i, chunk] of chunks.entries()) {
        const last = i === chunks.length - 1;
        const kb = new InlineKeyboard()
          .text(t("survey.buttons.submit"), `qa:${s.responseId}:${position}:ok`)
          .row()
          .text(t("survey.buttons.back"), `qa:${s.responseId}:${position}:b`);
        await c.reply(chunk, { ...HTML, reply_markup: last ? kb : undefined });
      }
      return;
    }
    await c.reply(questionText(t, s, position, lang), { ...HTML, reply_markup: questionKeyboard(t, s, position, lang, selected) });
  };

  let current: Context = ctx;
  /** Waits for an update that means something for the question on screen; anything else is explained here. */
  const next = async (selected?: string[]): Promise<Step> => {
    const c = await conversation.waitUntil(
      (u) => classify(u, s, position).kind !== "reject",
      {
        otherwise: async (u) => {
          const r = classify(u, s, position);
          if (r.kind !== "reject") return;
          if (r.stale) {
            await u.answerCallbackQuery({ text: t("survey.stale_button"), show_alert: true });
            return;
          }
          await u.reply(r.error ? inputErrorText(t, r.error) : t("survey.error.use_buttons"), HTML);
          await ask(u, selected);
        },
      },
    );
    const step = classify(c, s, position) as Step;
    if (step.kind === "other_command" || step.kind === "foreign_button") {
      // Another command or a button of another screen: let the bot handle it; the questionnaire waits.
      await conversation.skip({ next: true });
    }
    if (step.kind === "cancel") {
      await c.reply(t("survey.paused"), HTML);
      await conversation.halt();
    }
    if (step.kind === "button" && step.action !== "t") await c.answerCallbackQuery();
    await refreshLanguage();
    current = c;
    return step;
  };

  await ask(ctx);
  for (;;) {
    const total = s.questions.length;
    if (position >= total) {
      const step = await next();
      if (step.kind === "button" && step.action === "b") {
        position = total - 1;
        await moveTo(position);
        await ask(current);
        continue;
      }
      if (step.kind === "button" && step.action === "ok") {
        const missing = s.questions.findIndex((q) => q.required && (s.answers[q.id] === undefined || s.answers[q.id] === null));
        if (missing >= 0) {
          position = missing;
          await moveTo(position);
          await current.reply(t("survey.missing_required"), HTML);
          await ask(current);
          continue;
        }
        const outcome = await conversation.external((octx) => submitResponse(octx.deps.db, s.responseId, octx.deps.clock.now()));
        // The summary's buttons have done their job.
        if (current.callbackQuery?.message) await current.editMessageReplyMarkup();
        await current.reply(t(outcome === "submitted" ? `survey.thanks_${s.kind}` : "survey.already_submitted", { title: sessionTitle(s, lang) }), HTML);
        return;
      }
      await current.reply(t("survey.error.use_buttons"), HTML);
      await ask(current);
      continue;
    }

    const q = s.questions[position]!;
    let selected: string[] = q.type === "multiple" && Array.isArray(s.answers[q.id]) ? [...(s.answers[q.id] as string[])] : [];
    let value: AnswerValue | undefined;
    let moved = false;
    while (value === undefined && !moved) {
      const step = await next(selected);
      if (step.kind === "answer") {
        value = step.value;
        break;
      }
      if (step.kind !== "button") continue;
      const { action, n } = step;
      if (action === "b" && position > 0) {
        position -= 1;
        await moveTo(position);
        moved = true;
      } else if (action === "s" && !q.required) {
        value = null;
      } else if (action === "k" && s.answers[q.id] !== undefined) {
        position += 1;
        await moveTo(position);
        moved = true;
      } else if (action === "y" && q.type === "yes_no") {
        value = true;
      } else if (action === "n" && q.type === "yes_no") {
        value = false;
      } else if (action === "v" && n !== undefined && q.type === "rating" && n <= q.max - q.min) {
        value = q.min + n;
      } else if (action === "v" && n !== undefined && q.type === "single" && q.options[n]) {
        value = q.options[n].id;
      } else if (action === "t" && n !== undefined && q.type === "multiple" && q.options[n]) {
        const id = q.options[n].id;
        selected = selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id];
        // Keep the options' order, whatever order they were ticked in.
        selected = q.options.map((o) => o.id).filter((x) => selected.includes(x));
        await current.answerCallbackQuery();
        await current.editMessageReplyMarkup({ reply_markup: questionKeyboard(t, s, position, lang, selected) });
      } else if (action === "d" && q.type === "multiple") {
        if (selected.length > 0) value = selected;
        else if (!q.required) value = null;
        else await current.reply(t("survey.error.nothing_ticked"), HTML);
      } else {
        await current.reply(t("survey.stale_button"), HTML);
      }
    }
    if (value !== undefined) {
      const ok = await save(q, value, position + 1);
      if (!ok) {
        await current.reply(t("survey.already_submitted", { title: sessionTitle(s, lang) }), HTML);
        return;
      }
      s.answers[q.id] = value;
      if (current.callbackQuery?.message) {
        // Show the choice under the question and take its buttons away.
        const shown = value === null ? t("survey.skipped") : answerText(t, q, value, lang, s.languages);
        await current.editMessageText(
          `${questionText(t, s, position, lang, false)}\n\n✅ ${escapeHtml(shorten(shown, 500))}`,
          HTML,
        );
      }
      position += 1;
    }
    await ask(current);
  }
}

async function sendSubmitted(ctx: Context, t: ReturnType<typeof translator>, s: QuestionnaireSession, lang: Locale): Promise<void> {
  const header = t("survey.submitted_header", {
    title: sessionTitle(s, lang),
    date: formatDateTime(s.submittedAt ?? 0, lang, s.timezone),
  });
  for (const chunk of chunkLines([header, "", ...answerLines(t, s, lang, 1000)])) await ctx.reply(chunk, HTML);
}

// ---------------------------------------------------------------- outside the conversation

export const questionnaireFeature = new Composer<BotContext>();
const pm = questionnaireFeature.chatType("private");

pm.use(
  createConversation<BotContext, Context>(questionnaireConversation, {
    id: QUESTIONNAIRE_CONVERSATION,
    plugins: [conversationApiPlugin],
  }),
);

/** Opens a questionnaire: shows the answers if submitted, else starts or resumes the conversation. */
export async function openQuestionnaire(ctx: BotContext, course: Course, kind: QuestionnaireKind): Promise<void> {
  const { db, clock } = ctx.deps;
  const now = clock.now();
  const learnerId = ctx.from!.id;
  const questions = getQuestions(db, course.id, kind);
  if (!questions) {
    await answerCallback(ctx, ctx.t("survey.none"), true);
    return;
  }
  if (!isEnrolled(db, learnerId, course.id)) {
    await answerCallback(ctx, ctx.t("survey.not_enrolled"), true);
    return;
  }
  const existing = getResponse(db, learnerId, course.id, kind);
  if (!existing?.submittedAt && !isQuestionnaireOpen(kind, course, now)) {
    const w = questionnaireWindow(kind, course);
    const key = now < w.opensAt ? "survey.not_open_yet" : "survey.closed";
    await answerCallback(ctx);
    await ctx.reply(
      ctx.t(key, {
        title: courseTitle(course, ctx.lang),
        opens: Number.isFinite(w.opensAt) ? formatDate(w.opensAt, ctx.lang, course.timezone) : "",
        closes: formatDate(w.closesAt - 1, ctx.lang, course.timezone),
      }),
      HTML,
    );
    return;
  }
  await answerCallback(ctx);
  const response = existing ?? startResponse(db, learnerId, course.id, kind, now);
  if (response.submittedAt !== null) {
    const s = loadSession(db, response.id);
    if (s) await sendSubmitted(ctx, ctx.t, s, ctx.lang);
    return;
  }
  // One dialog at a time: a quiz or questionnaire left open here is left (both resume from the database).
  await ctx.conversation.exitAll();
  if (response.position > 0) await ctx.reply(ctx.t("survey.resuming"), HTML);
  else {
    const w = questionnaireWindow(kind, course);
    await ctx.reply(
      ctx.t(`survey.intro_${kind}`, {
        title: courseTitle(course, ctx.lang),
        questions: ctx.t("survey.questions_count", { count: questions.length }),
        closes: formatDate(w.closesAt - 1, ctx.lang, course.timezone),
      }),
      HTML,
    );
  }
  await ctx.conversation.enter(QUESTIONNAIRE_CONVERSATION, { responseId: response.id, lang: ctx.lang } satisfies EnterArgs);
}

/** `qn:<course>:<pre|post>` from an offer, a reminder or /mycourses. */
pm.callbackQuery(/^qn:([\w-]+):(\w+)$/, async (ctx) => {
  const kind = ctx.match[2];
  const course = getCourse(ctx.deps.db, ctx.match[1]!);
  if (!course) {
    await answerCallback(ctx, ctx.t("errors.course_gone"), true);
    return;
  }
  if (!isQuestionnaireKind(kind)) {
    await answerCallback(ctx, ctx.t("errors.stale_button"), true);
    return;
  }
  await openQuestionnaire(ctx, course, kind);
});

/**
 * An answer button while no questionnaire conversation runs (after /cancel, or an old message):
 * resume that questionnaire if it is the learner's and still open.
 */
pm.callbackQuery(ANSWER_DATA_RE, async (ctx) => {
  const response = getResponseById(ctx.deps.db, Number(ctx.match[1]));
  const course = response && getCourse(ctx.deps.db, response.courseId);
  if (!response || !course || response.learnerId !== ctx.from.id) {
    await answerCallback(ctx, ctx.t("errors.stale_button"), true);
    return;
  }
  await openQuestionnaire(ctx, course, response.kind);
});

// ---------------------------------------------------------------- offers

export function offerDedupeKey(kind: "offer" | "remind", qkind: QuestionnaireKind, courseId: string, learnerId: number | ""): string {
  return `questionnaire-${kind}:${qkind}:${courseId}:${learnerId}`;
}

/** The offer or reminder message in the learner's language, with the button that opens it. */
export function offerMessage(course: Course, qkind: QuestionnaireKind, which: "offer" | "remind", lang: Locale, questionCount: number) {
  const t = translator(lang);
  const w = questionnaireWindow(qkind, course);
  const text = t(`survey.${which}_${qkind}`, {
    title: courseTitle(course, lang),
    questions: t("survey.questions_count", { count: questionCount }),
    closes: formatDate(w.closesAt - 1, lang, course.timezone),
    start: formatDate(course.startAt, lang, course.timezone),
  });
  return {
    text,
    parse_mode: "HTML",
    reply_markup: new InlineKeyboard().text(t("survey.buttons.open"), `qn:${course.id}:${qkind}`),
  };
}

/** Right after enrollment: the pre-course questionnaire is offered (through the outbox, once; createBot wires it). */
export const offerPreQuestionnaire: OnEnrolled = async (ctx, course) => {
  const { db, clock } = ctx.deps;
  const now = clock.now();
  const questions = getQuestions(db, course.id, "pre");
  if (!questions || !isQuestionnaireOpen("pre", course, now)) return;
  const lang = ctx.lang;
  enqueue(
    db,
    {
      dedupeKey: offerDedupeKey("offer", "pre", course.id, ctx.from!.id),
      kind: "questionnaire-offer",
      chatId: ctx.from!.id,
      method: "sendMessage",
      payload: offerMessage(course, "pre", "offer", lang, questions.length),
    },
    now,
  );
  ctx.deps.kickOutbox?.();
};

// ---------------------------------------------------------------- /mycourses

/** Lines and buttons for a course's open (or answered) questionnaires, for /mycourses. */
export function myCoursesQuestionnaires(ctx: BotContext, course: Course, now: number): { lines: string[]; buttons: { text: string; data: string }[] } {
  const out = { lines: [] as string[], buttons: [] as { text: string; data: string }[] };
  for (const kind of ["pre", "post"] as const) {
    if (!getQuestions(ctx.deps.db, course.id, kind) || !isQuestionnaireOpen(kind, course, now)) continue;
    const r = getResponse(ctx.deps.db, ctx.from!.id, course.id, kind);
    const w = questionnaireWindow(kind, course);
    const closes = formatDate(w.closesAt - 1, ctx.lang, course.timezone);
    const state = r?.submittedAt ? "done" : r ? "started" : "new";
    out.lines.push(ctx.t(`survey.mycourses.${kind}_${state}`, { closes }));
    out.buttons.push({
      text: shorten(`${ctx.t(`survey.mycourses.button_${kind}${state === "done" ? "_done" : ""}`)} · ${courseTitle(course, ctx.lang)}`, 60),
      data: `qn:${course.id}:${kind}`,
    });
  }
  return out;
}
