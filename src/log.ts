import pino, { type Logger } from "pino";

/** Bot tokens appear in API URLs; nothing we log may carry one. */
const TOKEN_RE = /\d{5,}:[A-Za-z0-9_-]{20,}/g;

export function redact(text: string): string {
  return text.replace(TOKEN_RE, "<token>");
}

/**
 * Fields that may hold a secret or a learner's own words: pino replaces them wherever they appear
 * one or two levels down, so a handler that logs an update or a row cannot leak them.
 */
export const REDACTED_PATHS = [
  "token",
  "botToken",
  "*.token",
  "*.botToken",
  "text",
  "*.text",
  "caption",
  "*.caption",
  "answer",
  "*.answer",
  "answers",
  "*.answers",
  "value",
  "*.value",
];

export type { Logger };

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
      err: (e: unknown) => {
        const s = pino.stdSerializers.err(e as Error);
        if (typeof s.message === "string") s.message = redact(s.message);
        if (typeof s.stack === "string") s.stack = redact(s.stack);
        return s;
      },
    },
    hooks: {
      // Messages are built from error texts now and then: a URL with the token must not slip through.
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === "string" ? redact(a) : a)) as Parameters<typeof method>);
      },
    },
  };
  if (options.destination) return pino(config, options.destination);
  if (options.pretty) return pino({ ...config, transport: { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" } } });
  return pino(config);
}

function defaultLevel(): string {
  if (process.env.LOG_LEVEL) return process.env.LOG_LEVEL;
  // Test runs print only what a test asks for.
  return process.env.VITEST ? "silent" : "info";
}

/** The process-wide logger; features and jobs take a child (`logger.child({ feature })`). */
export const logger: Logger = createLogger({ level: defaultLevel(), pretty: Boolean(process.stdout.isTTY) && !process.env.VITEST });
