import { conversations } from "@grammyjs/conversations";
import { sequentialize } from "@grammyjs/runner";
import { Bot, BotError, GrammyError, HttpError, type ApiClientOptions } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { redact } from "../log.js";
import { setUpReplyApi } from "./apiSetup.js";
import { conversationKey, conversationStorage } from "./conversationStorage.js";
import type { BaseContext, BotContext, BotDeps } from "./context.js";
import { adminFeature } from "./features/admin.js";
import { announceFeature } from "./features/announce.js";
import { askFeature } from "./features/ask.js";
import { blockingFeature } from "./features/blocking.js";
import { coursesFeature } from "./features/courses.js";
import { fallbackFeature } from "./features/fallback.js";
import { glossaryFeature } from "./features/glossary.js";
import { myCoursesFeature } from "./features/myCourses.js";
import { quizFeature } from "./features/quiz.js";
import { quizStatsFeature } from "./features/quizStats.js";
import { questionnaireFeature } from "./features/questionnaire.js";
import { questionnaireResultsFeature } from "./features/questionnaireResults.js";
import { startFeature } from "./features/start.js";
import { dedupeUpdates } from "./middleware/dedupeUpdates.js";
import { learnerContext } from "./middleware/learnerContext.js";
import { HTML } from "./ui.js";

export interface CreateBotOptions {
  /** Preset in tests (handleUpdate needs it) so no getMe call is made. */
  botInfo?: UserFromGetMe;
  /** Extra client options, e.g. a fake `fetch` in tests. The API root always comes from config. */
  client?: Omit<ApiClientOptions, "apiRoot">;
}

export function createBot(deps: BotDeps, options: CreateBotOptions = {}): Bot<BotContext> {
  const bot = new Bot<BotContext>(deps.config.botToken, {
    botInfo: options.botInfo,
    client: { ...options.client, apiRoot: deps.config.botApiRoot },
  });
  // 429 "retry after N": wait and retry instead of failing the reply (also paces broadcasts).
  setUpReplyApi(bot.api);

  // Updates of one chat run in order, so conversations and double taps see a consistent state.
  bot.use(sequentialize(conversationKey));
  bot.use(dedupeUpdates(deps.db, deps.clock));
  bot.use(learnerContext(deps));
  bot.use(blockingFeature);
  bot.use(
    conversations<BaseContext, BotContext>({
      storage: conversationStorage(deps.db, deps.clock),
    }),
  );

  bot.use(startFeature);
  bot.use(coursesFeature);
  bot.use(myCoursesFeature);
  bot.use(glossaryFeature);
  bot.use(adminFeature);
  bot.use(announceFeature);
  bot.use(quizFeature(deps));
  bot.use(quizStatsFeature);
  bot.use(questionnaireFeature);
  bot.use(questionnaireResultsFeature);
  bot.use(askFeature);
  bot.use(fallbackFeature);

  bot.catch(async (err: BotError<BotContext>) => {
    logBotError(err);
    // Tell the person something went wrong rather than leaving them waiting.
    const ctx = err.ctx;
    try {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("errors.internal"), show_alert: true });
      else if (ctx.chat?.type === "private") await ctx.reply(ctx.t("errors.internal"), HTML);
    } catch {
      // Telegram unreachable or the user blocked us: nothing more to do for this update.
    }
  });
  return bot;
}

function logBotError(err: BotError<BotContext>): void {
  const e = err.error;
  const where = `update ${err.ctx.update.update_id}`;
  if (e instanceof GrammyError) console.error(`[bot] ${where}: Telegram refused ${e.method}: ${e.description}`);
  else if (e instanceof HttpError) console.error(`[bot] ${where}: network error talking to Telegram: ${redact(String(e.error))}`);
  else console.error(`[bot] ${where}:`, redact(e instanceof Error ? (e.stack ?? e.message) : String(e)));
}
