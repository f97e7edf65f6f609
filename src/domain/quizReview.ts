/**
 * When a learner may review a finished attempt with the right answers: the quiz's choice, as in
 * Moodle's review options. `close` (the default) keeps the right answers back until the quiz's
 * deadline, so they cannot be passed on to others while the quiz is still open (fairness rule).
 */
export const REVIEW_AFTER = ["attempt", "close", "never"] as const;
export type ReviewAfter = (typeof REVIEW_AFTER)[number];
export const DEFAULT_REVIEW_AFTER: ReviewAfter = "close";

export type ReviewAccess =
  | { state: "open" }
  /** `close` before the deadline: review opens at `opensAt` (the quiz's deadline). */
  | { state: "after_close"; opensAt: number }
  | { state: "never" }
  /** The attempt is still running: nothing to review yet. */
  | { state: "unfinished" };

export function reviewAccess(policy: ReviewAfter, attempt: { finishedAt: number | null }, quizClosesAt: number, now: number): ReviewAccess {
  if (policy === "never") return { state: "never" };
  if (attempt.finishedAt === null) return { state: "unfinished" };
  if (policy === "close" && now < quizClosesAt) return { state: "after_close", opensAt: quizClosesAt };
  return { state: "open" };
}
