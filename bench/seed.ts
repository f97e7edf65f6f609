/**
 * Seeds a scale database inside the bench (never a data file in the repo): N learners enrolled in
 * one course, 60% of them with a finished attempt of its first quiz (10 answers each), 60% with a
 * submitted pre-course questionnaire, and a few thousand learners' questions (half open). All
 * set-based SQL (recursive CTEs, INSERT ... SELECT): 100,000 learners take seconds, not minutes.
 */
import type { Db } from "../src/db/client.js";
import type { Question } from "../src/domain/questionnaire.js";
import type { QuizQuestion } from "../src/domain/quiz.js";

export interface SeedOptions {
  courseId: string;
  learners: number;
  /** First learner id (Telegram user ids of the seeded learners are base .. base + learners - 1). */
  base?: number;
  now: number;
  /** Share of learners with a finished quiz attempt / a submitted pre-course questionnaire. */
  attemptShare?: number;
  responseShare?: number;
}

export interface SeedCounts {
  learners: number;
  enrollments: number;
  attempts: number;
  answers: number;
  responses: number;
  responseAnswers: number;
  questions: number;
}

const HOUR = 3_600_000;

export function seedScale(db: Db, o: SeedOptions): SeedCounts {
  const base = o.base ?? 10_000_000;
  const n = o.learners;
  const withAttempt = Math.floor(n * (o.attemptShare ?? 0.6));
  const withResponse = Math.floor(n * (o.responseShare ?? 0.6));
  const c = db.$client;
  const seq = (count: number) => `WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < ${count - 1})`;
  const range = "id >= @base AND id < @base + @n";
  const p = { base, n, now: o.now, course: o.courseId };

  c.transaction(() => {
    c.prepare(
      `${seq(n)} INSERT INTO learners (id, first_name, last_name, username, language, created_at, updated_at)
       SELECT @base + n, 'Learner', 'N' || n, 'learner_' || n, CASE n % 3 WHEN 0 THEN 'kk' WHEN 1 THEN 'ru' ELSE 'en' END, @now, @now FROM seq`,
    ).run(p);
    c.prepare(
      `INSERT INTO enrollments (learner_id, course_id, status, enrolled_at) SELECT id, @course, 'active', @now - 24 * ${HOUR} FROM learners WHERE ${range}`,
    ).run(p);

    // The first quiz: one finished attempt with an answer per item; two answers in three right.
    const quiz = c
      .prepare(
        "SELECT id, pick, question_count, pass_score FROM quizzes WHERE course_id = ? AND removed_at IS NULL ORDER BY module_position LIMIT 1",
      )
      .get(o.courseId) as { id: number; pick: number | null; question_count: number; pass_score: number } | undefined;
    if (quiz && withAttempt > 0) {
      const bank = (
        c.prepare("SELECT position, content FROM quiz_questions WHERE quiz_id = ? ORDER BY position").all(quiz.id) as {
          position: number;
          content: string;
        }[]
      ).map((r) => ({ position: r.position, q: JSON.parse(r.content) as QuizQuestion }));
      const items = bank.slice(0, Math.min(quiz.pick ?? bank.length, bank.length, 10));
      const variant = JSON.stringify(items.map(({ position, q }) => ({ q: position, order: (q.options ?? []).map((_, i) => i) })));
      c.prepare(
        `INSERT INTO quiz_attempts (learner_id, quiz_id, attempt_no, variant, started_at, ends_at, finished_at, end_reason)
         SELECT id, @quiz, 1, @variant, @now - 2 * ${HOUR}, @now + 24 * ${HOUR}, @now - ${HOUR}, 'submitted' FROM learners WHERE id >= @base AND id < @base + @k`,
      ).run({ ...p, quiz: quiz.id, variant, k: withAttempt });
      const answerItem = c.prepare(
        `INSERT INTO quiz_answers (attempt_id, item, question_position, answer, correct, score, answered_at)
         SELECT a.id, @item, @position, CASE WHEN (a.learner_id + @item) % 3 <> 0 THEN @right ELSE @wrong END,
                (a.learner_id + @item) % 3 <> 0, CASE WHEN (a.learner_id + @item) % 3 <> 0 THEN 1 ELSE 0 END, @now - ${HOUR}
         FROM quiz_attempts a WHERE a.quiz_id = @quiz`,
      );
      items.forEach(({ position, q }, item) => {
        const [right, wrong] = givenAnswers(q);
        answerItem.run({ item, position, right: JSON.stringify(right), wrong: JSON.stringify(wrong), quiz: quiz.id, now: o.now });
      });
      c.prepare(
        `UPDATE quiz_attempts SET score = s.score, passed = s.score >= @pass
         FROM (SELECT attempt_id, 100.0 * sum(score) / @items AS score FROM quiz_answers GROUP BY attempt_id) s
         WHERE s.attempt_id = quiz_attempts.id AND quiz_attempts.quiz_id = @quiz`,
      ).run({ pass: quiz.pass_score, items: items.length, quiz: quiz.id });
    }

    // The pre-course questionnaire, submitted, every question answered with a value of its type.
    const pre = c.prepare("SELECT questions FROM questionnaires WHERE course_id = ? AND kind = 'pre'").get(o.courseId) as
      { questions: string } | undefined;
    if (pre && withResponse > 0) {
      c.prepare(
        `INSERT INTO questionnaire_responses (course_id, kind, learner_id, position, started_at, updated_at, submitted_at)
         SELECT @course, 'pre', id, 0, @now - 3 * ${HOUR}, @now - 2 * ${HOUR}, @now - 2 * ${HOUR} FROM learners WHERE id >= @base AND id < @base + @k`,
      ).run({ ...p, k: withResponse });
      for (const q of JSON.parse(pre.questions) as Question[]) {
        c.prepare(
          `INSERT INTO questionnaire_answers (response_id, question_id, value, answered_at)
           SELECT r.id, @qid, ${valueSql(q)}, @now - 2 * ${HOUR} FROM questionnaire_responses r WHERE r.course_id = @course AND r.kind = 'pre'`,
        ).run({ qid: q.id, course: o.courseId, now: o.now, ...valueParams(q) });
      }
    }

    // Learners' questions for the digest and the questions CSV: one per 50 learners, half still open.
    const questions = Math.max(1, Math.floor(n / 50));
    c.prepare(
      `${seq(questions)} INSERT INTO questions (learner_id, course_id, module_position, text, learner_message_id, state, created_at, last_learner_message_at, answered_at)
       SELECT @base + n * 50 % @n, @course, 0, 'How do I run my first program? (' || n || ')', n + 1,
              CASE n % 2 WHEN 0 THEN 'open' ELSE 'answered' END, @now - 48 * ${HOUR} + n, @now - 48 * ${HOUR} + n,
              CASE n % 2 WHEN 0 THEN NULL ELSE @now - ${HOUR} END FROM seq`,
    ).run(p);
  })();
  return seedCounts(db, base, n);
}

export function seedCounts(db: Db, base: number, n: number): SeedCounts {
  const one = (sql: string) => (db.$client.prepare(sql).get({ base, n }) as { c: number }).c;
  const mine = "learner_id >= @base AND learner_id < @base + @n";
  return {
    learners: one("SELECT count(*) AS c FROM learners WHERE id >= @base AND id < @base + @n"),
    enrollments: one(`SELECT count(*) AS c FROM enrollments WHERE ${mine}`),
    attempts: one(`SELECT count(*) AS c FROM quiz_attempts WHERE ${mine}`),
    answers: one(`SELECT count(*) AS c FROM quiz_answers WHERE attempt_id IN (SELECT id FROM quiz_attempts WHERE ${mine})`),
    responses: one(`SELECT count(*) AS c FROM questionnaire_responses WHERE ${mine}`),
    responseAnswers: one(
      `SELECT count(*) AS c FROM questionnaire_answers WHERE response_id IN (SELECT id FROM questionnaire_responses WHERE ${mine})`,
    ),
    questions: one(`SELECT count(*) AS c FROM questions WHERE ${mine}`),
  };
}

/** A right and a wrong answer to a bank question, as the quiz stores what a learner gave. */
function givenAnswers(q: QuizQuestion): [unknown, unknown] {
  const options = q.options ?? [];
  switch (q.kind) {
    case "single": {
      const right = Math.max(
        0,
        options.findIndex((o) => o.weight >= 100),
      );
      return [
        { kind: "choice", options: [right] },
        { kind: "choice", options: [(right + 1) % Math.max(1, options.length)] },
      ];
    }
    case "multiple": {
      const right = options.flatMap((o, i) => (o.weight > 0 ? [i] : []));
      const wrong = options.flatMap((o, i) => (o.weight <= 0 ? [i] : []));
      return [
        { kind: "choice", options: right },
        { kind: "choice", options: wrong.slice(0, 1) },
      ];
    }
    case "truefalse":
      return [
        { kind: "truefalse", value: q.answer === true },
        { kind: "truefalse", value: q.answer !== true },
      ];
    case "number":
      return [
        { kind: "text", text: String(q.numbers?.[0]?.value ?? 0) },
        { kind: "text", text: "999" },
      ];
    default: {
      const first = Object.values(q.accepted ?? {})[0]?.[0]?.value ?? "answer";
      // The same wrong word from many learners: what /quizstats flags as possible copying.
      return [
        { kind: "text", text: first },
        { kind: "text", text: "copied wrong answer" },
      ];
    }
  }
}

/** SQL giving a questionnaire answer's JSON value for response `r`, spread over the question's range. */
function valueSql(q: Question): string {
  switch (q.type) {
    case "rating":
      return `CAST(CAST(@min AS INTEGER) + r.learner_id % CAST(@max - @min + 1 AS INTEGER) AS TEXT)`;
    case "number":
      return `CAST(CAST(@min AS INTEGER) + r.learner_id % CAST(@max - @min + 1 AS INTEGER) AS TEXT)`;
    case "yes_no":
      return `CASE r.learner_id % 2 WHEN 0 THEN 'true' ELSE 'false' END`;
    case "single":
      return `json_quote(json_extract(@ids, '$[' || (r.learner_id % CAST(@k AS INTEGER)) || ']'))`;
    case "multiple":
      return `json_array(json_extract(@ids, '$[' || (r.learner_id % CAST(@k AS INTEGER)) || ']'), json_extract(@ids, '$[' || ((r.learner_id + 1) % CAST(@k AS INTEGER)) || ']'))`;
    case "text":
      return `json_quote('I want to learn programming for my work, reason number ' || (r.learner_id % 97))`;
  }
}

function valueParams(q: Question): Record<string, unknown> {
  switch (q.type) {
    case "rating":
      return { min: q.min, max: q.max };
    case "number":
      return { min: Math.ceil(q.min ?? 1), max: Math.max(Math.ceil(q.min ?? 1), Math.floor(q.max ?? 40)) };
    case "single":
    case "multiple":
      return { ids: JSON.stringify(q.options.map((x) => x.id)), k: q.options.length };
    default:
      return {};
  }
}
