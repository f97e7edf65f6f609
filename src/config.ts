import { existsSync, statSync } from "node:fs";
import { z } from "zod";
import { isIanaTimeZone } from "./domain/time.js";

import { LOCALES, type Locale } from "./domain/locale.js";
import { LOG_LEVELS, type LogLevel } from "./log.js";

export interface Config {
  botToken: string;
  botApiRoot: string;
  databasePath: string;
  coursesDir: string;
  /** Platform admins: every role in every course, staff management, /reload (ADMIN_IDS plus the deprecated AUTHOR_IDS). */
  adminIds: ReadonlySet<number>;
  /** AUTHOR_IDS was set: main.ts says once that it is deprecated in favour of ADMIN_IDS. */
  deprecatedAuthorIds: boolean;
  assistantChatId: number | null;
  defaultLocale: Locale;
  timezone: string;
  /** Messages per second the outbox may send overall (Telegram allows about 30). */
  broadcastRate: number;
  /** Local hour (in TIMEZONE) when the assistants' chat gets the daily digest of open questions. */
  digestHour: number;
  /** pino level: trace, debug, info, warn, error, fatal or silent. */
  logLevel: LogLevel;
}

export class ConfigError extends Error {}

const idList = z
  .string()
  .trim()
  .refine((s) => s === "" || s.split(",").every((p) => /^\s*\d+\s*$/.test(p)), {
    error: "must be a comma-separated list of numeric Telegram user ids, e.g. 12345,67890",
  })
  .transform((s) => new Set(s === "" ? [] : s.split(",").map((p) => Number(p.trim()))));

const defaultLocaleSchema = z.enum(LOCALES, { error: "must be one of kk, ru, en" }).default("kk");

const schema = z.object({
  BOT_TOKEN: z
    .string({ error: "is required: get a token from @BotFather and put BOT_TOKEN=... in .env" })
    .trim()
    .regex(/^\d+:[\w-]+$/, { error: "does not look like a bot token (expected 123456:ABC-...)" }),
  BOT_API_ROOT: z
    .string()
    .trim()
    .pipe(z.url({ error: "must be a URL such as http://127.0.0.1:8081" }))
    .transform((s) => s.replace(/\/+$/, ""))
    .default("https://api.telegram.org"),
  DATABASE_PATH: z.string().trim().min(1).default("./data/bot.sqlite"),
  COURSES_DIR: z.string().trim().min(1).default("./courses"),
  ADMIN_IDS: idList.default(new Set<number>()),
  /** Deprecated alias of ADMIN_IDS (before per-course roles, every author authored everything). */
  AUTHOR_IDS: idList.optional(),
  ASSISTANT_CHAT_ID: z
    .string()
    .trim()
    .regex(/^-?\d+$/, { error: "must be a numeric chat id (groups are negative, e.g. -1001234567890)" })
    .transform(Number)
    .optional(),
  DEFAULT_LOCALE: defaultLocaleSchema,
  TIMEZONE: z.string().trim().refine(isIanaTimeZone, { error: "must be an IANA time zone such as Asia/Almaty" }).default("Asia/Almaty"),
  BROADCAST_RATE: z.coerce
    .number({ error: "must be a number of messages per second" })
    .positive({ error: "must be a positive number of messages per second" })
    .max(30, { error: "must not exceed Telegram's limit of 30 messages per second" })
    .default(25),
  DIGEST_HOUR: z.coerce
    .number({ error: "must be an hour from 0 to 23" })
    .int({ error: "must be a whole hour from 0 to 23" })
    .min(0, { error: "must be an hour from 0 to 23" })
    .max(23, { error: "must be an hour from 0 to 23" })
    .default(9),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
});

/** Parses the environment once. Throws ConfigError with one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings in .env mean "not set", so defaults apply.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${String(i.path[0] ?? "config")} ${i.message}`);
    throw new ConfigError(lines.join("\n"));
  }
  const e = parsed.data;
  const dirProblem = coursesDirProblem(e.COURSES_DIR);
  if (dirProblem) throw new ConfigError(`COURSES_DIR ${dirProblem}`);
  return {
    botToken: e.BOT_TOKEN,
    botApiRoot: e.BOT_API_ROOT,
    databasePath: e.DATABASE_PATH,
    coursesDir: e.COURSES_DIR,
    adminIds: new Set([...e.ADMIN_IDS, ...(e.AUTHOR_IDS ?? [])]),
    deprecatedAuthorIds: e.AUTHOR_IDS !== undefined,
    assistantChatId: e.ASSISTANT_CHAT_ID ?? null,
    defaultLocale: e.DEFAULT_LOCALE,
    timezone: e.TIMEZONE,
    broadcastRate: e.BROADCAST_RATE,
    digestHour: e.DIGEST_HOUR,
    logLevel: e.LOG_LEVEL,
  };
}

/** DEFAULT_LOCALE alone, for command-line tools that need no BOT_TOKEN. */
export function defaultLocaleFromEnv(env: NodeJS.ProcessEnv = process.env): Locale {
  const parsed = defaultLocaleSchema.safeParse(env.DEFAULT_LOCALE?.trim() || undefined);
  if (!parsed.success) throw new ConfigError(`DEFAULT_LOCALE ${parsed.error.issues[0]?.message ?? "is invalid"}`);
  return parsed.data;
}

/**
 * The bot does not start without its course folder: a typo in COURSES_DIR would otherwise serve
 * an empty catalogue without a word. An empty folder is fine (courses come with /reload).
 */
function coursesDirProblem(dir: string): string | null {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      return `"${dir}" does not exist: create the folder and put the course files (.yaml) in it, or point COURSES_DIR at the folder that holds them`;
    }
    return `"${dir}" cannot be opened (${code ?? String(err)}): check the folder's permissions`;
  }
  return isDir ? null : `"${dir}" is a file, not a folder: point COURSES_DIR at the folder that holds the course files`;
}

/** Reads ./.env (or ENV_FILE) into process.env when present; real environment variables win. */
export function loadDotEnv(path = process.env.ENV_FILE?.trim() || ".env"): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
