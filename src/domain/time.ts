/**
 * Wall-clock time in an IANA zone, computed with Intl only (no tz database of our own).
 * Course dates are written as local dates in the course's zone; we store UTC milliseconds.
 */

export interface LocalDateTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    partsFormatters.set(timeZone, f);
  }
  return f;
}

export function isIanaTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone.includes("/") || zone === "UTC";
  } catch {
    return false;
  }
}

/** The wall-clock reading in `timeZone` at the instant `ms`. */
export function toLocal(ms: number, timeZone: string): LocalDateTime & { second: number } {
  const p: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== "literal") p[part.type] = Number(part.value);
  }
  return {
    year: p.year!,
    month: p.month!,
    day: p.day!,
    hour: p.hour!,
    minute: p.minute!,
    second: p.second!,
  };
}

function offsetAt(ms: number, timeZone: string): number {
  const l = toLocal(ms, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The UTC instant at which the zone's clocks show `local`. */
export function fromLocal(local: LocalDateTime, timeZone: string): number {
  const naive = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  // Two passes settle the offset even when `local` sits next to a DST change.
  let guess = naive - offsetAt(naive, timeZone);
  guess = naive - offsetAt(guess, timeZone);
  return guess;
}

/** Same wall-clock time `days` calendar days later in the zone (DST-safe, unlike adding 24h). */
export function addLocalDays(ms: number, days: number, timeZone: string): number {
  const l = toLocal(ms, timeZone);
  const shifted = new Date(Date.UTC(l.year, l.month - 1, l.day + days));
  return fromLocal(
    {
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
      hour: l.hour,
      minute: l.minute,
    },
    timeZone,
  );
}

/** Midnight at the start of the local day containing `ms`. */
export function startOfLocalDay(ms: number, timeZone: string): number {
  const l = toLocal(ms, timeZone);
  return fromLocal({ year: l.year, month: l.month, day: l.day, hour: 0, minute: 0 }, timeZone);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/;
const RELATIVE_RE = /^today(?:\s*([+-])\s*(\d{1,3}))?$/;

/**
 * Parses a course-file date: `2026-09-01`, `2026-09-01 09:00` (local to the zone), or
 * `today`, `today+21`, `today-3` (local midnight, relative to `now`: used by demo courses).
 * Returns null when the text is neither.
 */
export function parseCourseDate(text: string, timeZone: string, now: number): { ms: number; relative: boolean } | null {
  const s = text.trim();
  const rel = RELATIVE_RE.exec(s);
  if (rel) {
    const days = rel[2] ? Number(rel[2]) * (rel[1] === "-" ? -1 : 1) : 0;
    return { ms: addLocalDays(startOfLocalDay(now, timeZone), days, timeZone), relative: true };
  }
  const m = DATE_RE.exec(s);
  if (!m) return null;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0"].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) return null;
  return { ms: fromLocal({ year, month, day, hour, minute }, timeZone), relative: false };
}
