import { isatty } from "node:tty";
import pino, { type Logger } from "pino";

/** Bot tokens appear in API URLs; nothing we log may carry one. */
const TOKEN_RE = /\d{5,}:[A-Za-z0-9_-]{20,}/g;

export function redact(text: string): string {
  return text.replace(TOKEN_RE, "<token>");
}

/**
 * Fields that may hold a secret or a learner's own words: pino replaces them wherever they appear
 * up to a few levels down, so a handler that logs an update or a row cannot leak them.
 */
export const REDACTED_PATHS = [
  "token",
  "botToken",
  "*.token",
  "*.botToken",
  "text",
  "*.text",
  // An update (`{ update: { message: { text } } }`) puts the learner's words three levels down.
  "*.*.text",
  "caption",
  "*.caption",
  "*.*.caption",
  "answer",
  "*.answer",
  "answers",
  "*.answers",
  "value",
  "*.value",
];

export type { Logger };

/** The levels LOG_LEVEL accepts (config.ts validates it against this list). */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * pino's error serializer, made safe: every string field has the token replaced, a GrammyError's
 * `payload` (the request: a learner's text, a caption) is left out, and a wrapped error (HttpError's
 * `error`) becomes its redacted text.
 */
function serializeError(e: unknown): unknown {
  if (typeof e === "string") return redact(e);
  if (typeof e !== "object" || e === null) return e;
  const s = pino.stdSerializers.err(e as Error) as unknown as Record<string, unknown>;
  delete s.payload;
  for (const [key, value] of Object.entries(s)) {
    if (typeof value === "string") s[key] = redact(value);
    else if (key === "error" && typeof value === "object" && value !== null) {
      s[key] = redact(value instanceof Error ? (value.stack ?? value.message) : JSON.stringify(value));
    }
  }
  return s;
}

export interface LoggerOptions {
  level?: string;
  /** Human-readable lines (for a terminal); JSON lines otherwise. */
  pretty?: boolean;
  /** Where JSON lines go (tests pass a stream to read them back). */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const config: pino.LoggerOptions = {
    level: options.level ?? "info",
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    serializers: {
      err: serializeError,
    },
    hooks: {
      // Messages are built from error texts now and then: a URL with the token must not slip through.
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === "string" ? redact(a) : a)) as Parameters<typeof method>);
      },
    },
  };
  if (options.destination) return pino(config, options.destination);
  if (options.pretty)
    return pino({ ...config, transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" } } });
  return pino(config);
}

function defaultLevel(): string {
  // A bad value is reported by loadConfig with the variable's name; pino would throw at import.
  const fromEnv = process.env.LOG_LEVEL?.trim();
  if (isLogLevel(fromEnv)) return fromEnv;
  // Test runs print only what a test asks for.
  return process.env.VITEST ? "silent" : "info";
}

/** The process-wide logger; features and jobs take a child (`logger.child({ feature })`). */
export const logger: Logger = createLogger({ level: defaultLevel(), pretty: isatty(1) && !process.env.VITEST });
