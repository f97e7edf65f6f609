import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { quizAnswers } from "./quiz/answers.js";
import { quizCommands } from "./quiz/commands.js";
import { quizReview } from "./quiz/review.js";

/**
 * Quizzes: answering (quiz/answers.ts, quiz/steps.ts) and /quiz and /progress (quiz/commands.ts).
 * Attempt review is quiz/review.ts; /quizstats for authors lives in quizStats.ts.
 */
export const quizFeature = new Composer<BotContext>();
quizFeature.use(quizAnswers);
quizFeature.use(quizCommands);
quizFeature.use(quizReview);
