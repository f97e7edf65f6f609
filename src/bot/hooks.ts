import type { Course } from "../db/schema/index.js";
import type { BotContext } from "./context.js";

/**
 * Something a feature does after a learner enrolled (the running module's announcement, the
 * pre-course questionnaire). createBot hands the list to the courses feature, so enrollment does
 * not import those features and nothing depends on import order.
 */
export type OnEnrolled = (ctx: BotContext, course: Course) => Promise<void>;
