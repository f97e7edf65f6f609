/**
 * The numbers of a course's analysis report, language-free: the charts, the PDF, /report and
 * the automatic job all read this one structure. Built from aggregate queries (analysisRepo, itemAnalysisRepo, questionnaireCountsRepo)
 * and yields to the event loop between them, so the bot keeps replying while it is computed.
 */
import { setImmediate as tick } from "node:timers/promises";
import {
  addProgressPart,
  analysisFingerprint,
  emptyProgress,
  enrollmentCounts,
  learnerRanges,
  liveQuizzes,
  progressPart,
  type EnrollmentCounts,
} from "./analysisRepo.js";
import {
  accumulateItems,
  accumulateMultiOptions,
  addFirstAttempts,
  addOtherAttempts,
  answerIdRanges,
  createItemTables,
  dropItemTables,
  itemGroups,
  multiOptionCounts,
  scanAnswers,
} from "./itemAnalysisRepo.js";
import { answerCounts, questionnaireCounts, responseIdRanges, textAnswers, type ResponseCounts } from "./questionnaireCountsRepo.js";
import type { Db } from "./client.js";
import { getModules } from "./coursesRepo.js";
import { courseQuestionnaires } from "./questionnaireRepo.js";
import { quizBank } from "./quizRepo.js";
import { identicalWrongAnswersIn, type IdenticalWrong, type QuestionTally } from "./reportsRepo.js";
import type { Course, Module, Quiz } from "./schema/index.js";
import { itemStats, type ItemStats, type ItemSums } from "../domain/itemAnalysis.js";
import { comparableQuestions, type Question, type QuestionnaireKind } from "../domain/questionnaire.js";
import type { QuizQuestion } from "../domain/quiz.js";
import { floorTenth } from "../domain/quiz.js";

/** Free-text answers per question kept for the PDF; the rest are counted. */
export const TEXTS_PER_QUESTION = 30;

export interface ItemAnalysisRow {
  /** Position in the quiz bank (0-based). */
  position: number;
  question: QuizQuestion | undefined;
  stats: ItemStats;
  /** Choice questions: how often each option (bank order) was chosen; true/false: [true, false]. */
  options: number[];
}

export interface ModuleAnalysis {
  quiz: Quiz;
  module: Module;
  /** Learners with at least one attempt. */
  takers: number;
  /** Learners with a module score (a finished attempt). */
  scored: number;
  passed: number;
  /** Mean module score of the learners with one, percent; null when nobody finished. */
  average: number | null;
  items: ItemAnalysisRow[];
}

export interface QuestionAnalysis {
  question: Question;
  answered: number;
  skipped: number;
  /** Ratings, choices, yes/no: count per key (rating value, option id, "yes"/"no") in display order. */
  distribution: { key: string; count: number }[];
  /** Numbers (and ratings): every distinct value with its count, ascending, for histograms and means. */
  values: { value: number; count: number }[];
  mean: number | null;
  /** Free text: the first answers and how many there are. */
  texts: string[];
  textTotal: number;
}

export interface QuestionnaireAnalysis {
  kind: QuestionnaireKind;
  counts: ResponseCounts;
  questions: QuestionAnalysis[];
}

export interface CourseAnalysis {
  course: Course;
  modules: Module[];
  computedAt: number;
  enrollment: EnrollmentCounts;
  funnel: { tookQuiz: number; passedCourse: number; certificate: number };
  /** Learners per 5% progress bucket, over everyone who enrolled. */
  progressBuckets: number[];
  quizzes: ModuleAnalysis[];
  questionnaires: QuestionnaireAnalysis[];
  /** Questions shared by the pre and post questionnaires (same id, comparable type). */
  comparisons: { pre: QuestionAnalysis; post: QuestionAnalysis }[];
  fingerprint: string;
}

/** True when there is nothing to draw: nobody enrolled and no questionnaire was submitted. */
export function isEmptyAnalysis(a: CourseAnalysis): boolean {
  return a.enrollment.enrolled === 0 && a.questionnaires.every((q) => q.counts.submitted === 0);
}

/** One range over every id: the queries unsliced. */
const EVERYONE = { from: Number.MIN_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER };

export interface AnalysisOptions {
  /**
   * Learners per chunk of the heavy queries (smaller: shorter pauses of the event loop). Infinity:
   * no chunks at all, for a thread with nothing else to do (the report worker), which saves the
   * queries that find the chunks' bounds.
   */
  chunkSize?: number;
  /** Awaited between queries; defaults to yielding to the event loop. */
  pause?: () => Promise<unknown>;
}

export async function analyseCourse(db: Db, course: Course, now: number, options: AnalysisOptions = {}): Promise<CourseAnalysis> {
  const pause = options.pause ?? (() => tick());
  const whole = options.chunkSize === Infinity;
  const modules = getModules(db, course.id);
  const enrollment = enrollmentCounts(db, course.id);
  const quizzes = liveQuizzes(db, course.id);
  await pause();

  const progress = emptyProgress();
  for (const range of whole ? [EVERYONE] : learnerRanges(db, course.id, options.chunkSize)) {
    await pause();
    addProgressPart(progress, progressPart(db, course.id, quizzes, range));
  }

  const items = await itemAnalysis(
    db,
    quizzes.map((q) => q.quiz),
    pause,
    whole ? Infinity : undefined,
  );
  const moduleRows: ModuleAnalysis[] = [];
  for (const { quiz, module } of quizzes) {
    const m = progress.modules.get(quiz.id) ?? { takers: 0, scored: 0, passed: 0, scoreSum: 0 };
    moduleRows.push({
      quiz,
      module,
      takers: m.takers,
      scored: m.scored,
      passed: m.passed,
      average: m.scored > 0 ? floorTenth(m.scoreSum / m.scored) : null,
      items: items.get(quiz.id) ?? [],
    });
  }

  const qs = courseQuestionnaires(db, course.id);
  const questionnaires: QuestionnaireAnalysis[] = [];
  for (const kind of ["pre", "post"] as const) {
    const questions = qs[kind];
    if (!questions) continue;
    await pause();
    questionnaires.push({
      kind,
      counts: questionnaireCounts(db, course.id, kind),
      questions: await analyseQuestions(db, course.id, kind, questions, pause, whole),
    });
  }
  const comparisons: CourseAnalysis["comparisons"] = [];
  const pre = questionnaires.find((q) => q.kind === "pre");
  const post = questionnaires.find((q) => q.kind === "post");
  if (pre && post) {
    for (const [a, b] of comparableQuestions(qs.pre!, qs.post!)) {
      if (a.type === "text") continue;
      const pa = pre.questions.find((q) => q.question.id === a.id);
      const pb = post.questions.find((q) => q.question.id === b.id);
      if (pa && pb) comparisons.push({ pre: pa, post: pb });
    }
  }
  await pause();
  return {
    course,
    modules,
    computedAt: now,
    enrollment,
    funnel: { tookQuiz: progress.tookQuiz, passedCourse: progress.passedCourse, certificate: progress.certificate },
    progressBuckets: progress.buckets,
    quizzes: moduleRows,
    questionnaires,
    comparisons,
    fingerprint: analysisFingerprint(db, course.id),
  };
}

/**
 * Item analysis of the given quizzes: every bank question, also those nobody answered yet (n = 0,
 * no flags). First attempts go into a temporary table, then the answers are scanned in slices,
 * with `pause` between them.
 */
export async function itemAnalysis(
  db: Db,
  quizzes: readonly Pick<Quiz, "id" | "questionCount">[],
  pause: () => Promise<unknown> = () => tick(),
  sliceSize?: number,
): Promise<Map<number, ItemAnalysisRow[]>> {
  return (await scanItems(db, quizzes, pause, { sliceSize })).items;
}

/**
 * The one pass over the answers behind item analysis and, with `tallies`, /quizstats's answers
 * and right answers per question over every attempt (retakes and unfinished ones too): those
 * attempts join the scan as "third 0", so /quizstats does not walk each quiz's answers again;
 * its identical wrong answers then read the same attempts table in one cheap filtered pass.
 */
async function scanItems(
  db: Db,
  quizzes: readonly Pick<Quiz, "id" | "questionCount">[],
  pause: () => Promise<unknown>,
  options: { sliceSize?: number; tallies?: boolean },
): Promise<{ items: Map<number, ItemAnalysisRow[]>; tallies: Map<number, QuestionTally[]>; identical: Map<number, IdenticalWrong[]> }> {
  const acc = new Map<number, Map<number, { sums: ItemSums; options: Map<number, number> }>>();
  const tallies = new Map<number, Map<number, QuestionTally>>();
  let identical = new Map<number, IdenticalWrong[]>();
  const banks = new Map(quizzes.map((q) => [q.id, quizBank(db, q.id)]));
  if (quizzes.length > 0) {
    const tables = createItemTables(db);
    try {
      for (const q of quizzes) {
        await pause();
        addFirstAttempts(db, tables, q);
      }
      if (options.tallies) {
        for (const q of quizzes) {
          await pause();
          addOtherAttempts(db, tables, q);
        }
      }
      const ranges = answerIdRanges(db, options.sliceSize);
      for (const range of ranges) {
        await pause();
        scanAnswers(db, tables, range);
      }
      const groups = itemGroups(db, tables);
      accumulateItems(acc, groups);
      for (const g of groups) {
        const quiz = tallies.get(g.quizId) ?? new Map<number, QuestionTally>();
        tallies.set(g.quizId, quiz);
        const t = quiz.get(g.position) ?? { position: g.position, answers: 0, right: 0 };
        quiz.set(g.position, t);
        t.answers += g.n;
        t.right += g.right;
      }
      // Answers with several options ticked need a second (JSON) pass: only when the first one found some.
      if (groups.some((g) => g.option === -2 && g.third > 0)) {
        for (const range of ranges) {
          await pause();
          accumulateMultiOptions(acc, multiOptionCounts(db, tables, range));
        }
      }
      if (options.tallies) {
        await pause();
        identical = identicalWrongAnswersIn(db, tables);
      }
    } finally {
      dropItemTables(db, tables);
    }
  }
  const out = new Map<number, ItemAnalysisRow[]>();
  for (const quiz of quizzes) {
    const bank = banks.get(quiz.id) ?? [];
    const found = acc.get(quiz.id) ?? new Map<number, { sums: ItemSums; options: Map<number, number> }>();
    const positions = [...new Set([...bank.map((_, i) => i), ...found.keys()])].sort((a, b) => a - b);
    out.set(
      quiz.id,
      positions.map((position) => {
        const item = found.get(position);
        const q = bank[position];
        const optionTotal = q?.kind === "truefalse" ? 2 : (q?.options?.length ?? 0);
        return {
          position,
          question: q,
          stats: itemStats(
            item?.sums ?? { n: 0, sumX: 0, sumX2: 0, sumY: 0, sumY2: 0, sumXY: 0, topN: 0, topSumX: 0, bottomN: 0, bottomSumX: 0 },
          ),
          options: Array.from({ length: optionTotal }, (_, i) => item?.options.get(i) ?? 0),
        };
      }),
    );
  }
  return {
    items: out,
    tallies: new Map(
      [...tallies].map(([quizId, byPosition]) => [quizId, [...byPosition.values()].sort((a, b) => a.position - b.position)]),
    ),
    identical,
  };
}

/**
 * Item analysis of every live quiz of a course, and each quiz's answers and right answers per
 * question and identical wrong free-text answers over all its attempts (for /quizstats: no
 * progress or questionnaires).
 */
export async function courseItemAnalysis(
  db: Db,
  courseId: string,
): Promise<{ quiz: Quiz; module: Module; items: ItemAnalysisRow[]; tallies: QuestionTally[]; identical: IdenticalWrong[] }[]> {
  const quizzes = liveQuizzes(db, courseId);
  const { items, tallies, identical } = await scanItems(
    db,
    quizzes.map((q) => q.quiz),
    () => tick(),
    { tallies: true },
  );
  return quizzes.map(({ quiz, module }) => ({
    quiz,
    module,
    items: items.get(quiz.id) ?? [],
    tallies: tallies.get(quiz.id) ?? [],
    identical: identical.get(quiz.id) ?? [],
  }));
}

async function analyseQuestions(
  db: Db,
  courseId: string,
  kind: QuestionnaireKind,
  questions: readonly Question[],
  pause: () => Promise<unknown>,
  whole: boolean,
): Promise<QuestionAnalysis[]> {
  const counted = questions.filter((q) => q.type !== "text").map((q) => q.id);
  const rows: ReturnType<typeof answerCounts> = [];
  for (const range of whole ? [EVERYONE] : responseIdRanges(db, courseId, kind)) {
    await pause();
    rows.push(...answerCounts(db, courseId, kind, counted, range));
  }
  const out: QuestionAnalysis[] = [];
  for (const q of questions) {
    const a: QuestionAnalysis = { question: q, answered: 0, skipped: 0, distribution: [], values: [], mean: null, texts: [], textTotal: 0 };
    if (q.type === "text") {
      await pause();
      const { texts, total } = textAnswers(db, courseId, kind, q.id, TEXTS_PER_QUESTION);
      a.texts = texts;
      a.textTotal = total;
      a.answered = total;
      out.push(a);
      continue;
    }
    const counts = new Map<string, number>();
    const numbers = new Map<number, number>();
    for (const r of rows) {
      if (r.questionId !== q.id) continue;
      const v = r.value === null ? null : (JSON.parse(r.value) as unknown);
      if (v === null) {
        a.skipped += r.n;
        continue;
      }
      a.answered += r.n;
      // A stored answer is a string, a number or (multiple choice) a list of strings.
      const keys =
        // eslint-disable-next-line @typescript-eslint/no-base-to-string
        q.type === "yes_no" ? [v ? "yes" : "no"] : q.type === "multiple" && Array.isArray(v) ? v.map(String) : [String(v)];
      for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + r.n);
      if (typeof v === "number") numbers.set(v, (numbers.get(v) ?? 0) + r.n);
    }
    const keys =
      q.type === "rating"
        ? Array.from({ length: q.max - q.min + 1 }, (_, i) => String(q.min + i))
        : q.type === "single" || q.type === "multiple"
          ? q.options.map((o) => o.id)
          : q.type === "yes_no"
            ? ["yes", "no"]
            : [];
    a.distribution = keys.map((key) => ({ key, count: counts.get(key) ?? 0 }));
    a.values = [...numbers].map(([value, count]) => ({ value, count })).sort((x, y) => x.value - y.value);
    const n = a.values.reduce((s, v) => s + v.count, 0);
    a.mean = n > 0 ? a.values.reduce((s, v) => s + v.value * v.count, 0) / n : null;
    out.push(a);
  }
  return out;
}
