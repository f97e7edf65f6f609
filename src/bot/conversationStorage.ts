/**
 * Quizzes and questionnaires used to run as @grammyjs/conversations, whose replay state was
 * saved only at the end of an update: a crash after an answer's commit left it one step behind
 * the chat. They now read their step from their own tables on every update (see
 * bot/features/quiz/ and bot/features/questionnaire/), so no conversation state is stored; the
 * old table (conversation_state, states of version 1) is dropped by the migration.
 */

/** One key function for runner's sequentialize: updates of one chat run in order. */
export function conversationKey(ctx: { chatId?: number }): string | undefined {
  return ctx.chatId?.toString();
}
