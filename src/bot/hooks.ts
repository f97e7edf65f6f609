import type { Course } from "../db/schema/index.js";
import type { BotContext } from "./context.js";

/**
 * Features that react to a new enrollment (the running module's announcement, the pre-course
 * questionnaire) register here, so enrollment does not import them.
 */
export type OnEnrolled = (ctx: BotContext, course: Course) => Promise<void>;
export const onEnrolledHooks: OnEnrolled[] = [];
