import { RULES } from "./rules.js";
import { toLocal } from "./time.js";

/** Why a learner may not send another question right now (flood limits, RULES.questions). */
export type AskRefusal = { reason: "too_many_open"; max: number } | { reason: "too_soon"; waitSeconds: number };

/**
 * `openCount` counts the learner's questions still waiting for an answer; `lastAt` is the time of
 * their last question or follow-up. A follow-up to an existing question passes `newQuestion: false`:
 * it does not add an open question, but the pause between messages still applies.
 */
export function askRefusal(o: { openCount: number; lastAt: number | null; now: number; newQuestion: boolean }): AskRefusal | null {
  const { maxOpenPerLearner, minSecondsBetween } = RULES.questions;
  if (o.newQuestion && o.openCount >= maxOpenPerLearner) return { reason: "too_many_open", max: maxOpenPerLearner };
  if (o.lastAt !== null) {
    const elapsed = o.now - o.lastAt;
    if (elapsed < minSecondsBetween * 1000) {
      return { reason: "too_soon", waitSeconds: Math.max(1, Math.ceil((minSecondsBetween * 1000 - elapsed) / 1000)) };
    }
  }
  return null;
}

/** How long a question has waited, in whole days, hours and minutes. */
export function ageParts(ms: number): { days: number; hours: number; minutes: number } {
  const totalMinutes = Math.max(0, Math.floor(ms / 60_000));
  return {
    days: Math.floor(totalMinutes / 1440),
    hours: Math.floor((totalMinutes % 1440) / 60),
    minutes: totalMinutes % 60,
  };
}

/**
 * The local day (YYYY-MM-DD in `timeZone`) whose digest is due at `now`, or null before the
 * digest hour. The day names the digest, so a job ticking every minute enqueues it once a day.
 */
export function digestDay(now: number, timeZone: string, hour: number): string | null {
  const l = toLocal(now, timeZone);
  if (l.hour < hour) return null;
  return `${l.year}-${String(l.month).padStart(2, "0")}-${String(l.day).padStart(2, "0")}`;
}

/** A short one-line excerpt of a text, for lists and quotes. */
export { snippet } from "./text.js";
