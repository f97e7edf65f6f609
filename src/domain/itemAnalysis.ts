/**
 * Classical item analysis of quiz questions, as Moodle's quiz statistics report it. Pure: the
 * database hands over sums (so 100,000 attempts never sit in memory) and this turns them into
 * indices and flags.
 *
 * Observations: each learner's FIRST finished attempt at a quiz (independent observations, as in
 * Moodle's "first attempt" analysis; later attempts are shaped by the feedback of the first),
 * and in it every question the learner answered.
 */

/** Sums over the answers given to one question, collected by an aggregate query. */
export interface ItemSums {
  /** Answers given. */
  n: number;
  /** Σ item score (0..1). */
  sumX: number;
  sumX2: number;
  /** Σ rest score: the attempt's percent without this item's contribution. */
  sumY: number;
  sumY2: number;
  sumXY: number;
  /** Answers (and Σ item score) from attempts in the top and the bottom third by attempt score. */
  topN: number;
  topSumX: number;
  bottomN: number;
  bottomSumX: number;
}

export type ItemFlag = "too_easy" | "too_hard" | "negative_discrimination";

export const ITEM_THRESHOLDS = {
  /** Facility above this: too easy (domain: >90%). */
  easyAbove: 0.9,
  /** Facility below this: too hard (domain: <20%). */
  hardBelow: 0.2,
} as const;

export interface ItemStats {
  n: number;
  /** Mean item score 0..1 (for one-answer questions: the share answered right). */
  facility: number;
  /** Facility in the top third minus facility in the bottom third, -1..1; null without both groups. */
  discrimination: number | null;
  /** Correlation of the item score with the rest of the attempt (corrected point-biserial); null when undefined. */
  pointBiserial: number | null;
  flags: ItemFlag[];
}

/** Pearson correlation from sums; null when either variable does not vary. */
export function correlationFromSums(n: number, sx: number, sx2: number, sy: number, sy2: number, sxy: number): number | null {
  if (n < 2) return null;
  const vx = n * sx2 - sx * sx;
  const vy = n * sy2 - sy * sy;
  // Sums of floats: treat a variance within rounding noise of zero as none.
  if (vx <= 1e-9 * Math.max(1, n * sx2) || vy <= 1e-9 * Math.max(1, n * sy2)) return null;
  const r = (n * sxy - sx * sy) / Math.sqrt(vx * vy);
  return Math.max(-1, Math.min(1, r));
}

export function itemStats(s: ItemSums): ItemStats {
  const facility = s.n > 0 ? s.sumX / s.n : 0;
  const discrimination = s.topN > 0 && s.bottomN > 0 ? s.topSumX / s.topN - s.bottomSumX / s.bottomN : null;
  const pointBiserial = correlationFromSums(s.n, s.sumX, s.sumX2, s.sumY, s.sumY2, s.sumXY);
  return { n: s.n, facility, discrimination, pointBiserial, flags: itemFlags(s.n, facility, discrimination, pointBiserial) };
}

/**
 * The flags of domain.md's item analysis. Negative discrimination (a likely wrong key) is read
 * from the point-biserial against the REST of the attempt (the thirds' index counts the item in
 * the total it sorts by, which hides a wrong key among many items), else from the thirds.
 */
export function itemFlags(n: number, facility: number, discrimination: number | null, pointBiserial: number | null): ItemFlag[] {
  if (n === 0) return [];
  const flags: ItemFlag[] = [];
  if (facility > ITEM_THRESHOLDS.easyAbove) flags.push("too_easy");
  if (facility < ITEM_THRESHOLDS.hardBelow) flags.push("too_hard");
  const d = pointBiserial ?? discrimination;
  if (d !== null && d < -1e-9) flags.push("negative_discrimination");
  return flags;
}

/** Flagged questions first (negative discrimination, then too hard, then too easy), then the rest in bank order. */
export function flaggedFirst<T extends { position: number; stats: ItemStats }>(items: readonly T[]): T[] {
  const rank = (i: T) =>
    i.stats.flags.includes("negative_discrimination")
      ? 0
      : i.stats.flags.includes("too_hard")
        ? 1
        : i.stats.flags.includes("too_easy")
          ? 2
          : 3;
  return [...items].sort((a, b) => rank(a) - rank(b) || a.position - b.position);
}

/**
 * Which third of the attempts (ordered by score, then id) the k-th of n falls in: 1 bottom, 3 top.
 * Same split as SQLite's NTILE(3): the first groups take the remainder.
 */
export function thirdOf(k: number, n: number): 1 | 2 | 3 {
  const base = Math.floor(n / 3);
  const extra = n % 3;
  const size1 = base + (extra > 0 ? 1 : 0);
  const size2 = base + (extra > 1 ? 1 : 0);
  return k < size1 ? 1 : k < size1 + size2 ? 2 : 3;
}
