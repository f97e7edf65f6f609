import { sequentialize } from "@grammyjs/runner";
import { Bot, BotError, Composer, GrammyError, HttpError, type ApiClientOptions, type MiddlewareFn, type NextFunction } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { localeFromTelegram } from "../domain/locale.js";
import { logger as processLogger, type Logger } from "../log.js";
import { translator } from "../messages/i18n.js";
import { isStorageError, sqliteCode } from "../db/storageErrors.js";
import { setUpReplyApi } from "./apiSetup.js";
import { chatKey } from "./chatKey.js";
import type { BotContext, BotDeps } from "./context.js";
import { adminFeature } from "./features/admin.js";
import { announceFeature, announceRunningModule } from "./features/announce.js";
import { askFeature } from "./features/ask.js";
import { blockingFeature } from "./features/blocking.js";
import { courseUploadFeature } from "./features/courseUpload.js";
import { courseVersionsFeature } from "./features/courseVersions.js";
import { coursesFeature } from "./features/courses.js";
import { dialogsFeature } from "./features/dialogs.js";
import { certificatesFeature } from "./features/certificates.js";
import { fallbackFeature } from "./features/fallback.js";
import { gradebookFeature } from "./features/gradebook.js";
import { glossaryFeature } from "./features/glossary.js";
import { myCoursesFeature } from "./features/myCourses.js";
import { quizFeature } from "./features/quiz.js";
import { offerPreQuestionnaire, questionnaireFeature } from "./features/questionnaire.js";
import { quizStatsFeature } from "./features/quizStats.js";
import { questionnaireResultsFeature } from "./features/questionnaireResults.js";
import { reportFeature } from "./features/report.js";
import { startFeature } from "./features/start.js";
import { staffFeature } from "./features/staff.js";
import { invitationsFeature } from "./features/invitations.js";
import type { OnEnrolled } from "./hooks.js";
import { dedupeUpdates } from "./middleware/dedupeUpdates.js";
import { learnerContext } from "./middleware/learnerContext.js";
import { HTML } from "./ui.js";

export interface CreateBotOptions {
  /** Preset in tests (handleUpdate needs it) so no getMe call is made. */
  botInfo?: UserFromGetMe;
  /** Extra client options, e.g. a fake `fetch` in tests. The API root always comes from config. */
  client?: Omit<ApiClientOptions, "apiRoot">;
}

/**
 * The whole bot, wired in one place. Middleware runs in this order for every update:
 *
 *  1. updateLogger     ctx.log: a child logger with update_id, chat and user (first, so every later
 *                      step and the error handler log with it)
 *  2. sequentialize    updates of one chat run one after another (conversations, double taps)
 *  3. dedupeUpdates    an update id seen before is dropped (Telegram may deliver one twice)
 *  4. learnerContext   ctx.deps, the learner (registered on first private contact), ctx.lang, ctx.t
 *                      (in a group: the chat's own language, /chatlanguage)
 *  5. blocking         my_chat_member: a learner who blocks or unblocks the bot is marked (a
 *                      group's goes on to the ask feature: courseChats.ts, the bot removed or added)
 *  6. dialogs          a quiz or questionnaire open in the chat takes typed answers and /cancel
 *                      (their state lives in the database: every step is read from it)
 *  7. features         start, courses, mycourses, glossary, admin, staff, invitations, announce,
 *                      upload (authors' course files), versions (/versions, rollback), quiz, questionnaire, results,
 *                      ask; each runs under feature(name, …), which adds `feature` to
 *                      ctx.log while that feature handles the update
 *  8. fallback         last: unknown commands, free text, buttons nobody recognised
 *  bot.catch           logs with ctx.log and tells the person something went wrong
 *
 * What follows an enrollment (onEnrolled) is passed to the courses feature here, explicitly.
 */
export function createBot(deps: BotDeps, options: CreateBotOptions = {}): Bot<BotContext> {
  const bot = new Bot<BotContext>(deps.config.botToken, {
    botInfo: options.botInfo,
    client: { ...options.client, apiRoot: deps.config.botApiRoot },
  });
  // 429 "retry after N": wait and retry instead of failing the reply (also paces broadcasts).
  setUpReplyApi(bot.api);
  const log = (deps.logger ?? processLogger).child({ component: "bot" });
  const onEnrolled: OnEnrolled[] = [announceRunningModule, offerPreQuestionnaire];

  bot.use(updateLogger(log));
  // Updates of one chat run in order, so quizzes, questionnaires and double taps see a consistent state.
  bot.use(sequentialize(chatKey));
  bot.use(dedupeUpdates(deps.db, deps.clock));
  bot.use(learnerContext(deps));
  bot.use(feature("blocking", blockingFeature));
  // A quiz or questionnaire open in the chat takes typed answers and /cancel first (see dialogs.ts).
  bot.use(feature("dialogs", dialogsFeature));

  bot.use(feature("start", startFeature));
  bot.use(feature("courses", coursesFeature({ onEnrolled })));
  bot.use(feature("mycourses", myCoursesFeature));
  bot.use(feature("glossary", glossaryFeature));
  bot.use(feature("admin", adminFeature));
  bot.use(feature("staff", staffFeature));
  bot.use(feature("invitations", invitationsFeature));
  bot.use(feature("announce", announceFeature));
  // After announce (an announcement's draft may be a document), before ask: authors' course files.
  bot.use(feature("upload", courseUploadFeature));
  bot.use(feature("versions", courseVersionsFeature));
  bot.use(feature("quiz", quizFeature));
  bot.use(feature("quizstats", quizStatsFeature));
  bot.use(feature("questionnaire", questionnaireFeature));
  bot.use(feature("results", questionnaireResultsFeature));
  bot.use(feature("report", reportFeature));
  // Before ask: while the bot waits for the name to print on a certificate, typed text is that name.
  bot.use(feature("certificates", certificatesFeature));
  bot.use(feature("gradebook", gradebookFeature));
  bot.use(feature("ask", askFeature));
  bot.use(feature("fallback", fallbackFeature));

  bot.catch(async (err: BotError<BotContext>) => {
    const ctx = err.ctx;
    // An error in an early middleware leaves later context fields unset (typed as always there).
    const early = ctx as Partial<Pick<BotContext, "log" | "t">>;
    logBotError(early.log ?? log.child(updateBindings(ctx)), err.error);
    const t = early.t ?? translator(localeFromTelegram(ctx.from?.language_code) ?? deps.config.defaultLocale);
    // Tell the person something went wrong rather than leaving them waiting.
    try {
      // A full or read-only disk gets its own apology: nothing was saved, and trying again later will work.
      const key = isStorageError(err.error) ? "errors.storage" : "errors.internal";
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: t(key), show_alert: true });
      else if (ctx.chat?.type === "private") await ctx.reply(t(key), HTML);
    } catch {
      // Telegram unreachable or the user blocked us: nothing more to do for this update.
    }
  });
  return bot;
}

function updateBindings(ctx: BotContext): Record<string, number | undefined> {
  return { update_id: ctx.update.update_id, chat: ctx.chat?.id, user: ctx.from?.id };
}

/** The feature handling an update at the moment (feature() below), for ctx.log. */
const FEATURE = Symbol("feature");
type WithFeature = BotContext & { [FEATURE]?: string };

/**
 * ctx.log, made when first used: most updates log nothing, and a pino child per update and per
 * feature the update passed through (a dozen for a command near the end) cost more CPU than many
 * of the updates' own database reads.
 */
function updateLogger(log: Logger): MiddlewareFn<BotContext> {
  return async (ctx: BotContext, next: NextFunction) => {
    let base: Logger | undefined;
    const byFeature = new Map<string, Logger>();
    Object.defineProperty(ctx, "log", {
      configurable: true,
      enumerable: true,
      get(): Logger {
        base ??= log.child(updateBindings(ctx));
        const name = (ctx as WithFeature)[FEATURE];
        if (name === undefined) return base;
        let child = byFeature.get(name);
        if (!child) {
          child = base.child({ feature: name });
          byFeature.set(name, child);
        }
        return child;
      },
    });
    await next();
  };
}

/** Runs a feature with `feature` bound in ctx.log; an update it passes on gets the plain logger back. */
function feature(name: string, composer: Composer<BotContext>): MiddlewareFn<BotContext> {
  const inner = composer.middleware();
  return async (ctx: WithFeature, next) => {
    const parent = ctx[FEATURE];
    ctx[FEATURE] = name;
    await inner(ctx, async () => {
      ctx[FEATURE] = parent;
      await next();
    });
  };
}

function logBotError(log: Logger, e: unknown): void {
  // Only the code: a failed query's message lists its parameters, which may be a learner's words.
  if (isStorageError(e)) log.error({ code: sqliteCode(e) }, "the database could not save; the person was asked to retry");
  else if (e instanceof GrammyError)
    log.error({ method: e.method, code: e.error_code, description: e.description }, "Telegram refused a request");
  else if (e instanceof HttpError) log.error({ err: e.error }, "network error talking to Telegram");
  else log.error({ err: e }, "update failed");
}
