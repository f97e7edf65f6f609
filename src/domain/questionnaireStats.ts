/**
 * Questionnaire summaries from counted answers (each distinct answer once, with how many gave
 * it), as SQL aggregates them: the same figures as summarizeQuestion over every answer, at the
 * cost of the distinct answers only.
 */
import { isValidAnswer, type AnswerValue, type NumericStats, type Question, type QuestionSummary } from "./questionnaire.js";

export interface CountedSummary extends QuestionSummary {
  /** Free-text questions: how many texts there are (`texts` holds only the first ones). */
  textCount: number;
}

/** Mean, median, min and max of values given with their counts. */
export function countedNumericStats(values: readonly { value: number; count: number }[]): NumericStats | null {
  const sorted = values.filter((v) => v.count > 0).sort((a, b) => a.value - b.value);
  const count = sorted.reduce((s, v) => s + v.count, 0);
  if (count === 0) return null;
  // The k-th smallest value (0-based), walking the cumulative counts.
  const nth = (k: number) => {
    let seen = 0;
    for (const v of sorted) {
      seen += v.count;
      if (k < seen) return v.value;
    }
    return sorted[sorted.length - 1]!.value;
  };
  const mid = Math.floor(count / 2);
  return {
    count,
    mean: sorted.reduce((s, v) => s + v.value * v.count, 0) / count,
    median: count % 2 ? nth(mid) : (nth(mid - 1) + nth(mid)) / 2,
    min: sorted[0]!.value,
    max: sorted[sorted.length - 1]!.value,
  };
}

/**
 * A non-text question's summary from its counted answers (null = skipped). Answers that are not
 * valid for the question as it is now (the file changed) are left out, as summarizeQuestion does.
 */
export function summarizeCounted(q: Question, counted: readonly { value: AnswerValue; count: number }[]): CountedSummary {
  const given = counted.filter((c) => c.value !== null && isValidAnswer(q, c.value));
  const summary: CountedSummary = {
    question: q,
    answered: given.reduce((s, c) => s + c.count, 0),
    skipped: counted.filter((c) => c.value === null).reduce((s, c) => s + c.count, 0),
    distribution: [],
    numeric: null,
    texts: [],
    textCount: 0,
  };
  const tally = (keys: string[], pick: (a: AnswerValue) => string[]) => {
    const counts = new Map(keys.map((k) => [k, 0]));
    for (const c of given) for (const k of pick(c.value)) counts.set(k, (counts.get(k) ?? 0) + c.count);
    summary.distribution = [...counts].map(([key, n]) => ({ key, count: n }));
  };
  const numbers = () => given.map((c) => ({ value: c.value as number, count: c.count }));
  switch (q.type) {
    case "rating":
      tally(
        Array.from({ length: q.max - q.min + 1 }, (_, i) => String(q.min + i)),
        (a) => [String(a)],
      );
      summary.numeric = countedNumericStats(numbers());
      break;
    case "single":
      tally(
        q.options.map((o) => o.id),
        (a) => [a as string],
      );
      break;
    case "multiple":
      tally(
        q.options.map((o) => o.id),
        (a) => a as string[],
      );
      break;
    case "yes_no":
      tally(["yes", "no"], (a) => [a ? "yes" : "no"]);
      break;
    case "number":
      summary.numeric = countedNumericStats(numbers());
      break;
    case "text":
      break;
  }
  return summary;
}

/** A free-text question's summary: its count, skips and the first texts. */
export function summarizeTexts(q: Question, answered: number, skipped: number, first: string[]): CountedSummary {
  return { question: q, answered, skipped, distribution: [], numeric: null, texts: first, textCount: answered };
}
