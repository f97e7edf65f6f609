import type { Config } from "../config.js";
import type { Db } from "./client.js";

/**
 * The people who author a course and receive its analysis reports. Today every id in AUTHOR_IDS
 * authors every course; the course-team feature (issue 9) replaces this one function.
 */
export function courseAuthors(_db: Db, config: Pick<Config, "authorIds">, _courseId: string): number[] {
  return [...config.authorIds].sort((a, b) => a - b);
}
