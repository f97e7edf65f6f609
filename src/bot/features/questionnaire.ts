/**
 * The pre- and post-course questionnaires: opening one (questionnaire/open.ts), answering it one
 * question at a time with every change saved at once (questionnaire/answers.ts, steps.ts), the
 * offer right after enrollment (questionnaire/offerOnEnroll.ts) and the /mycourses fragment
 * (questionnaire/myCourses.ts). Offers and reminders sent by jobs are rendered in
 * messages/questionnaireOffers.ts.
 */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { questionnaireAnswers } from "./questionnaire/answers.js";
import { offerPreQuestionnaire } from "./questionnaire/offerOnEnroll.js";
import { questionnaireOpening } from "./questionnaire/open.js";

export { offerPreQuestionnaire };
export { openQuestionnaire } from "./questionnaire/open.js";
export { myCoursesQuestionnaires } from "./questionnaire/myCourses.js";

export const questionnaireFeature = new Composer<BotContext>();
questionnaireFeature.use(questionnaireOpening);
questionnaireFeature.use(questionnaireAnswers);
