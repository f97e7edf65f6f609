import { progressStatus, type ProgressStatus } from "./quiz.js";
import { RULES } from "./rules.js";

/**
 * What a learner still needs for the next status of the progress schedule (domain.md): the
 * course percentage points missing, and the fewest module quizzes that would have to reach 100%
 * to get there, counting only quizzes the learner can still take (not closed, attempts left).
 */
export type NextGoal =
  | { kind: "top"; status: "certificate" }
  | { kind: "reachable"; next: Exclude<ProgressStatus, "not_completed">; threshold: number; points: number; modules: number }
  | { kind: "out_of_reach"; next: Exclude<ProgressStatus, "not_completed">; threshold: number };

export interface GoalModule {
  /** Counted score in percent, null when no attempt is finished. */
  score: number | null;
  /** The learner can still raise it: the quiz is not closed and has attempts left (or one running). */
  improvable: boolean;
}

export function nextGoal(percent: number, modules: readonly GoalModule[]): NextGoal {
  const status = progressStatus(percent);
  if (status === "certificate") return { kind: "top", status };
  const next = status === "passed" ? "certificate" : "passed";
  const threshold = next === "certificate" ? RULES.progress.certificate : RULES.progress.passed;
  const n = modules.length;
  // Largest gains first: each improvable module can add (100 - score) / n points of the course.
  const gains = modules
    .filter((m) => m.improvable)
    .map((m) => (100 - (m.score ?? 0)) / Math.max(1, n))
    .sort((a, b) => b - a);
  let sum = percent;
  for (let k = 0; k < gains.length; k++) {
    sum += gains[k]!;
    if (sum + 1e-9 >= threshold) return { kind: "reachable", next, threshold, points: roundUpTenth(threshold - percent), modules: k + 1 };
  }
  return { kind: "out_of_reach", next, threshold };
}

/** Points shown to a learner are rounded up: "2.1 more points" must really be enough. */
function roundUpTenth(x: number): number {
  return Math.ceil(x * 10 - 1e-6) / 10;
}
