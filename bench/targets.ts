/**
 * The ONE place where the bench calls into the jobs, reports and tables that other work is
 * rewriting. After a merge, re-point these functions; the rest of the bench stays as it is.
 */
import type { Db } from "../src/db/client.js";

/** How many questions the learner's latest quiz attempt has (the interactive bench answers them all). */
export function currentAttemptLength(db: Db, learnerId: number): number {
  const row = db.$client
    .prepare("SELECT json_array_length(variant) AS n FROM quiz_attempts WHERE learner_id = ? ORDER BY id DESC LIMIT 1")
    .get(learnerId) as { n: number } | undefined;
  return row?.n ?? 0;
}
