import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { loadCoursesFromDir } from "../../src/courses/loadCourses.js";
import { closeDatabase, openDatabase } from "../../src/db/client.js";
import { askFlow, enrollFlow, enrollOnce, limits, questionnaireFlow, quizFlow, type FlowLog, type Given } from "./flows.js";
import { BOT_INFO, type ApiCall } from "../support/fakeTelegram.js";
import { ASSISTANTS_CHAT, rng, sleep, until, World, type Entry, type SimLearner } from "./world.js";

export interface Check {
  area: string;
  check: string;
  held: boolean | "skipped";
  detail: string;
}

const check = (area: string, name: string, held: boolean | "skipped", detail = ""): Check => ({ area, check: name, held, detail });

/** Broken course files next to the demo ones: the start must not die, the demo courses must be served. */
function addBrokenCourseFiles(world: World): void {
  let bomb = 'id: bomb\na: &a ["x","x","x","x","x","x","x","x","x"]\n';
  for (let i = 1; i < 10; i++)
    bomb += `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
      .fill(`*${String.fromCharCode(96 + i)}`)
      .join(",")}]\n`;
  writeFileSync(join(world.coursesDir, "zz-bomb.yaml"), bomb);
  writeFileSync(join(world.coursesDir, "zz-latin1.yaml"), Buffer.from([0x69, 0x64, 0x3a, 0x20, 0xe9, 0x0a]));
  symlinkSync(join(world.dir, "missing.yaml"), join(world.coursesDir, "zz-broken-link.yaml"));
}

/** Enrolled learners in the database before the start: the weekly announcement goes to them. */
function seedBroadcast(world: World, count: number, firstId: number): number[] {
  const db = openDatabase(world.dbPath);
  loadCoursesFromDir(db, world.coursesDir, { now: Date.now(), defaultTimezone: "Asia/Almaty" });
  const ids: number[] = [];
  db.$client.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = firstId + i;
      ids.push(id);
      db.$client
        .prepare("INSERT INTO learners (id, first_name, language, created_at, updated_at) VALUES (?, ?, ?, 0, 0)")
        .run(id, `B${i}`, ["kk", "ru", "en"][i % 3]);
      db.$client
        .prepare("INSERT INTO enrollments (learner_id, course_id, status, enrolled_at) VALUES (?, 'intro-programming', 'active', 0)")
        .run(id);
    }
  })();
  closeDatabase(db);
  // They started the bot before: Telegram knows their chats (the strict fake refuses unknown ones).
  world.api.telegram.addChat(...ids);
  return ids;
}

export interface KillOptions {
  entry: Entry;
  kills: number;
  seed: number;
  /** Learners per flow in each batch. */
  perFlow: number;
  broadcastLearners: number;
  log?: (line: string) => void;
  /** Learners stop after this many ms (the fast subset); the checks still run. */
  budgetMs?: number;
}

/** kill -9 at random moments while learners enroll, take the quiz, fill in the questionnaire and /ask; a broadcast runs. */
export async function killScenario(o: KillOptions): Promise<Check[]> {
  const world = await new World(o.entry).init();
  const random = rng(o.seed);
  const logs: FlowLog[] = [];
  const asked: { l: SimLearner; token: string }[] = [];
  try {
    addBrokenCourseFiles(world);
    const broadcastIds = seedBroadcast(world, o.broadcastLearners, 60_000);
    if (o.budgetMs) limits.deadline = Date.now() + o.budgetMs;
    await world.start();
    // The database already has the courses (seeded above), so the course files are read once the
    // first getUpdates is out, not before polling: wait for their report (or give up and fail below).
    await until(() => world.output.includes("zz-broken-link.yaml"), "the course files' report").catch(() => undefined);
    const startOutput = world.output;
    const flows = { done: false };
    const killer = (async () => {
      while (!flows.done && world.kills < o.kills) {
        await sleep(300 + random() * 2200);
        if (flows.done as boolean) break; // set by the learners while the killer slept
        await world.kill();
        await world.start();
        o.log?.(`  kill ${world.kills}/${o.kills}`);
      }
    })();
    let nextId = 70_000;
    let batch = 0;
    while (world.kills < o.kills && Date.now() < limits.deadline) {
      batch++;
      const runs: Promise<FlowLog>[] = [];
      for (let i = 0; i < o.perFlow; i++) {
        runs.push(quizFlow(world.learner(nextId++, "en"), rng(o.seed + nextId)));
        runs.push(questionnaireFlow(world.learner(nextId++, "en"), rng(o.seed + nextId)));
        const l = world.learner(nextId++, "en");
        const token = `Q${l.id}b${batch}`;
        asked.push({ l, token });
        runs.push(askFlow(l, token));
        runs.push(enrollFlow(world.learner(nextId++, "en")));
      }
      logs.push(...(await Promise.all(runs)));
    }
    flows.done = true;
    await killer;
    // A question whose confirmation died with a kill is announced by the redelivery job once it is
    // two minutes old, and the run ends seconds after its last kill: as the orphan scenario does,
    // the time passes while the bot is down (unannounced questions aged) and the restart's first
    // tick tells the learners.
    await world.kill();
    const aging = new Database(world.dbPath);
    try {
      aging.prepare("UPDATE questions SET created_at = created_at - 180000 WHERE learner_notified_at IS NULL").run();
    } finally {
      aging.close();
    }
    await world.start();
    for (const l of logs) {
      if (l.stuckSteps === 0) continue;
      o.log?.(`  learner ${l.learner} (${l.flow}) stuck: ${l.notes.join("; ")}`);
      const file = join(tmpdir(), `faults-${o.seed}-learner-${l.learner}.txt`);
      writeFileSync(file, `${world.timeline(l.learner).join("\n")}\n`);
      o.log?.(`    timeline: ${file}`);
    }
    await sleep(o.budgetMs ? 2000 : 4000); // redelivery of questions, the rest of the broadcast
    const orphans = await replyToEarlierCopies(world, asked);
    const code = await world.stop();
    return [
      check(
        "start",
        "bad course files (alias bomb, non-UTF-8, broken symlink) reported, demo courses served",
        /course intro-programming (loaded|unchanged)/.test(startOutput) &&
          /zz-bomb\.yaml.*aliases/.test(startOutput) &&
          startOutput.includes("zz-broken-link.yaml") &&
          !world.output.includes("Fatal"),
        "",
      ),
      ...checkFlows(world, logs, asked, broadcastIds, code, orphans),
    ];
  } finally {
    limits.deadline = Number.POSITIVE_INFINITY;
    await world.dispose();
  }
}

/** The assistants' chat posts of the question whose text is `token`, in order. */
function postedCopies(world: World, token: string) {
  return world.api.telegram.delivered.filter(
    (c) => Number(c.payload.chat_id) === ASSISTANTS_CHAT && c.method === "sendMessage" && String(c.payload.text).includes(token),
  );
}

/** The start of the note a re-posted question carries, in the bot's DEFAULT_LOCALE (up to the number). */
function maybeCopyMarker(world: World): string {
  const lang = world.extraEnv.DEFAULT_LOCALE ?? "kk";
  const texts = JSON.parse(readFileSync(`locales/${lang}.json`, "utf8")) as { assist: { maybe_copy: string } };
  return texts.assist.maybe_copy.split("{{")[0]!.split("#")[0]!;
}

interface OrphanReplies {
  probed: number;
  reached: number;
}

/**
 * For every question posted twice, an assistant replies to the FIRST copy (the one a kill kept
 * from being recorded) as Telegram shows it: the replied-to message with the bot as sender and
 * its text. The learner must get that answer.
 */
async function replyToEarlierCopies(world: World, asked: { l: SimLearner; token: string }[]): Promise<OrphanReplies> {
  const result = { probed: 0, reached: 0 };
  for (const { l, token } of asked) {
    const copies = postedCopies(world, token);
    if (copies.length < 2) continue;
    const first = copies[0]!;
    const messageId = Number(first.result.message_id);
    const chat = { id: ASSISTANTS_CHAT, type: "supergroup" as const, title: "Assistants" };
    const answer = `Answer to ${token} on its first copy`;
    result.probed++;
    world.api.pushUpdate({
      message: {
        message_id: 900_000 + result.probed,
        date: Math.floor(Date.now() / 1000),
        chat,
        from: { id: 5_000, is_bot: false, first_name: "Assistant" },
        text: answer,
        reply_to_message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat,
          from: { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name },
          text: String(first.payload.text).replace(/<[^>]+>/g, ""),
        },
      },
    } as never);
    try {
      await until(() => l.texts().some((t) => t.includes(answer)), "the answer to reach the learner", 10_000);
      result.reached++;
    } catch {
      // counted as not reached
    }
  }
  return result;
}

function checkFlows(
  world: World,
  logs: FlowLog[],
  asked: { l: SimLearner; token: string }[],
  broadcastIds: number[],
  exitCode: number | null,
  orphans: OrphanReplies,
): Check[] {
  const db = new Database(world.dbPath, { readonly: true });
  try {
    const out: Check[] = [];
    const kills = world.kills;
    // ---- quiz ----
    const quiz = logs.filter((l) => l.flow === "quiz");
    let qLost = 0;
    let qMis = 0;
    let qDup = 0;
    const qStuck = quiz.filter((l) => l.stuckSteps > 0).length;
    let answers = 0;
    for (const log of quiz) {
      const attempts = db.prepare("SELECT id, variant FROM quiz_attempts WHERE learner_id = ?").all(log.learner) as {
        id: number;
        variant: string;
      }[];
      if (attempts.length > 1) qDup++;
      const rows = db
        .prepare(
          "SELECT qa.attempt_id AS att, qa.item, qa.answer FROM quiz_answers qa JOIN quiz_attempts a ON a.id = qa.attempt_id WHERE a.learner_id = ?",
        )
        .all(log.learner) as { att: number; item: number; answer: string }[];
      answers += rows.length;
      const variants = new Map(attempts.map((a) => [a.id, JSON.parse(a.variant) as { order: number[] }[]]));
      const byItem = new Map<number, Given[]>();
      for (const g of log.given) byItem.set(g.index, [...(byItem.get(g.index) ?? []), g]);
      for (const [item, gs] of byItem) {
        const row = rows.find((r) => r.item === item);
        if (!row) {
          if (gs.some((g) => g.acknowledged)) qLost++;
          continue;
        }
        const a = JSON.parse(row.answer) as { kind: string; options?: number[]; value?: boolean; text?: string };
        const order = variants.get(row.att)?.[item]?.order ?? [];
        const matches = (g: Given) =>
          g.kind === "text"
            ? a.kind === "text" && a.text === g.text
            : a.kind === "truefalse"
              ? a.value === (g.n === 1)
              : a.kind === "choice" && JSON.stringify(a.options) === JSON.stringify([order[g.n!] ?? g.n]);
        if (!gs.some(matches)) qMis++;
      }
    }
    out.push(
      check(
        "kill -9",
        `quiz: 0 answers lost (${quiz.length} learners, ${answers} answers, ${kills} kills in all)`,
        qLost === 0,
        qLost ? `${qLost} acknowledged answers missing` : "",
      ),
    );
    out.push(
      check(
        "kill -9",
        "quiz: 0 answers misattributed",
        qMis === 0,
        qMis ? `${qMis} stored answers differ from what the learner gave for that question` : "",
      ),
    );
    out.push(
      check("kill -9", "quiz: 0 duplicate attempts", qDup === 0, qDup ? `${qDup} learners with a second attempt they did not start` : ""),
    );
    out.push(
      check(
        "kill -9",
        "quiz: 0 learners stuck (the question on screen works after a restart)",
        qStuck === 0,
        qStuck
          ? `${qStuck}/${quiz.length} learners: ${quiz
              .flatMap((l) => l.notes)
              .slice(0, 2)
              .join("; ")}`
          : retriedDetail(quiz),
      ),
    );
    const cut = quiz.filter((l) => !l.finished && l.outOfTime).length;
    const unfinished = quiz.filter((l) => !l.finished && !l.outOfTime).length;
    out.push(
      check(
        "kill -9",
        "quiz: every attempt reached its result",
        unfinished === 0,
        `${unfinished} unfinished${cut ? `, ${cut} stopped by the time budget` : ""}`,
      ),
    );

    // ---- questionnaire ----
    const qn = logs.filter((l) => l.flow === "questionnaire");
    const questions = JSON.parse(
      (
        db.prepare("SELECT questions FROM questionnaires WHERE course_id = 'intro-programming' AND kind = 'pre'").get() as {
          questions: string;
        }
      ).questions,
    ) as { id: string; type: string; min?: number }[];
    let nLost = 0;
    let nMis = 0;
    let nDup = 0;
    for (const log of qn) {
      const responses = db.prepare("SELECT id FROM questionnaire_responses WHERE learner_id = ?").all(log.learner) as { id: number }[];
      if (responses.length > 1) nDup++;
      const rows = db
        .prepare(
          "SELECT qa.question_id AS qid, qa.value FROM questionnaire_answers qa JOIN questionnaire_responses r ON r.id = qa.response_id WHERE r.learner_id = ?",
        )
        .all(log.learner) as { qid: string; value: string | null }[];
      for (const row of rows) {
        const pos = questions.findIndex((q) => q.id === row.qid);
        const v = row.value === null ? null : (JSON.parse(row.value) as unknown);
        const q = questions[pos]!;
        if (typeof v === "string" && /^p\d+-l\d+$/.test(v) && v !== `p${pos}-l${log.learner}`) nMis++;
        if (typeof v === "number" && q.type === "number") {
          const typed = log.given.filter((g) => g.kind === "text").map((g) => Number(g.text));
          const own = log.given.filter((g) => g.index === pos && g.kind === "text").map((g) => Number(g.text));
          if (typed.includes(v) && !own.includes(v)) nMis++;
        }
      }
      const last = new Map<number, Given>();
      for (const g of log.given) last.set(g.index, g);
      for (const [pos, g] of last) {
        if (!g.acknowledged || g.kind === "skip") continue;
        const row = rows.find((r) => r.qid === questions[pos]?.id);
        if (!row || row.value === null) nLost++;
      }
    }
    const nStuck = qn.filter((l) => l.stuckSteps > 0).length;
    out.push(
      check(
        "kill -9",
        `questionnaire: 0 answers lost (${qn.length} learners, Back and Skip used)`,
        nLost === 0,
        nLost ? `${nLost} acknowledged answers missing` : "",
      ),
    );
    out.push(
      check("kill -9", "questionnaire: 0 answers misattributed", nMis === 0, nMis ? `${nMis} answers stored under another question` : ""),
    );
    out.push(check("kill -9", "questionnaire: 0 duplicate responses", nDup === 0, ""));
    out.push(
      check(
        "kill -9",
        "questionnaire: 0 learners stuck",
        nStuck === 0,
        nStuck
          ? `${nStuck}/${qn.length}: ${qn
              .flatMap((l) => l.notes)
              .slice(0, 2)
              .join("; ")}`
          : retriedDetail(qn),
      ),
    );

    // ---- /ask ----
    let posts = 0;
    let dupPosts = 0;
    let unmarked = 0;
    let lostQ = 0;
    let noNumber = 0;
    for (const { l, token } of asked) {
      const copies = postedCopies(world, token);
      posts += copies.length;
      if (copies.length > 1) dupPosts++;
      // A copy posted after one that may have gone out unrecorded says that it replaces it.
      if (copies.slice(1).some((c) => !String(c.payload.text).includes(maybeCopyMarker(world)))) unmarked++;
      const stored = (db.prepare("SELECT count(*) AS n FROM questions WHERE text = ?").get(token) as { n: number }).n;
      if (stored === 0 && l.texts().some((t) => /#\d+/.test(t) && /sent|saved/i.test(t))) lostQ++;
      if (stored > 0 && !l.texts().some((t) => /#\d+/.test(t))) noNumber++;
    }
    // At least once, never silently twice: a post Telegram accepted just before a kill cannot be
    // looked up (the Bot API has no history), so it is posted again saying so, and both copies
    // work (README, Reliability).
    out.push(
      check(
        "kill -9",
        `/ask: a question posted again after a kill says it replaces an earlier copy (${asked.length} asked, ${posts} posts)`,
        unmarked === 0,
        `${dupPosts} posted twice${unmarked ? `, ${unmarked} without the note` : ""}`,
      ),
    );
    out.push(
      check(
        "kill -9",
        "/ask: a reply to the earlier, unrecorded copy reaches the learner",
        orphans.probed === 0 ? "skipped" : orphans.reached === orphans.probed,
        orphans.probed === 0 ? "no question was posted twice in this run" : `${orphans.reached} of ${orphans.probed} replies delivered`,
      ),
    );
    out.push(check("kill -9", "/ask: 0 acknowledged questions lost", lostQ === 0, ""));
    out.push(
      check(
        "kill -9",
        "/ask: every stored question's number reached the learner",
        noNumber === 0,
        noNumber ? `${noNumber} learners never got their question's number` : "",
      ),
    );

    // ---- enrollment ----
    const learners = logs.map((l) => l.learner);
    const notEnrolled = learners.filter(
      (id) => !db.prepare("SELECT 1 FROM enrollments WHERE learner_id = ? AND status = 'active'").get(id),
    ).length;
    const enrollStuck = logs.filter((l) => l.flow === "enroll" && l.stuckSteps > 0).length;
    out.push(
      check(
        "kill -9",
        `enrollment: every learner enrolled once (${learners.length} learners)`,
        notEnrolled === 0,
        notEnrolled ? `${notEnrolled} not enrolled` : "",
      ),
    );
    const enrollLogs = logs.filter((l) => l.flow === "enroll");
    out.push(
      check(
        "kill -9",
        "enrollment: /start, Enroll and Yes always answered",
        enrollStuck === 0,
        enrollStuck
          ? `${enrollStuck} without an answer: ${enrollLogs
              .flatMap((l) => l.notes)
              .slice(0, 2)
              .join("; ")}`
          : retriedDetail(enrollLogs),
      ),
    );

    // ---- broadcast ----
    const rows = db
      .prepare(
        "SELECT i.chat_id AS chat, i.state FROM outbox_items i JOIN outbox_bodies b ON b.id = i.body_id WHERE b.kind = 'announcement'",
      )
      .all() as { chat: number; state: string }[];
    const got = new Map<number, number>();
    for (const c of world.api.telegram.delivered)
      if (String(c.payload.text ?? "").includes("📣")) got.set(Number(c.payload.chat_id), (got.get(Number(c.payload.chat_id)) ?? 0) + 1);
    const seeded = new Set(broadcastIds);
    const dups = [...got.entries()].filter(([chat, n]) => seeded.has(chat) && n > 1).length;
    const silentLoss = rows.filter((r) => seeded.has(r.chat) && r.state === "sent" && !got.has(r.chat)).length;
    const unsettled = rows.filter((r) => seeded.has(r.chat) && (r.state === "pending" || r.state === "sending")).length;
    const uncertain = rows.filter((r) => seeded.has(r.chat) && r.state === "uncertain").length;
    const failed = rows.filter((r) => seeded.has(r.chat) && r.state === "failed").length;
    const queued = rows.filter((r) => seeded.has(r.chat)).length;
    // An uncertain message (in flight at a kill, never resent) may or may not have arrived: reported, not a loss.
    const missing = broadcastIds.filter((id) => !got.has(id) && rows.find((r) => r.chat === id)?.state !== "uncertain").length;
    out.push(
      check(
        "kill -9",
        `broadcast: 0 duplicates (${broadcastIds.length} learners)`,
        dups === 0,
        dups ? `${dups} learners got it twice` : "",
      ),
    );
    out.push(
      check(
        "kill -9",
        "broadcast: delivered to every learner, 0 silently lost, all settled",
        silentLoss === 0 && unsettled === 0 && failed === 0 && missing === 0 && queued === broadcastIds.length,
        `${broadcastIds.filter((id) => got.has(id)).length} received, ${queued} queued, ${unsettled} unsettled, ${failed} failed, ${missing} never received, ${silentLoss} marked sent but not received, ${uncertain} uncertain (reported)`,
      ),
    );
    // An update a kill interrupted is handled again by the next start (the update inbox): an edit it
    // had made already is made again and Telegram answers "not modified", which the bot takes as
    // done. Those (a kill between the first edit and the repeat) are counted, not failed; the same
    // refusal within one process's life is a bug and fails.
    const between = (what: "kill" | "start", from: number | undefined, to: number | undefined) =>
      from !== undefined && world.events.some((e) => e.what === what && e.at > from && e.at < (to ?? 0));
    const pressedAt = new Map(
      world.api.pushed.filter((p) => p.update.callback_query).map((p) => [String(p.update.callback_query.id), p.at]),
    );
    // Likewise a press answered after a restart, more than 15 s after it was made ("query is too
    // old"): Telegram refuses the late answer, and the bot lets it go and shows the step all the same.
    const repeatsAcrossKill = (c: ApiCall) =>
      between("kill", c.unchangedSince, c.at) ||
      (c.method === "answerCallbackQuery" && between("start", pressedAt.get(String(c.payload.callback_query_id)), c.at));
    const repeats = world.api.telegram.refused.filter(repeatsAcrossKill).length;
    out.push(
      check(
        "kill -9",
        "no 400 from the strict Bot API (but for edits and answers repeated after a kill)",
        world.api.refusals.length === 0 && world.api.telegram.refused.every(repeatsAcrossKill),
        [
          refusalsSummary(world, (c) => !repeatsAcrossKill(c)),
          `${repeats} edits or button answers repeated after a kill ("not modified", "query is too old")`,
        ]
          .filter(Boolean)
          .join("; "),
      ),
    );
    out.push(check("kill -9", "clean stop after the last restart", exitCode === 0, `exit ${exitCode}`));
    return out;
  } finally {
    db.close();
  }
}

/**
 * Steps that needed a second tap: no answer within the learner's patience (10 s) while the bot was
 * down and starting again (the update itself is not lost: it is in the update inbox, or not
 * confirmed to Telegram yet); the learner tried again, as people do.
 */
function retriedDetail(logs: FlowLog[]): string {
  const n = logs.reduce((s, l) => s + l.retried, 0);
  const r = logs.reduce((s, l) => s + l.reopened, 0);
  return [
    n ? `${n} steps answered only when tried again (no answer within 10 s while the bot restarted)` : "",
    r ? `${r} times the answer counted but the next question died with the process: resumed from /quiz or the questionnaire button` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

/** What the strict front (encoding, sizes) and the fake behind it (unknown chats, HTML, …) refused. */
function refusalsSummary(world: World, counted: (c: ApiCall) => boolean = () => true): string {
  const counts = new Map<string, number>();
  const all = [
    ...world.api.refusals,
    ...world.api.telegram.refused.filter(counted).map((c) => ({ method: c.method, description: c.error?.description ?? "" })),
  ];
  for (const r of all) counts.set(`${r.method}: ${r.description}`, (counts.get(`${r.method}: ${r.description}`) ?? 0) + 1);
  return [...counts.entries()]
    .slice(0, 3)
    .map(([k, n]) => `${n}× ${k}`)
    .join("; ");
}

export interface OutageOptions {
  entry: Entry;
  seconds: number;
  /** The bot must answer again within this many seconds after Telegram comes back. */
  recoverySeconds: number;
}

/** Telegram answers 502, then drops every connection, for a while; the bot must answer soon after. */
export async function outageScenario(o: OutageOptions): Promise<Check[]> {
  const world = await new World(o.entry).init();
  const out: Check[] = [];
  try {
    const broadcastIds = seedBroadcast(world, 40, 80_000);
    world.api.telegram.latencyMs = 30;
    await world.start();
    const l = world.learner(81_001, "ru");
    await l.send("/start");
    for (const kind of ["502", "drop"] as const) {
      world.api.startOutage(kind);
      const waiting = [world.learner(81_100 + (kind === "502" ? 0 : 10), "kk"), world.learner(81_101 + (kind === "502" ? 0 : 10), "en")];
      const replies = waiting.map((w) => w.send("/help", (o.seconds + o.recoverySeconds + 30) * 1000));
      await sleep(o.seconds * 1000);
      world.api.endOutage();
      const back = Date.now();
      const answered = await Promise.all(replies);
      const took = (Date.now() - back) / 1000;
      out.push(
        check(
          "outage",
          `${o.seconds} s of ${kind === "502" ? "502 answers" : "dropped connections"}: the bot answers within ${o.recoverySeconds} s of recovery`,
          answered.every(Boolean) && took <= o.recoverySeconds,
          answered.every(Boolean) ? `answered ${took.toFixed(1)} s after recovery` : "no answer",
        ),
      );
    }
    await until(
      () => {
        const got = new Set(
          world.api.telegram.delivered.filter((c) => String(c.payload.text ?? "").includes("📣")).map((c) => Number(c.payload.chat_id)),
        );
        return broadcastIds.every((id) => got.has(id));
      },
      "the broadcast",
      60_000,
    ).then(
      () => out.push(check("outage", `the broadcast (${broadcastIds.length} learners) completes through both outages`, true)),
      () => {
        const got = new Set(
          world.api.telegram.delivered.filter((c) => String(c.payload.text ?? "").includes("📣")).map((c) => Number(c.payload.chat_id)),
        );
        out.push(
          check(
            "outage",
            `the broadcast (${broadcastIds.length} learners) completes through both outages`,
            false,
            `${broadcastIds.filter((id) => !got.has(id)).length} not delivered 60 s later`,
          ),
        );
      },
    );
    const logged = /outage|unreachable|cannot reach|network/i.test(world.output);
    out.push(check("outage", "the outage is logged", logged, ""));
    await world.stop();
    return out;
  } finally {
    await world.dispose();
  }
}

/** 429 with retry_after while a broadcast runs: replies must not be dropped, the broadcast completes. */
export async function stormScenario(o: { entry: Entry; broadcast: number; repliers: number }): Promise<Check[]> {
  const world = await new World(o.entry).init();
  try {
    const broadcastIds = seedBroadcast(world, o.broadcast, 90_000);
    world.api.telegram.rateLimit = { perSecond: 6, retryAfter: 2 };
    await world.start();
    const repliers = Array.from({ length: o.repliers }, (_, i) => world.learner(91_000 + i, (["kk", "ru", "en"] as const)[i % 3]));
    const answered = await Promise.all(repliers.map(async (r) => (await r.send("/help", 40_000)) && (await r.send("/courses", 40_000))));
    const dropped = answered.filter((a) => !a).length;
    let complete = true;
    await until(
      () =>
        new Set(
          world.api.telegram.delivered.filter((c) => String(c.payload.text ?? "").includes("📣")).map((c) => Number(c.payload.chat_id)),
        ).size >= broadcastIds.length,
      "the broadcast",
      90_000,
    ).catch(() => (complete = false));
    const floods = world.api.telegram.floodAnswers;
    await world.stop();
    return [
      check(
        "429 storm",
        `learners' replies not dropped while a broadcast meets 429s (${o.repliers} learners × 2, ${floods} 429s)`,
        dropped === 0,
        dropped ? `${dropped} learners saw no reply` : "",
      ),
      check("429 storm", `the broadcast (${o.broadcast} learners) completes`, complete, ""),
    ];
  } finally {
    await world.dispose();
  }
}

/** As root: the database on a small tmpfs, filled up; the learner gets the storage apology, then it works again. */
export async function diskFullScenario(o: { entry: Entry }): Promise<Check[]> {
  if (process.getuid?.() !== 0)
    return [check("disk full", "full disk: apology, nothing false, recovery without restart", "skipped", "not root (a tmpfs needs mount)")];
  const world = await new World(o.entry).init();
  const disk = join(world.dir, "disk");
  mkdirSync(disk);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=6m", "tmpfs", disk], { stdio: "ignore" });
  } catch {
    await world.dispose();
    return [check("disk full", "full disk: apology, nothing false, recovery without restart", "skipped", "mount -t tmpfs failed")];
  }
  try {
    world.dbPath = join(disk, "bot.sqlite");
    await world.start();
    const first = world.learner(95_000, "en");
    await first.send("/start");
    // Fill the disk to the last block.
    let i = 0;
    try {
      for (;;) writeFileSync(join(disk, `fill${i++}`), Buffer.alloc(256 * 1024));
    } catch {
      /* full */
    }
    try {
      for (let k = 0; ; k++) writeFileSync(join(disk, `small${k}`), Buffer.alloc(1024));
    } catch {
      /* full */
    }
    const people = Array.from({ length: 6 }, (_, k) => world.learner(95_100 + k, (["kk", "ru", "en"] as const)[k % 3]));
    for (const p of people) await enrollOnce(p);
    return await (async () => {
      // Checked with the process still on the full disk: restarting is not part of recovery.
      const db = new Database(world.dbPath, { readonly: true, fileMustExist: true });
      let falseSuccess = 0;
      let apologies = 0;
      for (const p of people) {
        const said = p.texts().join("\n");
        if (/could not save|не удалось сохранить|сақтау мүмкін болмады/.test(said)) apologies++;
        const greeted = /Hello|Здравствуйте|Сәлеметсіз бе/.test(said);
        const enrolled = /You are enrolled|записаны|жазылдыңыз/.test(said);
        const row = db.prepare("SELECT 1 FROM learners WHERE id = ?").get(p.id);
        const enr = db.prepare("SELECT 1 FROM enrollments WHERE learner_id = ?").get(p.id);
        if ((greeted && !row) || (enrolled && !enr)) falseSuccess++;
      }
      db.close();
      for (let k = 0; k < i; k++) rmSync(join(disk, `fill${k}`), { force: true });
      const again = world.learner(95_200, "ru");
      const ok = (await again.send("/start")) && again.texts().join("\n").includes("Здравствуйте");
      const stored = (() => {
        const d = new Database(world.dbPath, { readonly: true });
        try {
          return Boolean(d.prepare("SELECT 1 FROM learners WHERE id = ?").get(95_200));
        } finally {
          d.close();
        }
      })();
      await world.stop();
      return [
        check(
          "disk full",
          "no false success: nobody greeted or enrolled without the row in the database",
          falseSuccess === 0,
          `${falseSuccess} of ${people.length}`,
        ),
        check(
          "disk full",
          "the person gets the storage apology in their language",
          apologies > 0,
          `${apologies} of ${people.length} apologised to (the others' writes fit)`,
        ),
        check(
          "disk full",
          "recovers by itself when space returns",
          ok && stored,
          ok && stored ? "" : "no greeting or no row after freeing space",
        ),
      ];
    })();
  } finally {
    await world.kill().catch(() => undefined);
    await world.stop().catch(() => undefined);
    try {
      execFileSync("umount", ["-l", disk], { stdio: "ignore" });
    } catch {
      /* already gone */
    }
    await world.dispose();
  }
}

/** Forged callback data: the prefixes of the bot's buttons (src/messages/callbackData.ts and the views), old ones too. */
const PREFIXES = [
  "crs",
  "enr",
  "enr!",
  "unr",
  "unr!",
  "ntf",
  "lang",
  "qz",
  "qs",
  "qzc",
  "qzt",
  "qzd",
  "qnv",
  "qnt",
  "qnd",
  "qnm",
  "qb",
  "qt",
  "qd",
  "qa",
  "qn",
  "qr",
  "qx",
  "aq",
  "ask",
  "ask:m",
  "ask:c",
  "ask:x",
  "an:c",
  "an:y",
  "rpt",
  "ann",
  "res",
  "exp",
];
const TEXTS = [
  "hello",
  "сәлем 👋",
  "👨‍👩‍👧‍👦".repeat(30),
  "🇰🇿🇷🇺🇬🇧",
  "/start x😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀",
  "/frobnicate😀",
  "/glossary 👩‍💻" + "x".repeat(300),
  "<b>not html</b> & < >",
  "x".repeat(4096),
  "😀".repeat(2100),
  "/quiz",
  "/courses",
  "/ask",
  "/cancel",
  "/myquestions",
  "/progress",
  "/language",
  "/help",
  "/mycourses",
  "\u200d\u200d\u200d",
  "a\u0301\u0301\u0301".repeat(500),
];

/** Random updates from many chats: nothing crashes, every private message gets a reply in the learner's language, no 400. */
export async function fuzzScenario(o: { entry: Entry; chats: number; perChat: number; seed: number }): Promise<Check[]> {
  const world = await new World(o.entry).init();
  const random = rng(o.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  try {
    await world.start();
    let sent = 0;
    let unanswered = 0;
    let wrongLanguage = 0;
    const examples: string[] = [];
    await Promise.all(
      Array.from({ length: o.chats }, async (_, c) => {
        const lang = (["kk", "ru", "en"] as const)[c % 3]!;
        const l = world.learner(100_000 + c, lang);
        await l.send("/start");
        for (let i = 0; i < o.perChat; i++) {
          const kind = random();
          const since = world.api.calls.length;
          let expectReply = true;
          let reacted: boolean;
          if (kind < 0.35) {
            reacted = await l.send(pick(TEXTS), 15_000);
          } else if (kind < 0.6) {
            const data =
              random() < 0.1
                ? "x".repeat(80)
                : `${pick(PREFIXES)}:${pick(["", "1", "999999", "intro-programming", "intro-programming:0", "1:2:3", "-1", "😀", "a:b:c:d:e", "1:0:0", "1:0:0:1", "1:0:back", "1:99:skip", "99999:0:1:3"])}`;
            reacted = await l.press(data, 1, 15_000);
          } else if (kind < 0.7) {
            reacted = await l.sendRaw(
              {
                message: {
                  message_id: l.nextMessageId(),
                  date: 0,
                  chat: l.chat,
                  from: l.from,
                  sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 1, height: 1, is_animated: false, is_video: false },
                },
              },
              15_000,
            );
          } else if (kind < 0.8) {
            reacted = await l.sendRaw(
              {
                message: {
                  message_id: l.nextMessageId(),
                  date: 0,
                  chat: l.chat,
                  from: l.from,
                  photo: [{ file_id: "p", file_unique_id: "p", width: 1, height: 1 }],
                  caption: pick(TEXTS),
                },
              },
              15_000,
            );
          } else if (kind < 0.9) {
            expectReply = false;
            reacted = await l.sendRaw(
              { edited_message: { message_id: 1, date: 0, edit_date: 1, chat: l.chat, from: l.from, text: pick(TEXTS) } },
              1500,
            );
          } else {
            expectReply = false;
            reacted = await l.sendRaw(
              pick([
                {
                  poll: {
                    id: "p",
                    question: "?",
                    options: [],
                    total_voter_count: 0,
                    is_closed: false,
                    is_anonymous: true,
                    type: "regular",
                    allows_multiple_answers: false,
                  },
                },
                { message_reaction: { chat: l.chat, message_id: 1, date: 0, old_reaction: [], new_reaction: [] } },
                { chat_join_request: { chat: { id: -5, type: "supergroup", title: "g" }, from: l.from, user_chat_id: l.id, date: 0 } },
                { message: { message_id: 9, date: 0, chat: { id: -4242, type: "group", title: "g" }, from: l.from, text: pick(TEXTS) } },
              ]),
              1500,
            );
          }
          sent++;
          if (expectReply && !reacted) {
            unanswered++;
            if (examples.length < 3) examples.push(`chat ${l.id}: no reply to an update of kind ${kind.toFixed(2)}`);
          }
          for (const call of l.callsSince(since)) {
            const text = String(call.payload.text ?? "");
            if (!text || (call.method === "answerCallbackQuery" && !call.payload.text)) continue;
            if (!languageLooksRight(text, lang)) {
              wrongLanguage++;
              if (examples.length < 5) examples.push(`${lang} learner got: ${text.slice(0, 60)}`);
            }
          }
        }
      }),
    );
    await sleep(500);
    const alive = world.running;
    const code = await world.stop();
    return [
      check(
        "fuzz",
        `no crash (${sent} updates from ${o.chats} chats)`,
        alive && !/Fatal|unhandled/i.test(world.output),
        alive ? "" : "the process died",
      ),
      check(
        "fuzz",
        "every private message gets a reply",
        unanswered === 0,
        unanswered ? `${unanswered} unanswered; ${examples.slice(0, 2).join("; ")}` : "",
      ),
      check(
        "fuzz",
        "replies in the learner's language",
        wrongLanguage === 0,
        wrongLanguage
          ? `${wrongLanguage}; ${examples
              .filter((e) => e.includes("got"))
              .slice(0, 2)
              .join("; ")}`
          : "",
      ),
      check(
        "fuzz",
        "no 400 from the strict Bot API",
        world.api.refusals.length === 0 && world.api.telegram.refused.length === 0,
        refusalsSummary(world),
      ),
      check("fuzz", "clean stop", code === 0, `exit ${code}`),
    ];
  } finally {
    await world.dispose();
  }
}

/** Coarse: a Kazakh reply has a Kazakh letter, a Russian one Cyrillic without Kazakh letters, an English one mostly Latin. */
function languageLooksRight(text: string, lang: "kk" | "ru" | "en"): boolean {
  // The learner's own words quoted back («…») are in whatever language they wrote.
  const plain = text
    .replace(/<[^>]+>/g, "")
    .replace(/\/\w+/g, "")
    .replace(/«[^»]*»?/g, "");
  const cyr = (plain.match(/[а-яёәғқңөұүһі]/gi) ?? []).length;
  const lat = (plain.match(/[a-z]/gi) ?? []).length;
  if (cyr + lat < 10) return true;
  if (lang === "kk") return /[әғқңөұүһі]/i.test(plain);
  if (lang === "ru") return cyr > lat;
  return lat > cyr;
}

/**
 * The one window no order of writes closes: Telegram accepts a question's post and the process
 * is killed before the message id is stored. Made to happen on purpose (kill -9 the moment the
 * fake Bot API delivers the post), then the question is aged past the redelivery job's two
 * minutes while the bot is down, so the restart posts it again at once. Checks what holds: one
 * stored question, the second copy says it replaces an earlier one, a reply to the first
 * (unrecorded) copy reaches the learner, and the learner is told the question's number.
 */
export async function orphanPostScenario(o: { entry: Entry }): Promise<Check[]> {
  const world = await new World(o.entry).init();
  const area = "kill -9 after a post";
  try {
    await world.start();
    const l = world.learner(81_001, "en");
    const token = `Orphan${l.id}`;
    const kill: { done: Promise<void> | null } = { done: null };
    world.api.telegram.afterDelivery = (call) => {
      if (kill.done || call.method !== "sendMessage" || Number(call.payload.chat_id) !== ASSISTANTS_CHAT) return;
      // The signal goes out before the fake answers: the process never learns the message id.
      if (String(call.payload.text).includes(token)) kill.done = world.kill();
    };
    const flow = askFlow(l, token);
    await until(() => kill.done !== null, "the question's post", 60_000);
    await kill.done;
    world.api.telegram.afterDelivery = null;
    const db = new Database(world.dbPath);
    try {
      db.prepare("UPDATE questions SET created_at = created_at - 180000 WHERE text = ?").run(token);
    } finally {
      db.close();
    }
    await world.start();
    await until(() => postedCopies(world, token).length >= 2, "the question to be posted again", 20_000).catch(() => undefined);
    await until(() => l.texts().some((t) => /#\d+/.test(t)), "the learner to be told the number", 10_000).catch(() => undefined);
    const orphans = await replyToEarlierCopies(world, [{ l, token }]);
    await flow;
    await world.stop();
    const copies = postedCopies(world, token);
    const ro = new Database(world.dbPath, { readonly: true });
    const stored = (ro.prepare("SELECT count(*) AS n FROM questions WHERE text = ?").get(token) as { n: number }).n;
    ro.close();
    return [
      check(
        area,
        "the question is stored once and posted again after the restart",
        stored === 1 && copies.length === 2,
        `${stored} stored, ${copies.length} posts`,
      ),
      check(
        area,
        "the second copy says it replaces an earlier copy",
        copies.length === 2 && String(copies[1]!.payload.text).includes(maybeCopyMarker(world)),
        "",
      ),
      check(area, "a reply to the first, unrecorded copy reaches the learner", orphans.probed === 1 && orphans.reached === 1, ""),
      check(
        area,
        "the learner is told the question's number after the restart",
        l.texts().some((t) => /#\d+/.test(t)),
        "",
      ),
    ];
  } finally {
    world.api.telegram.afterDelivery = null;
    await world.dispose();
  }
}
