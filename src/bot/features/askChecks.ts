/**
 * What the learner's side of /ask checks at each step (askFlow in ask.ts, the question and its
 * follow-ups in askMessages.ts): whether a course's questions are taken, the limits against
 * flooding, and the draft the /ask form keeps between its steps.
 */
import { askRefusal, type AskRefusal } from "../../domain/questions.js";
import { RULES } from "../../domain/rules.js";
import { assistantChatFor, questionsEnabled } from "../../db/courseChatsRepo.js";
import { deleteDraft, getDraft, lastLearnerMessageAt, openQuestionCount } from "../../db/questionsRepo.js";
import type { AskDraft } from "../../db/schema/index.js";
import type { BotContext } from "../context.js";

/** Questions can be asked (of this course): some assistants' chat serves it (courseChatsRepo's routing). */
export function enabled(ctx: BotContext, courseId?: string): boolean {
  const { db, config } = ctx.deps;
  return courseId === undefined ? questionsEnabled(db, config) : assistantChatFor(db, config, courseId).kind !== "off";
}

export function refusalText(ctx: BotContext, r: AskRefusal): string {
  return r.reason === "too_many_open" ? ctx.t("ask.too_many_open", { max: r.max }) : ctx.t("ask.too_soon", { seconds: r.waitSeconds });
}

export function refusalFor(ctx: BotContext, learnerId: number, newQuestion: boolean): AskRefusal | null {
  const { db, clock } = ctx.deps;
  return askRefusal({
    openCount: openQuestionCount(db, learnerId),
    lastAt: lastLearnerMessageAt(db, learnerId),
    now: clock.now(),
    newQuestion,
  });
}

/** The learner's draft, unless it has been left untouched for too long (then it is forgotten). */
export function liveDraft(ctx: BotContext, learnerId: number): AskDraft | null {
  const draft = getDraft(ctx.deps.db, learnerId);
  if (!draft) return null;
  if (ctx.deps.clock.now() - draft.updatedAt > RULES.questions.draftMinutes * 60_000) {
    deleteDraft(ctx.deps.db, learnerId);
    return null;
  }
  return draft;
}
