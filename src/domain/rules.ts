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
  progress: { passed: 40, certificate: 85 },
  /** Learners who have not passed a module's quiz are reminded this long before it closes. */
  deadlineReminderHours: 24,
  telegramMaxMessageLength: 4096,
  telegramMaxCaptionLength: 1024,
  telegramMaxCallbackDataBytes: 64,
} as const;
