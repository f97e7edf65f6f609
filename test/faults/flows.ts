import type { Screen, SimLearner } from "./world.js";

/** What a simulated learner did, for the checks made from the database afterwards. */
export interface FlowLog {
  learner: number;
  flow: "quiz" | "questionnaire" | "ask" | "enroll";
  /** Steps whose next screen did not come, or that refused the step on screen ("stuck"). */
  stuckSteps: number;
  /** Answers given: what the learner gave for which item, and whether the bot moved on. */
  given: Given[];
  finished: boolean;
  notes: string[];
}

export interface Given {
  /** Quiz: attempt id from the buttons (null for typed answers); questionnaire: response id. */
  ref: number | null;
  /** Quiz item or questionnaire position. */
  index: number;
  kind: "qb" | "qt" | "text" | "skip" | "yes" | "no";
  n?: number;
  text?: string;
  acknowledged: boolean;
}

const QUIZ_HEADER = /Question (\d+) of (\d+)/;
const QUIZ_DONE = /Quiz finished/;
const SURVEY_HEADER = /question (\d+) of (\d+)/;
const SURVEY_DONE = /Thank you|You submitted/;
const MAX_STEPS = 45;
/** How long a learner waits for the next screen, and when learners give up (the fast subset sets it). */
export const limits = { wait: 10_000, deadline: Number.POSITIVE_INFINITY };
const out = () => Date.now() > limits.deadline;

const num = (re: RegExp, s: Screen | null) => {
  const m = s ? re.exec(s.text) : null;
  return m ? Number(m[1]) : null;
};

function newLog(l: SimLearner, flow: FlowLog["flow"]): FlowLog {
  return { learner: l.id, flow, stuckSteps: 0, given: [], finished: false, notes: [] };
}

async function enroll(l: SimLearner, log: FlowLog): Promise<void> {
  let m = l.mark;
  await l.send("/start");
  if (!(await l.awaitScreen(m, (s) => /Hello|Welcome back/.test(s.text), limits.wait))) {
    log.stuckSteps++;
    log.notes.push("no greeting");
  }
  m = l.mark;
  await l.press("enr!:intro-programming");
  if (!(await l.awaitScreen(m, (s) => /enrolled/i.test(s.text), limits.wait))) {
    // "already enrolled" comes as an alert: fine after a restart redelivered the press.
    if (!/already enrolled/i.test(l.alertSince(m) ?? "")) {
      log.stuckSteps++;
      log.notes.push("no answer to Enroll");
    }
  }
}

export async function enrollFlow(l: SimLearner): Promise<FlowLog> {
  const log = newLog(l, "enroll");
  await enroll(l, log);
  log.finished = true;
  return log;
}

const quizScreen = (s: Screen) => QUIZ_HEADER.test(s.text) || s.text.includes('Quiz finished');

/** /quiz → module 1 → start, then every question as it comes (buttons or typed), to the result. */
export async function quizFlow(l: SimLearner, random: () => number): Promise<FlowLog> {
  const log = newLog(l, "quiz");
  await enroll(l, log);
  const open = async () => {
    let m = l.mark;
    await l.send("/quiz");
    await l.awaitScreen(m, (s) => s.buttons.some((b) => b.data === "qz:intro-programming:0"), limits.wait);
    m = l.mark;
    await l.press("qz:intro-programming:0");
    const card = await l.awaitScreen(m, (s) => s.buttons.some((b) => b.data.startsWith("qs")), limits.wait);
    const start = card?.buttons.find((b) => b.data.startsWith("qs"));
    if (!start) return;
    m = l.mark;
    await l.press(start.data, card!.messageId);
    await l.awaitScreen(m, quizScreen, limits.wait);
  };
  await open();
  let recoveries = 0;
  for (let step = 0; step < MAX_STEPS && !out(); step++) {
    const s = l.screen(quizScreen);
    if (s && s.text.includes('Quiz finished')) {
      log.finished = true;
      return log;
    }
    const shown = num(QUIZ_HEADER, s);
    if (!s || shown === null) {
      if (recoveries++ > 5) break;
      await open();
      continue;
    }
    const item = shown - 1;
    const qb = s.buttons.filter((b) => /^qb:\d+:\d+:\d+$/.test(b.data));
    const qt = s.buttons.filter((b) => /^qt:\d+:\d+:\d+$/.test(b.data));
    const m = l.mark;
    let g: Given;
    if (qb.length > 0) {
      const b = qb[Math.floor(random() * qb.length)]!;
      const [, att, , n] = b.data.split(":").map(Number) as [number, number, number, number];
      g = { ref: att, index: item, kind: "qb", n, acknowledged: false };
      await l.press(b.data, s.messageId);
    } else if (qt.length > 0) {
      const b = qt[Math.floor(random() * qt.length)]!;
      const [, att, , n] = b.data.split(":").map(Number) as [number, number, number, number];
      g = { ref: att, index: item, kind: "qt", n, acknowledged: false };
      await l.press(b.data, s.messageId);
      const done = l.screen((x) => x.messageId === s.messageId)?.buttons.find((x) => x.data.startsWith("qd:")) ?? s.buttons.find((x) => x.data.startsWith("qd:"));
      if (done) await l.press(done.data, s.messageId);
    } else {
      g = { ref: null, index: item, kind: "text", text: `a${l.id}i${item}`, acknowledged: false };
      await l.send(g.text!);
    }
    log.given.push(g);
    const after = await l.awaitScreen(m, (x) => x.text.includes('Quiz finished') || (num(QUIZ_HEADER, x) ?? 0) > shown, limits.wait);
    if (after) g.acknowledged = true;
    else {
      log.stuckSteps++;
      log.notes.push(`quiz question ${shown}: ${l.alertSince(m) ?? "no next question"}`.slice(0, 120));
      if (recoveries++ > 5) break;
      await open();
    }
  }
  return log;
}

const surveyScreen = (s: Screen) => SURVEY_HEADER.test(s.text) || SURVEY_DONE.test(s.text) || s.buttons.some((b) => b.data.startsWith("qa:") && /submit/i.test(b.text));

/** The pre-course questionnaire with Back and Skip now and then, to the submission. */
export async function questionnaireFlow(l: SimLearner, random: () => number): Promise<FlowLog> {
  const log = newLog(l, "questionnaire");
  await enroll(l, log);
  const open = async () => {
    const m = l.mark;
    await l.press("qn:intro-programming:pre");
    await l.awaitScreen(m, surveyScreen, limits.wait);
  };
  await open();
  let recoveries = 0;
  for (let step = 0; step < MAX_STEPS && !out(); step++) {
    const s = l.screen(surveyScreen);
    if (s && SURVEY_DONE.test(s.text)) {
      log.finished = true;
      return log;
    }
    const submit = s?.buttons.find((b) => b.data.startsWith("qa:") && /submit/i.test(b.text));
    if (s && submit) {
      const m = l.mark;
      await l.press(submit.data, s.messageId);
      if (await l.awaitScreen(m, (x) => SURVEY_DONE.test(x.text), limits.wait)) log.finished = true;
      else log.notes.push("submit: no thanks");
      return log;
    }
    const shown = num(SURVEY_HEADER, s);
    if (!s || shown === null) {
      if (recoveries++ > 5) break;
      await open();
      continue;
    }
    const pos = shown - 1;
    const qa = s.buttons.map((b) => ({ b, m: /^qa:(\d+):(\d+):([a-z]+)(?::(\d+))?$/.exec(b.data) })).filter((x) => x.m);
    const ref = qa[0] ? Number(qa[0].m![1]) : null;
    const of = (action: string) => qa.filter((x) => x.m![3] === action).map((x) => x.b);
    const m = l.mark;
    if (of("b").length > 0 && random() < 0.15) {
      await l.press(of("b")[0]!.data, s.messageId);
      if (!(await l.awaitScreen(m, (x) => num(SURVEY_HEADER, x) === shown - 1, limits.wait))) {
        log.stuckSteps++;
        log.notes.push(`questionnaire: Back from question ${shown} did not go back`);
        if (recoveries++ > 5) break;
        await open();
      }
      continue;
    }
    let g: Given;
    if (of("s").length > 0 && random() < 0.2) {
      g = { ref, index: pos, kind: "skip", acknowledged: false };
      await l.press(of("s")[0]!.data, s.messageId);
    } else if (of("v").length > 0) {
      const bs = of("v");
      const n = pos % bs.length;
      g = { ref, index: pos, kind: "qb", n, acknowledged: false };
      await l.press(bs[n]!.data, s.messageId);
    } else if (of("t").length > 0) {
      const bs = of("t");
      const n = pos % bs.length;
      g = { ref, index: pos, kind: "qt", n, acknowledged: false };
      await l.press(bs[n]!.data, s.messageId);
      const done = l.screen((x) => x.messageId === s.messageId)?.buttons.find((x) => /^qa:\d+:\d+:d$/.test(x.data));
      if (done) await l.press(done.data, s.messageId);
    } else if (of("y").length > 0) {
      const yes = pos % 2 === 0;
      g = { ref, index: pos, kind: yes ? "yes" : "no", acknowledged: false };
      await l.press(of(yes ? "y" : "n")[0]!.data, s.messageId);
    } else {
      const range = /from (\d+) to (\d+)/.exec(s.text);
      const text = range ? String(Number(range[1]) + pos) : /number/i.test(s.text) ? String(pos + 1) : `p${pos}-l${l.id}`;
      g = { ref, index: pos, kind: "text", text, acknowledged: false };
      await l.send(text);
    }
    log.given.push(g);
    const after = await l.awaitScreen(
      m,
      (x) => num(SURVEY_HEADER, x) === shown + 1 || (!SURVEY_HEADER.test(x.text) && x.buttons.some((b) => /submit/i.test(b.text))),
      limits.wait,
    );
    if (after) g.acknowledged = true;
    else {
      log.stuckSteps++;
      log.notes.push(`questionnaire question ${shown}: ${l.alertSince(m) ?? "the next question did not come"}`.slice(0, 120));
      if (recoveries++ > 5) break;
      await open();
    }
  }
  return log;
}

const askScreen = (s: Screen) => /Which course|Which module|Write your question/.test(s.text);

/** /ask → course → module → the question; the learner expects its number. */
export async function askFlow(l: SimLearner, token: string): Promise<FlowLog> {
  const log = newLog(l, "ask");
  await enroll(l, log);
  let m = l.mark;
  await l.send("/ask");
  let s = await l.awaitScreen(m, askScreen, limits.wait);
  for (let i = 0; i < 3 && s && !s.text.includes('Write your question'); i++) {
    const b = s.buttons.find((x) => x.data.startsWith("ask:") && x.data !== "ask:x");
    if (!b) break;
    m = l.mark;
    await l.press(b.data, s.messageId);
    s = await l.awaitScreen(m, askScreen, limits.wait);
  }
  if (!s || !s.text.includes('Write your question')) {
    log.stuckSteps++;
    log.notes.push("/ask: never reached «Write your question»");
  }
  m = l.mark;
  await l.send(token);
  const ack = await l.awaitScreen(m, (x) => /#\d+/.test(x.text), limits.wait);
  log.given.push({ ref: null, index: 0, kind: "text", text: token, acknowledged: ack !== null });
  if (!ack) {
    log.stuckSteps++;
    log.notes.push("/ask: no number for the question");
  }
  log.finished = true;
  return log;
}
