import { readFileSync } from "node:fs";
import { sleep, type Button, type Screen, type SimLearner } from "./world.js";

/**
 * Simulated learners. They act as a person in Telegram does: they read the last message the bot
 * sent them and press one of the buttons under it, found by its label (as the English locale
 * writes it) or its place on the keyboard, with whatever callback data the bot put there; typed
 * answers are sent as messages. Nothing here builds callback data, so the flows follow the product
 * whatever its button codecs are.
 */

/** What a simulated learner did, for the checks made from the database afterwards. */
export interface FlowLog {
  learner: number;
  flow: "quiz" | "questionnaire" | "ask" | "enroll";
  /** Steps whose next screen did not come even after the learner tried again ("stuck"). */
  stuckSteps: number;
  /** Steps that got no reaction at first (the update died with the process) and worked when tried again. */
  retried: number;
  /**
   * Steps whose buttons were gone when the learner tried again: the press had counted and the
   * process died before the next screen was sent; the learner went on from /quiz → Continue or the
   * questionnaire's button, which resume at the stored step.
   */
  reopened: number;
  /** Answers given: what the learner gave for which item, and whether the bot moved on. */
  given: Given[];
  finished: boolean;
  /** The learner stopped at the time budget of the fast subset, not because the bot failed them. */
  outOfTime: boolean;
  notes: string[];
}

export interface Given {
  /** Quiz item or questionnaire position. */
  index: number;
  /** "choice": option n as shown (0 = the first button); "truefalse": n = 1 for True. */
  kind: "choice" | "truefalse" | "text" | "skip" | "yes" | "no";
  n?: number;
  text?: string;
  acknowledged: boolean;
}

const en = JSON.parse(readFileSync(new URL("../../locales/en.json", import.meta.url), "utf8")) as Record<string, unknown>;

/** A text of the English locale as written (placeholders left in). */
function raw(key: string): string {
  const v = key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], en);
  if (typeof v !== "string") throw new Error(`locales/en.json has no text ${key}`);
  return v;
}

/** A locale text as a pattern: the given placeholders filled in, the others match anything. */
function pattern(key: string, values: Record<string, string | number> = {}): RegExp {
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const parts = raw(key).split(/(\{\{\w+\}\})/);
  return new RegExp(
    parts
      .map((p) => (/^\{\{\w+\}\}$/.test(p) ? (values[p.slice(2, -2)] !== undefined ? esc(String(values[p.slice(2, -2)])) : ".*") : esc(p)))
      .join(""),
  );
}

const label = (key: string) => (b: Button) => b.text === raw(key);
const labelLike = (re: RegExp) => (b: Button) => re.test(b.text);

const L = {
  enroll: label("buttons.enroll"),
  confirmEnroll: label("buttons.confirm_enroll"),
  unenroll: label("buttons.unenroll"),
  cancel: label("buttons.cancel"),
  quizOfWeek1: labelLike(pattern("quiz.list_button", { week: 1 })),
  startAttempt: labelLike(pattern("quiz.start_button")),
  continueAttempt: label("quiz.continue_button"),
  true: label("quiz.true"),
  false: label("quiz.false"),
  quizDone: label("quiz.done_button"),
  surveyOffer: label("survey.buttons.open"),
  surveyMine: (b: Button) => b.text.startsWith(raw("survey.mycourses.button_pre")),
  back: label("survey.buttons.back"),
  skip: label("survey.buttons.skip"),
  keep: label("survey.buttons.keep"),
  submit: label("survey.buttons.submit"),
  surveyDone: label("survey.buttons.done"),
  yes: label("survey.yes"),
  no: label("survey.no"),
};
/** A tick box of a multiple-choice keyboard (quiz or questionnaire), ticked or not. */
const tickBox = (b: Button) => /^(⬜|☑️)/.test(b.text);
const ticked = (b: Button) => b.text.startsWith("☑️");

const QUIZ_HEADER = /Question (\d+) of (\d+)/;
const QUIZ_DONE = "Quiz finished";
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
  return { learner: l.id, flow, stuckSteps: 0, retried: 0, reopened: 0, given: [], finished: false, outOfTime: false, notes: [] };
}

interface StepOptions {
  /** Also done when this holds for what came since `since` (an alert that says it is done already). */
  accept?: (since: number) => boolean;
  /** Not repeated: sending the same question twice would be two questions. */
  once?: boolean;
}

/**
 * One step as a person takes it: do it, wait for what should follow; when it does not come (the
 * update or the reply died with the process), do it once more. Returns the screen that followed,
 * or null: the learner is stuck at this step, or (when `act` finds no button to press any more: it
 * resolves with null) the step on screen is over and the caller reopens the flow.
 */
async function step(
  l: SimLearner,
  log: FlowLog,
  what: string,
  act: () => Promise<unknown>,
  until: (s: Screen) => boolean,
  o: StepOptions = {},
): Promise<Screen | null> {
  let alert: string | null = null;
  // Counted from the first try: the reply to it may arrive late (the bot was down) in the moment
  // between giving up on it and trying again, and a person would see it on screen all the same.
  const first = l.mark;
  for (let attempt = 0; attempt < (o.once ? 1 : 2); attempt++) {
    const m = l.mark;
    if ((await act()) === null) {
      log.reopened++;
      return null;
    }
    const s = await l.awaitScreen(first, until, limits.wait);
    if (s || o.accept?.(first)) {
      if (attempt > 0) log.retried++;
      return s ?? l.screen();
    }
    alert = l.alertSince(m) ?? alert;
  }
  log.stuckSteps++;
  log.notes.push(`${what}${alert ? ` (alert: ${alert})` : ""}`.slice(0, 160));
  return null;
}

const card = (s: Screen) => s.buttons.some((b) => L.enroll(b) || L.unenroll(b));

/** The course's link (/start intro-programming), then «Enroll» and «Yes, enroll me» on the card. */
export async function enroll(l: SimLearner, log: FlowLog): Promise<void> {
  const shown = await step(l, log, "/start with the course link: no course card", () => l.send("/start intro-programming"), card);
  if (!shown || shown.buttons.some(L.unenroll)) return;
  const alreadyEnrolled = (m: number) => /already enrolled/i.test(l.alertSince(m) ?? "");
  const confirm = await step(
    l,
    log,
    "Enroll: no confirmation",
    () => l.tap(shown, L.enroll),
    (s) => s.buttons.some(L.confirmEnroll) || s.buttons.some(L.unenroll),
  );
  if (!confirm || confirm.buttons.some(L.unenroll)) return;
  await step(
    l,
    log,
    "Yes, enroll me: no answer",
    () => l.tap(confirm, L.confirmEnroll),
    (s) => s.text.includes("You are enrolled"),
    { accept: alreadyEnrolled },
  );
}

/** The same three steps, each tried once with a short wait (a full disk answers with an apology instead). */
export async function enrollOnce(l: SimLearner, ms = 5000): Promise<void> {
  await l.send("/start intro-programming", ms);
  const shown = l.screen(card);
  if (!shown?.buttons.some(L.enroll)) return;
  await l.tap(shown, L.enroll, ms);
  const confirm = l.screen((s) => s.buttons.some(L.confirmEnroll));
  if (confirm) await l.tap(confirm, L.confirmEnroll, ms);
}

export async function enrollFlow(l: SimLearner): Promise<FlowLog> {
  const log = newLog(l, "enroll");
  await enroll(l, log);
  log.finished = log.stuckSteps === 0;
  return log;
}

const quizScreen = (s: Screen) => QUIZ_HEADER.test(s.text) || s.text.includes(QUIZ_DONE);
const quizAnswered = (s: Screen) => s.text.includes(raw("quiz.your_answer").split("{{")[0]!);

/** /quiz → the week 1 quiz → Start (or Continue), then every question as it comes, to the result. */
export async function quizFlow(l: SimLearner, random: () => number): Promise<FlowLog> {
  const log = newLog(l, "quiz");
  await enroll(l, log);
  const open = async () => {
    const list = await step(
      l,
      log,
      "/quiz: no list",
      () => l.send("/quiz"),
      (s) => s.buttons.some(L.quizOfWeek1),
    );
    if (!list) return;
    const quizCard = await step(
      l,
      log,
      "quiz list: no card",
      () => l.tap(list, L.quizOfWeek1),
      (s) => s.buttons.some((b) => L.startAttempt(b) || L.continueAttempt(b)),
    );
    if (!quizCard) return;
    await step(
      l,
      log,
      "quiz card: no question after Start/Continue",
      () => l.tap(quizCard, (b) => L.startAttempt(b) || L.continueAttempt(b)),
      quizScreen,
    );
  };
  await open();
  let recoveries = 0;
  for (let i = 0; i < MAX_STEPS && !out(); i++) {
    const s = l.screen(quizScreen);
    if (s && s.text.includes(QUIZ_DONE)) {
      log.finished = true;
      return log;
    }
    const shown = num(QUIZ_HEADER, s);
    if (!s || shown === null || (quizAnswered(s) && s.buttons.length === 0)) {
      // No question on screen, or the one on screen is answered and its successor never came.
      if (recoveries++ > 5) break;
      await open();
      continue;
    }
    const item = shown - 1;
    const next = (x: Screen) => x.text.includes(QUIZ_DONE) || (num(QUIZ_HEADER, x) ?? 0) > shown;
    let g: Given;
    let act: () => Promise<unknown>;
    if (s.buttons.some(L.true)) {
      const yes = random() < 0.5;
      g = { index: item, kind: "truefalse", n: yes ? 1 : 0, acknowledged: false };
      act = () => l.tap(s, yes ? L.true : L.false);
    } else if (s.buttons.some(L.quizDone)) {
      const n = Math.floor(random() * s.buttons.filter(tickBox).length);
      g = { index: item, kind: "choice", n, acknowledged: false };
      act = () => tickAndDone(l, s, n, L.quizDone);
    } else if (s.buttons.length > 0) {
      const n = Math.floor(random() * s.buttons.length);
      g = { index: item, kind: "choice", n, acknowledged: false };
      act = () => l.tap(s, (_, k) => k === n);
    } else {
      // A typed answer, distinct per question so that one stored under another question shows.
      const text = s.text.includes("Send a number") ? String(1000 + item) : `a${l.id}i${item}`;
      g = { index: item, kind: "text", text, acknowledged: false };
      act = () => l.send(text);
    }
    log.given.push(g);
    const after = await step(l, log, `quiz question ${shown}: no next question`, act, next);
    if (after) g.acknowledged = true;
    else {
      if (recoveries++ > 5) break;
      await open();
    }
  }
  log.outOfTime = out();
  return log;
}

/**
 * A multiple-choice answer: tick box n, wait until the keyboard shows it ticked, then press «Done»
 * on that keyboard (the ticks travel in its buttons). A box ticked before (a retry) is kept.
 */
async function tickAndDone(l: SimLearner, s: Screen, n: number, done: (b: Button) => boolean): Promise<Button | null> {
  const m = l.mark;
  const current = l.message(s.messageId) ?? s;
  if (!current.buttons.some(ticked)) {
    const boxes = current.buttons.filter(tickBox);
    if (!(await l.tap(current, (b) => tickBox(b) && boxes.findIndex((x) => x.text === b.text) === n))) return null;
    const end = Date.now() + limits.wait / 2;
    while (
      Date.now() < end &&
      !l.message(s.messageId)?.buttons.some(ticked) &&
      l.callsSince(m).every((c) => c.method === "answerCallbackQuery")
    )
      await sleep(25);
  }
  return l.tap(l.message(s.messageId) ?? s, done);
}

const surveyScreen = (s: Screen) => SURVEY_HEADER.test(s.text) || SURVEY_DONE.test(s.text) || s.buttons.some(L.submit);
const NAV = [L.back, L.skip, L.keep];
const isNav = (b: Button) => NAV.some((f) => f(b));

/** The pre-course questionnaire from its offer (or /mycourses), with Back and Skip now and then, to the submission. */
export async function questionnaireFlow(l: SimLearner, random: () => number): Promise<FlowLog> {
  const log = newLog(l, "questionnaire");
  await enroll(l, log);
  const opener = (s: Screen) => s.buttons.some((b) => L.surveyOffer(b) || L.surveyMine(b));
  const open = async () => {
    // The offer comes through the outbox shortly after enrolling; /mycourses has the same button.
    const offered =
      (await l.awaitScreen(0, opener, 3000)) ??
      (await step(l, log, "/mycourses: no questionnaire button", () => l.send("/mycourses"), opener));
    if (!offered) return;
    await step(
      l,
      log,
      "questionnaire button: nothing opened",
      () => l.tap(offered, (b) => L.surveyOffer(b) || L.surveyMine(b)),
      surveyScreen,
    );
  };
  await open();
  let recoveries = 0;
  for (let i = 0; i < MAX_STEPS && !out(); i++) {
    const s = l.screen(surveyScreen);
    if (s && SURVEY_DONE.test(s.text)) {
      log.finished = true;
      return log;
    }
    if (s && s.buttons.some(L.submit)) {
      if (
        await step(
          l,
          log,
          "submit: no thanks",
          () => l.tap(s, L.submit),
          (x) => SURVEY_DONE.test(x.text),
        )
      )
        log.finished = true;
      return log;
    }
    const shown = num(SURVEY_HEADER, s);
    if (!s || shown === null) {
      if (recoveries++ > 5) break;
      await open();
      continue;
    }
    const pos = shown - 1;
    if (s.buttons.some(L.back) && random() < 0.15) {
      if (
        !(await step(
          l,
          log,
          `questionnaire: Back from question ${shown} did not go back`,
          () => l.tap(s, L.back),
          (x) => num(SURVEY_HEADER, x) === shown - 1,
        ))
      ) {
        if (recoveries++ > 5) break;
        await open();
      }
      continue;
    }
    const answers = s.buttons.filter((b) => !isNav(b));
    let g: Given;
    let act: () => Promise<unknown>;
    if (s.buttons.some(L.skip) && random() < 0.2) {
      g = { index: pos, kind: "skip", acknowledged: false };
      act = () => l.tap(s, L.skip);
    } else if (s.buttons.some(L.yes)) {
      const yes = pos % 2 === 0;
      g = { index: pos, kind: yes ? "yes" : "no", acknowledged: false };
      act = () => l.tap(s, yes ? L.yes : L.no);
    } else if (s.buttons.some(L.surveyDone)) {
      const boxes = answers.filter(tickBox);
      const n = pos % boxes.length;
      g = { index: pos, kind: "choice", n, acknowledged: false };
      act = () => tickAndDone(l, s, n, L.surveyDone);
    } else if (answers.length > 0) {
      const n = pos % answers.length;
      g = { index: pos, kind: "choice", n, acknowledged: false };
      act = () => l.tap(s, (b) => b.text === answers[n]!.text && !isNav(b));
    } else {
      const range = /from (\d+) to (\d+)/.exec(s.text);
      const text = range ? String(Number(range[1]) + pos) : /Send a number/i.test(s.text) ? String(pos + 1) : `p${pos}-l${l.id}`;
      g = { index: pos, kind: "text", text, acknowledged: false };
      act = () => l.send(text);
    }
    log.given.push(g);
    const after = await step(
      l,
      log,
      `questionnaire question ${shown}: the next question did not come`,
      act,
      (x) => num(SURVEY_HEADER, x) === shown + 1 || (!SURVEY_HEADER.test(x.text) && x.buttons.some(L.submit)),
    );
    if (after) g.acknowledged = true;
    else {
      if (recoveries++ > 5) break;
      await open();
    }
  }
  log.outOfTime = out();
  return log;
}

const askScreen = (s: Screen) => /Which course|Which module|Write your question/.test(s.text);

/** /ask → course → module → the question; the learner expects its number. */
export async function askFlow(l: SimLearner, token: string): Promise<FlowLog> {
  const log = newLog(l, "ask");
  await enroll(l, log);
  let s = await step(l, log, "/ask: no answer", () => l.send("/ask"), askScreen);
  for (let i = 0; i < 3 && s && !s.text.includes("Write your question"); i++) {
    const from = s;
    // The first course, then the first module: the first button that is not «Cancel».
    s = await step(
      l,
      log,
      "/ask: a course or module button did nothing",
      () => l.tap(from, (b) => !L.cancel(b)),
      (x) => askScreen(x) && x.text !== from.text,
    );
  }
  if (!s || !s.text.includes("Write your question")) {
    log.notes.push("/ask: never reached «Write your question»");
    return log;
  }
  const ack = await step(
    l,
    log,
    "/ask: no number for the question",
    () => l.send(token),
    (x) => /#\d+/.test(x.text),
    { once: true },
  );
  log.given.push({ index: 0, kind: "text", text: token, acknowledged: ack !== null });
  log.finished = true;
  return log;
}
