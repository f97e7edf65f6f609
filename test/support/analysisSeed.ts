/**
 * A small course with known results for the analysis report's tests: learners, attempts and
 * questionnaire answers written straight into the database (the quiz and questionnaire flows
 * have their own tests), so each number behind a chart can be worked out by hand.
 *
 * Quiz of module 1 (5 single-choice questions, option 0 right, pass 60%), FIRST attempts:
 *   L1 ✓✓✓✗✗ 60   L2 ✓✓✓✗✓ 80   L3 ✓✗✗✓✗ 40   L4 ✓✗✗✓✗ 40   L5 ✓✓✗✓✗ 60   L6 ✓✗✓✗✗ 40
 *   L1 retakes it: 100 (module score is the best, 100; item analysis reads first attempts only).
 * Quiz of module 2 (true/false + single, pass 50%): L1 100, L2 50, L3 started and never finished.
 * L7 enrolled and did nothing; L6 left the course.
 */
import { courseYaml } from "./courses.js";
import type { TestBot } from "./harness.js";
import { QUESTIONNAIRES_YAML } from "./questionnaires.js";
import { tr } from "./quizzes.js";

const single = (name: string) => `  - type: single
    text: ${tr(name)}
    options:
      - { text: ${tr(`${name}: right`)}, correct: true }
      - { text: ${tr(`${name}: wrong A`)} }
      - { text: ${tr(`${name}: wrong B`)} }`;

export const QUIZ_1 = `pass_score: 60
attempts: 3
questions:
${["Q1", "Q2", "Q3", "Q4", "Q5"].map(single).join("\n")}
`;

export const QUIZ_2 = `pass_score: 50
attempts: 3
questions:
  - type: truefalse
    text: ${tr("Python is case-sensitive.")}
    answer: true
${single("Q2.2")}
`;

export const START = "2026-08-31";

export function analysisCourseYaml(): string {
  return courseYaml({ start: START, quizzes: { 0: QUIZ_1, 1: QUIZ_2 }, extra: QUESTIONNAIRES_YAML });
}

/** Which questions each learner got right in the first attempt of quiz 1 (1 = right). */
export const QUIZ1_FIRST: Record<number, number[]> = {
  1: [1, 1, 1, 0, 0],
  2: [1, 1, 1, 0, 1],
  3: [1, 0, 0, 1, 0],
  4: [1, 0, 0, 1, 0],
  5: [1, 1, 0, 1, 0],
  6: [1, 0, 1, 0, 0],
};

function quizId(tb: TestBot, position: number): number {
  return (
    tb.db.$client.prepare("SELECT id FROM quizzes WHERE course_id = 'python-101' AND module_position = ?").get(position) as { id: number }
  ).id;
}

export function seedAnalysisCourse(tb: TestBot, options: { withData?: boolean } = {}): void {
  tb.loadCourse(analysisCourseYaml());
  if (options.withData === false) return;
  const db = tb.db.$client;
  const now = tb.clock.now();
  const learner = db.prepare("INSERT INTO learners (id, first_name, language, created_at, updated_at) VALUES (?, ?, 'en', ?, ?)");
  const enroll = db.prepare(
    "INSERT INTO enrollments (learner_id, course_id, status, enrolled_at, unenrolled_at) VALUES (?, 'python-101', ?, ?, ?)",
  );
  for (let id = 1; id <= 7; id++) {
    learner.run(id, `Learner ${id}`, now, now);
    enroll.run(id, id === 6 ? "unenrolled" : "active", now, id === 6 ? now : null);
  }
  const attempt = db.prepare(
    `INSERT INTO quiz_attempts (learner_id, quiz_id, attempt_no, variant, started_at, ends_at, finished_at, end_reason, score, passed)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const answer = db.prepare(
    "INSERT INTO quiz_answers (attempt_id, item, question_position, answer, correct, score, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const take = (
    learnerId: number,
    quiz: number,
    no: number,
    given: ({ kind: "choice"; options: number[] } | { kind: "truefalse"; value: boolean })[],
    right: number[],
    finished = true,
  ) => {
    const variant = given.map((_, q) => ({ q, order: [0, 1, 2] }));
    const score = finished ? Math.floor((right.reduce((s, x) => s + x, 0) / given.length) * 1000 + 1e-6) / 10 : null;
    const id = attempt.run(
      learnerId,
      quiz,
      no,
      JSON.stringify(variant),
      now,
      now + 1e9,
      finished ? now : null,
      finished ? "submitted" : null,
      score,
      null,
    ).lastInsertRowid as number;
    if (finished) given.forEach((g, i) => answer.run(id, i, i, JSON.stringify(g), right[i], right[i], now));
  };
  const q1 = quizId(tb, 0);
  const q2 = quizId(tb, 1);
  for (const [id, right] of Object.entries(QUIZ1_FIRST)) {
    // A wrong answer picks option 1 (option 2 for Q5, to see both in the option counts).
    take(
      Number(id),
      q1,
      1,
      right.map((r, i) => ({ kind: "choice" as const, options: [r ? 0 : i === 4 ? 2 : 1] })),
      right,
    );
  }
  take(
    1,
    q1,
    2,
    [0, 0, 0, 0, 0].map(() => ({ kind: "choice" as const, options: [0] })),
    [1, 1, 1, 1, 1],
  );
  take(
    1,
    q2,
    1,
    [
      { kind: "truefalse", value: true },
      { kind: "choice", options: [0] },
    ],
    [1, 1],
  );
  take(
    2,
    q2,
    1,
    [
      { kind: "truefalse", value: false },
      { kind: "choice", options: [0] },
    ],
    [0, 1],
  );
  take(3, q2, 1, [], [], false);

  const response = db.prepare(
    "INSERT INTO questionnaire_responses (course_id, kind, learner_id, position, started_at, updated_at, submitted_at) VALUES ('python-101', ?, ?, 0, ?, ?, ?)",
  );
  const qa = db.prepare("INSERT INTO questionnaire_answers (response_id, question_id, value, answered_at) VALUES (?, ?, ?, ?)");
  const respond = (kind: "pre" | "post", learnerId: number, answers: Record<string, unknown> | null) => {
    const rid = response.run(kind, learnerId, now, now, answers ? now + learnerId : null).lastInsertRowid as number;
    for (const [q, v] of Object.entries(answers ?? {})) qa.run(rid, q, v === null ? null : JSON.stringify(v), now);
  };
  respond("pre", 1, {
    motivation: 4,
    level: "none",
    devices: ["phone", "laptop"],
    studied_online: true,
    hours: 5,
    goals: "Жұмыс табу: Ә Ғ Қ Ң Ө Ұ Ү Һ І",
  });
  respond("pre", 2, { motivation: 5, level: "some", devices: ["phone"], studied_online: false, hours: 10, goals: null });
  respond("pre", 3, { motivation: 4, level: "some", devices: ["laptop", "tablet"], studied_online: true, hours: 12, goals: "learn" });
  respond("pre", 4, null);
  respond("post", 1, { motivation: 5, studied_online: true, comments: "Өте жақсы курс! 👍 Рақмет" });
  respond("post", 2, { motivation: 5, studied_online: true, comments: null });
}
