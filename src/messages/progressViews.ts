import type { Locale } from "../domain/locale.js";
import { nextGoal, type GoalModule } from "../domain/progressGoal.js";
import { RULES } from "../domain/rules.js";
import type { ModuleProgress } from "../db/quizAttemptsRepo.js";
import { formatNumber } from "./format.js";
import type { T } from "./i18n.js";

/**
 * /progress at a glance (issue 10 item 5): a text bar of the course progress, and what is still
 * needed for the next status of the progress schedule (40% passed, 85% certificate).
 */
const CELLS = 10;

/** `▓▓▓▓▓▓░░░░ 62%`: a cell per 10%, filled only when reached (99.9% is not a full bar). */
export function progressBar(percent: number, lang: Locale): string {
  const filled = Math.max(0, Math.min(CELLS, Math.floor((percent * CELLS) / 100 + 1e-9)));
  return `${"▓".repeat(filled)}${"░".repeat(CELLS - filled)} ${formatNumber(percent, lang)}%`;
}

/** A module's quiz can still raise the course progress: not closed, attempts left or one running. */
export function goalModules(modules: readonly ModuleProgress[]): GoalModule[] {
  return modules.map((m) => ({
    score: m.score,
    improvable: m.availability.state === "open" || m.availability.state === "in_progress" || m.availability.state === "not_open",
  }));
}

/** "2 more module quizzes at 100% (+23 points) → certificate at 85%", or that the top is reached. */
export function nextGoalLine(t: T, lang: Locale, percent: number, modules: readonly ModuleProgress[]): string {
  const goal = nextGoal(percent, goalModules(modules));
  if (goal.kind === "top") return t("progressGoal.top", { threshold: RULES.progress.certificate });
  const target = t(`progressGoal.target.${goal.next}`, { threshold: goal.threshold });
  if (goal.kind === "out_of_reach") return t("progressGoal.out_of_reach", { target });
  return t("progressGoal.reachable", { count: goal.modules, points: formatNumber(goal.points, lang), target });
}
