/** Right after enrollment the pre-course questionnaire is offered (through the outbox, once). */
import { questionCount } from "../../../db/questionnaireRepo.js";
import type { Course } from "../../../db/schema/index.js";
import { isQuestionnaireOpen } from "../../../domain/questionnaire.js";
import { enqueue } from "../../../db/outboxRepo.js";
import { offerDedupeKey, offerMessage } from "../../../messages/questionnaireOffers.js";
import type { BotContext } from "../../context.js";

export async function offerPreQuestionnaire(ctx: BotContext, course: Course): Promise<void> {
  const { db, clock } = ctx.deps;
  const now = clock.now();
  const questions = questionCount(db, course, "pre");
  if (questions === undefined || !isQuestionnaireOpen("pre", course, now)) return;
  enqueue(
    db,
    {
      dedupeKey: offerDedupeKey("offer", "pre", course.id, ctx.from!.id),
      kind: "questionnaire-offer",
      chatId: ctx.from!.id,
      method: "sendMessage",
      payload: offerMessage(course, "pre", "offer", ctx.lang, questions, now),
    },
    now,
  );
  ctx.deps.kickOutbox?.();
}
