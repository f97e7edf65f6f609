/**
 * The numbers of the MOOC regulations (shared/domain.md), in one place.
 * Everything that enforces, warns about or displays them imports from here.
 */
export const RULES = {
  modulesPerCourse: { min: 4, max: 6 },
  hoursPerWeek: { min: 3, max: 5 },
  lessonsPerWeek: { min: 2, max: 4 },
  maxCourseHours: 30,
  /** A module's quiz bank should have MORE than this many questions. */
  minPracticeQuestionsExclusive: 10,
  minTestItemsPerCourse: 100,
  enrollmentOpensDaysBeforeStart: 14,
  enrollmentClosesDaysAfterStart: 14,
  daysPerModule: 7,
  maxModuleOpenDays: 14,
  launchNoticeDaysBeforeStart: 14,
  analysisDaysAfterEnd: 14,
  announcementLength: { min: 400, max: 600 },
  maxQuestionnaireQuestions: 15,
  /** The pre-course questionnaire stays open this many days after the start (the first week). */
  preQuestionnaireOpenDaysAfterStart: 7,
  /** One reminder for the pre-course questionnaire, this many days before the start. */
  preQuestionnaireReminderDaysBeforeStart: 2,
  /** One reminder for the post-course questionnaire, this many days after the end. */
  postQuestionnaireReminderDaysAfterEnd: 3,
  /** Limits that keep a questionnaire usable in a chat. */
  questionnaire: { maxRatingPoints: 11, maxOptions: 10, maxTextLength: 3000, defaultTextLength: 1000, maxOptionLength: 56 },
  progress: { passed: 40, certificate: 85 },
  /** Learners who have not passed a module's quiz are reminded this long before it closes. */
  deadlineReminderHours: 24,
  telegramMaxMessageLength: 4096,
  telegramMaxCaptionLength: 1024,
  telegramMaxCallbackDataBytes: 64,
  /** Learners' questions to the instructor's assistants (forum questions, domain.md). */
  questions: {
    /** Questions a learner may have waiting for an answer at once. */
    maxOpenPerLearner: 3,
    /** Minimum pause between two messages to the assistants (a question or a follow-up). */
    minSecondsBetween: 60,
    /** Longest question text (the header for the assistants must still fit in one message). */
    maxLength: 3000,
    /** An unfinished /ask flow is forgotten after this many minutes of silence. */
    draftMinutes: 30,
    /** How much of the question is quoted back with an answer, and in lists. */
    quoteLength: 300,
    listSnippetLength: 120,
    /**
     * A question younger than this may still be being posted by the update that made it (or by that
     * update handled again after a crash); the redelivery job takes care of older ones.
     */
    settledMinutes: 2,
    /** Questions of each kind (waiting, for the instructor) a list or digest shows; it counts the rest. */
    listLimit: 30,
  },
} as const;
