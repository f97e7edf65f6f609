/**
 * One key per chat for runner's sequentialize: updates of one chat run in order, so a quiz, a
 * questionnaire or a double tap never sees a half-applied state. (Quizzes and questionnaires keep
 * their whole state in their own tables: see bot/features/quiz/ and bot/features/questionnaire/.)
 */
export function chatKey(ctx: { chatId?: number }): string | undefined {
  return ctx.chatId?.toString();
}
