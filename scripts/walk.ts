/**
 * A walk through the product as new users take it, against the REAL process (node dist/main.js,
 * or src/main.ts through tsx with WALK_ENTRY=tsx) and the strict fake Bot API over HTTP.
 *
 *   npm run build && npx tsx scripts/walk.ts            # prints the transcript, then the findings
 *   WALK_OUT=/tmp/walk.txt npx tsx scripts/walk.ts      # also writes the transcript to a file
 *
 * Three learners (Kazakh, Russian and English Telegram apps), the author and an assistant in the
 * assistants' group go through every command; the process is stopped with SIGTERM and SIGKILL in
 * the middle of a quiz and of the questionnaire. Every text is checked for what no reader should
 * see (raw keys, "undefined", HTML shown as text, English in the Kazakh and Russian texts); a
 * refused call (the strict fake answers 400) or a reaction that never came is a finding too.
 * Exits 1 when there is any finding.
 */
import { writeFileSync } from "node:fs";
import { parseTelegramHtml } from "../test/support/telegramHtml.js";
import { ASSISTANTS_CHAT, AUTHOR_ID, World, sleep, type Screen, type SimLearner } from "../test/faults/world.js";
import type { ApiCall } from "../test/support/fakeTelegram.js";

type Lang = "kk" | "ru" | "en";
const COURSE = "intro-programming";
const lines: string[] = [];
const findings: string[] = [];
let botOutput = "";
const log = (s: string) => {
  lines.push(s);
  if (!process.env.WALK_QUIET) console.log(s);
};

/** Latin words that may stand in a Kazakh or Russian text: names, code, commands. */
const LATIN_OK =
  /^(Python|print|input|int|str|float|bool|type|len|range|def|return|True|False|None|if|else|elif|for|while|in|and|or|not|list|append|Hello|HTML|CSV|PDF|ID|id|Excel|Telegram|MOOC|Sim\d+|Author|Assist|Aigerim|Olga|John|intro|programming|digital|literacy|csv|pdf|txt|true|false|www|https|http|t|me|mooc_test_bot|AB|A|B|C|D|x|y|n|I|II|Enter|GIFT|Aiken|XML|OK|YAML|Ctrl|Wi|Fi|USB|URL|SMS|VPN|e|mail|email|Google|Windows|English|Sim|first|name|place|age|my|Name|Hi|HiHiHi|price|count|number|twelve|from|how|use|do|together|asdf|qwerty|frobnicate|such|course|no)$/;

function shown(c: ApiCall): string {
  const raw = String(c.payload.text ?? c.payload.caption ?? "");
  if (c.payload.parse_mode !== "HTML") return raw;
  const p = parseTelegramHtml(raw);
  return p.ok ? p.text : raw;
}

function checkText(who: string, lang: Lang | null, text: string, where: string): void {
  const problems: string[] = [];
  if (/\bundefined\b|\bNaN\b|\[object /.test(text)) problems.push("undefined/NaN/[object]");
  if (/<\/?(b|i|code|a|pre|u|s|blockquote)\b[^>]*>|&(amp|lt|gt|quot);/.test(text)) problems.push("HTML shown as text");
  if (/\{\{|\}\}|\$t\(/.test(text)) problems.push("unfilled placeholder");
  if (
    /\b[a-z]+(?:[A-Z][a-zA-Z]*)?\.[a-z][a-zA-Z]+(?:\.[a-zA-Z_]+)+\b/.test(
      text.replace(/https?:\S+|\S+\.(csv|pdf|txt|yaml|py)\b|[a-z]+\.[a-z]+\(|t\.me\S*/g, ""),
    )
  ) {
    problems.push(`raw key? ${/\b[a-z]+(?:[A-Z][a-zA-Z]*)?\.[a-z][a-zA-Z]+(?:\.[a-zA-Z_]+)+\b/.exec(text)![0]}`);
  }
  if (lang === "kk" || lang === "ru") {
    const latin = (
      text
        .replace(/https?:\S+|\/[a-z_]+|<[^>]*>|"[^"]*"|«[^»]*print[^»]*»|`[^`]*`|\S+\.(csv|pdf|txt|yaml|py|png)\b|\b\w+\([^)]*\)/g, " ")
        .match(/[A-Za-z]{3,}/g) ?? []
    ).filter((w) => !LATIN_OK.test(w));
    if (latin.length > 0) problems.push(`Latin words in ${lang}: ${[...new Set(latin)].slice(0, 8).join(" ")}`);
  }
  if (lang === "kk" && /\b(сен|сенің|саған|сені)\b/i.test(text)) problems.push("informal «сен» in kk");
  if (lang === "kk" && !/[ыі]ңыз|Сіз|сіз/.test(text) && !/ңыз|ңіз|сыз|сіз/i.test(text) && text.length > 200) {
    // long Kazakh texts normally address the reader; noted only, not a finding
  }
  for (const p of problems)
    findings.push(`[${who}${lang ? ` ${lang}` : ""}] ${where}: ${p} :: ${text.slice(0, 160).replace(/\n/g, " ⏎ ")}`);
}

/** Prints (and checks) what happened in a chat since `since`. */
function report(
  world: World,
  who: string,
  chatId: number,
  lang: Lang | null,
  since: number,
  step: string,
  callbackIds?: Set<string>,
): void {
  log(`\n── ${who} ▸ ${step}`);
  const calls = world.api.calls.slice(since);
  for (const c of calls) {
    const mine =
      Number(c.payload.chat_id) === chatId || (c.method === "answerCallbackQuery" && callbackIds?.has(String(c.payload.callback_query_id)));
    if (!mine) continue;
    // "not modified": Telegram refuses an edit to the same content; the bot ignores that answer.
    if ((c.method.startsWith("refused:") || c.error) && (c.error?.description ?? "").includes("not modified")) continue;
    if (c.method.startsWith("refused:") || c.error) {
      findings.push(
        `[${who}] ${step}: REFUSED ${c.method} ${c.error?.description ?? ""} :: ${String(c.payload.text ?? c.payload.caption ?? "").slice(0, 160)}`,
      );
      log(`   ✗ REFUSED ${c.method}: ${c.error?.description ?? ""}`);
      continue;
    }
    if (c.method === "answerCallbackQuery") {
      if (c.payload.text) {
        log(`   ⓘ ${c.payload.show_alert ? "alert" : "toast"}: ${c.payload.text}`);
        checkText(who, lang, String(c.payload.text), `${step} (alert)`);
      }
      continue;
    }
    if (["sendChatAction", "setMyCommands", "deleteMessage", "getChatMember"].includes(c.method)) continue;
    const text = shown(c);
    const kb = ((c.payload.reply_markup?.inline_keyboard ?? []) as { text: string; callback_data?: string; url?: string }[][]).flat();
    const tag =
      c.method === "sendMessage" ? "→" : c.method === "editMessageText" ? "✎" : c.method === "editMessageReplyMarkup" ? "⌨" : c.method;
    const file = c.payload["document:file"]?.filename ? ` [file ${c.payload["document:file"].filename}]` : "";
    if (text || c.method !== "editMessageReplyMarkup") log(`   ${tag}${file} ${text.replace(/\n/g, "\n     ")}`);
    if (kb.length > 0) log(`     [${kb.map((b) => `${b.text}${b.callback_data ? ` ‹${b.callback_data}›` : ""}`).join(" | ")}]`);
    if (text) checkText(who, lang, text, step);
    for (const b of kb) checkText(who, lang, b.text, `${step} (button)`);
  }
}

class Person {
  readonly cbIds = new Set<string>();
  constructor(
    readonly world: World,
    readonly sim: SimLearner,
    readonly name: string,
    readonly lang: Lang,
  ) {}

  /** `expectReaction` false: the answer is a document, which the fault suite's fake does not attribute to a chat. */
  async say(text: string, extra: Record<string, unknown> = {}, expectReaction = true): Promise<void> {
    const m = this.sim.mark;
    const reacted = await this.sim.send(text, 8000, extra);
    if (!reacted && expectReaction) findings.push(`[${this.name} ${this.lang}] "${text.slice(0, 40)}": no reaction within 8 s`);
    await sleep(150);
    report(this.world, this.name, this.sim.id, this.lang, m, `says ${JSON.stringify(text.slice(0, 60))}`, this.cbIds);
  }

  async raw(what: string, message: Record<string, unknown>): Promise<void> {
    const m = this.sim.mark;
    const reacted = await this.sim.sendRaw(
      {
        message: {
          message_id: this.sim.nextMessageId(),
          date: Math.floor(Date.now() / 1000),
          chat: this.sim.chat,
          from: this.sim.from,
          ...message,
        },
      },
      8000,
    );
    if (!reacted) findings.push(`[${this.name} ${this.lang}] ${what}: no reaction within 8 s`);
    await sleep(150);
    report(this.world, this.name, this.sim.id, this.lang, m, what, this.cbIds);
  }

  /** Presses the first button whose data matches, on the latest screen that has one (or the given screen). */
  async tap(data: RegExp | string, on?: Screen, expectReaction = true): Promise<Screen | null> {
    const s = on ?? this.sim.screen((x) => x.buttons.some((b) => (typeof data === "string" ? b.data === data : data.test(b.data))));
    const b = typeof data === "string" ? { text: data, data } : s?.buttons.find((x) => data.test(x.data));
    if (!b) {
      findings.push(`[${this.name} ${this.lang}] no button ${String(data)} on screen`);
      log(`\n── ${this.name} ▸ (no button ${String(data)})`);
      return null;
    }
    const m = this.sim.mark;
    const before = new Set(this.world.api.calls.map((c) => c.payload.callback_query_id));
    const reacted = await this.sim.press(b.data, s?.messageId ?? this.sim.screen()?.messageId ?? 1, 8000);
    for (const c of this.world.api.calls.slice(m))
      if (c.method === "answerCallbackQuery" && !before.has(c.payload.callback_query_id))
        this.cbIds.add(String(c.payload.callback_query_id));
    if (!reacted && expectReaction) findings.push(`[${this.name} ${this.lang}] pressing ${b.data}: no reaction within 8 s`);
    const answered = this.world.api.calls.slice(m).some((c) => c.method === "answerCallbackQuery");
    if (!answered) findings.push(`[${this.name} ${this.lang}] pressing ${b.data}: the press was never answered (spinner stays)`);
    await sleep(150);
    report(this.world, this.name, this.sim.id, this.lang, m, `taps «${b.text}» ‹${b.data}›`, this.cbIds);
    return s;
  }

  screen(pred: (s: Screen) => boolean = () => true): Screen | null {
    return this.sim.screen(pred);
  }
}

/** Answers the quiz question on screen, choosing wrong inputs first where it can. */
async function answerQuizQuestion(p: Person, round: number): Promise<"done" | "answered" | "stuck"> {
  const s = p.screen((x) => x.buttons.some((b) => /^qz[ctd]:/.test(b.data)));
  const last = p.screen();
  if (!last) return "stuck";
  if (s && s.messageId === last.messageId) {
    const toggles = s.buttons.filter((b) => b.data.startsWith("qzt:"));
    if (toggles.length > 0) {
      // multiple choice: tick two, untick one, tick another, then Done
      await p.tap(toggles[0]!.data, s);
      const s2 = p.screen((x) => x.messageId === s.messageId)!;
      const t2 = s2.buttons.filter((b) => b.data.startsWith("qzt:"));
      await p.tap(t2[1]!.data, s2);
      const s3 = p.screen((x) => x.messageId === s.messageId)!;
      await p.tap(s3.buttons.find((b) => b.data.startsWith("qzt:"))!.data, s3);
      const s4 = p.screen((x) => x.messageId === s.messageId)!;
      await p.tap(
        s4.buttons.filter((b) => b.data.startsWith("qzt:"))[2]?.data ?? s4.buttons.find((b) => b.data.startsWith("qzt:"))!.data,
        s4,
      );
      const s5 = p.screen((x) => x.messageId === s.messageId)!;
      await p.tap(s5.buttons.find((b) => b.data.startsWith("qzd:"))!.data, s5);
      return "answered";
    }
    if (round % 3 === 0) await p.say("I think the second one"); // text where buttons are expected
    const choices = s.buttons.filter((b) => b.data.startsWith("qzc:"));
    await p.tap(choices[round % choices.length]!.data, s);
    return "answered";
  }
  if (/Quiz finished|Тест аяқталды|Тест завершён/.test(last.text)) {
    return "done";
  }
  // typed answer: first something wrong (a sticker, a non-number), then an answer
  if (round % 2 === 0)
    await p.raw("sends a sticker", {
      sticker: { file_id: "stk", file_unique_id: "stk", type: "regular", width: 512, height: 512, is_animated: false, is_video: false },
    });
  if (/number|сан|числ/i.test(last.text)) await p.say("twelve");
  await p.say(/number|сан|числ/i.test(last.text) ? "12" : "x = 5");
  return "answered";
}

async function main(): Promise<void> {
  const entry = process.env.WALK_ENTRY === "tsx" ? "tsx" : "dist";
  const world = await new World(entry).init();
  const api = world.api;
  api.telegram.addChat(ASSISTANTS_CHAT);
  try {
    await world.start();
    log(`bot started (${entry})`);
    const kk = new Person(world, world.learner(101, "kk"), "Айгерім", "kk");
    const ru = new Person(world, world.learner(102, "ru"), "Ольга", "ru");
    const en = new Person(world, world.learner(103, "en"), "John", "en");
    const author = new Person(world, world.learner(AUTHOR_ID, "ru"), "Author", "ru");
    const learners = [kk, ru, en];

    // ---- first contact, language, courses, enrollment ----
    for (const p of learners) {
      await p.say("/start");
      await p.say("/help");
      await p.say("/courses");
      await p.tap(new RegExp(`^crs:${COURSE}$`));
      await p.tap(new RegExp(`^enr:${COURSE}$`));
      const confirm = p.screen((s) => s.buttons.some((b) => b.data === `enr!:${COURSE}`));
      await p.tap(`enr!:${COURSE}`, confirm ?? undefined);
      await p.tap(`enr!:${COURSE}`, confirm ?? undefined); // double tap on the old confirm button
      await p.say("/mycourses");
      await p.say("/courses");
      await p.tap(/^crs:digital-literacy$/);
      await p.tap(/^ntf:/);
    }
    await kk.say("/language");
    await kk.tap("lang:ru");
    await kk.say("/language");
    await kk.tap("lang:kk");

    // ---- quiz of module 1 ----
    for (const p of learners) {
      await p.say("/quiz");
      await p.tap(/^qz:/);
      const card = p.screen((s) => s.buttons.some((b) => b.data.startsWith("qs")));
      if (card) await p.tap(card.buttons.find((b) => b.data.startsWith("qs"))!.data, card);
      for (let round = 0; round < 14; round++) {
        if (p === en && round === 3) {
          log("\n══ SIGTERM in the middle of the quiz");
          await world.stop();
          await world.start();
          await p.say("/quiz"); // continue where it stopped
          const c = p.screen((s) => s.buttons.some((b) => /^qs|^qz:/.test(b.data)));
          if (c) await p.tap(c.buttons.find((b) => /^qs|^qz:/.test(b.data))!.data, c);
          const c2 = p.screen((s) => s.buttons.some((b) => b.data.startsWith("qs")));
          if (c2 && c2.messageId !== c?.messageId) await p.tap(c2.buttons.find((b) => b.data.startsWith("qs"))!.data, c2);
        }
        if (p === ru && round === 5) {
          log("\n══ SIGKILL in the middle of the quiz");
          await world.kill();
          await world.start();
          // an OLD answer button from before the kill
          const old = p.screen((s) => s.buttons.some((b) => b.data.startsWith("qzc:")));
          if (old) await p.tap(old.buttons.find((b) => b.data.startsWith("qzc:"))!.data, old);
        }
        const r = await answerQuizQuestion(p, round);
        if (r === "done") break;
        if (r === "stuck") {
          findings.push(`[${p.name} ${p.lang}] quiz stuck at round ${round}`);
          break;
        }
      }
      await p.say("/progress");
    }

    // ---- questionnaire ----
    for (const p of learners) {
      await p.say("/mycourses");
      const offer = p.screen((s) => s.buttons.some((b) => b.data.startsWith("qn:")));
      if (!offer) {
        findings.push(`[${p.name} ${p.lang}] /mycourses shows no questionnaire button`);
        continue;
      }
      await p.tap(/^qn:/, offer);
      for (let step = 0; step < 30; step++) {
        if (p === kk && step === 3) {
          log("\n══ SIGKILL in the middle of the questionnaire");
          await world.kill();
          await world.start();
        }
        if (p === ru && step === 4) {
          log("\n══ SIGTERM in the middle of the questionnaire");
          await world.stop();
          await world.start();
          await p.say("/mycourses");
          await p.tap(/^qn:/);
        }
        const s = p.screen();
        if (!s) break;
        const submit = s.buttons.find((b) => /^qnm:\d+:\d+:submit$/.test(b.data));
        if (submit) {
          await p.tap(submit.data, s);
          break;
        }
        const back = s.buttons.find((b) => b.data.endsWith(":back"));
        const skip = s.buttons.find((b) => b.data.endsWith(":skip"));
        if (step === 2 && back) {
          await p.tap(back.data, s);
          continue;
        }
        if (step === 5 && skip) {
          await p.tap(skip.data, s);
          continue;
        }
        const values = s.buttons.filter((b) => b.data.startsWith("qnv:"));
        const toggles = s.buttons.filter((b) => b.data.startsWith("qnt:"));
        if (values.length > 0) {
          if (step === 1) await p.say("5"); // typing where buttons are expected
          await p.tap(values[step % values.length]!.data, s);
        } else if (toggles.length > 0) {
          await p.tap(toggles[0]!.data, s);
          const s2 = p.screen((x) => x.messageId === s.messageId)!;
          await p.tap(s2.buttons.filter((b) => b.data.startsWith("qnt:"))[1]!.data, s2);
          const s3 = p.screen((x) => x.messageId === s.messageId)!;
          await p.tap(s3.buttons.find((b) => b.data.startsWith("qnd:"))!.data, s3);
        } else if (s.buttons.some((b) => b.data.endsWith(":keep"))) {
          await p.tap(s.buttons.find((b) => b.data.endsWith(":keep"))!.data, s);
        } else {
          const range = /(\d+)\s*(?:мен|до|to)\s*(\d+)/.exec(s.text);
          if (range) await p.say("not a number");
          await p.say(range ? String(Number(range[1]) + 1) : `Менің жауабым ${p.name}: a < b & c`);
        }
      }
      await p.say("/mycourses");
    }

    // ---- questions ----
    const assistantMsg = async (text: string, replyTo: number | null): Promise<void> => {
      const m = api.calls.length;
      api.pushUpdate({
        message: {
          message_id: 50_000 + api.calls.length,
          date: Math.floor(Date.now() / 1000),
          chat: { id: ASSISTANTS_CHAT, type: "supergroup", title: "Assistants" },
          from: { id: 201, is_bot: false, first_name: "Assist", language_code: "ru" },
          text,
          entities: text.startsWith("/") ? [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] : undefined,
          ...(replyTo
            ? {
                reply_to_message: {
                  message_id: replyTo,
                  date: 0,
                  chat: { id: ASSISTANTS_CHAT, type: "supergroup", title: "Assistants" },
                  text: "…",
                },
              }
            : {}),
        },
      } as never);
      await sleep(1500);
      report(world, "assistants", ASSISTANTS_CHAT, "ru", m, `assistant says ${JSON.stringify(text)}`);
      for (const p of learners) report(world, p.name, p.sim.id, p.lang, m, "(after the assistant)");
    };
    for (const p of learners) {
      await p.say("/ask");
      for (let i = 0; i < 3; i++) {
        const s = p.screen((x) => x.buttons.some((b) => /^ask:[cm]:/.test(b.data)));
        if (!s || s.messageId !== p.screen()?.messageId) break;
        await p.tap(/^ask:[cm]:/, s);
      }
      const m = api.calls.length;
      await p.say(`Сұрақ from ${p.name}: how do I use input() & print <together>?`);
      await sleep(1500);
      report(world, "assistants", ASSISTANTS_CHAT, "ru", m, `question of ${p.name} arrives`);
      const post = api.calls
        .slice(m)
        .find(
          (c) =>
            c.method === "sendMessage" && Number(c.payload.chat_id) === ASSISTANTS_CHAT && c.result && /#\d+/.test(String(c.payload.text)),
        );
      if (!post) findings.push(`[${p.name}] the question never reached the assistants' chat`);
      else await assistantMsg(`Ответ для ${p.name}: используйте input() & print() <вместе>`, Number(post.result.message_id));
      const answered = p.sim.texts().some((t) => t.includes(`Ответ для ${p.name}`));
      if (!answered) findings.push(`[${p.name} ${p.lang}] the assistant's answer never reached the learner`);
      await p.say("/myquestions");
    }
    await assistantMsg("/questions", null);

    // ---- glossary, unknown command, nonsense ----
    await kk.say("/glossary айнымалы");
    await ru.say("/glossary переменная");
    await en.say("/glossary variable");
    await en.say("/glossary");
    for (const p of learners) {
      await p.say("/frobnicate");
      await p.say("asdf qwerty");
      await p.raw("sends a sticker", {
        sticker: { file_id: "stk", file_unique_id: "stk", type: "regular", width: 512, height: 512, is_animated: false, is_video: false },
      });
      await p.say("/announce"); // not an author
    }

    // ---- forged and old buttons ----
    for (const data of [
      "qzc:999999:0:0",
      "qnv:1:99:0",
      "enr!:no-such-course",
      "crs:../../etc",
      "an:y:1",
      "aq:c:1",
      "qzd:1:0:999",
      "lang:xx",
      "garbage",
    ]) {
      await en.tap(data);
    }
    const firstCard = kk.sim.screen((s) => s.buttons.some((b) => b.data === `enr:${COURSE}`));
    if (firstCard) await kk.tap(`enr:${COURSE}`, firstCard);

    // ---- the author ----
    await author.say("/start");
    await author.say("/help");
    await author.say("/announce");
    await author.tap(/^an:c:/);
    for (const [i, t] of [
      "Құрметті тыңдаушылар, <сабақ> & тест ертең!",
      "Уважаемые слушатели, <урок> & тест завтра!",
      "Dear learners, <lesson> & quiz tomorrow!",
    ].entries()) {
      const s = author.screen();
      log(`   (author sends language ${i + 1})`);
      if (i === 2 && s?.buttons.some((b) => b.data.startsWith("an:k:"))) {
        await author.tap(/^an:k:/, s);
      } else await author.say(t);
    }
    const before = api.calls.length;
    if (author.screen()?.buttons.some((b) => b.data.startsWith("an:p:"))) await author.tap(/^an:p:/);
    await author.tap(/^an:y:/);
    await sleep(3000);
    report(world, "Author", AUTHOR_ID, "ru", before, "(broadcast progress)");
    for (const p of learners) report(world, p.name, p.sim.id, p.lang, before, "(announcement)");
    await author.say("/results");
    await author.tap(/^qr:/);
    await author.say(`/export ${COURSE}`, {}, false);
    await author.say(`/quizstats ${COURSE}`);
    await author.say("/report");
    await author.tap(/^rpt:/);
    await sleep(12_000); // the report's charts and PDF take a while; the author's chat waits for them
    await author.say("/reload");
    await author.say("/report no-such-course");

    await world.stop();
  } finally {
    botOutput = world.output;
    for (const line of world.output.split("\n")) {
      if (/"level":(40|50|60)|\b(WARN|ERROR|FATAL)\b/.test(line) && !/SIGKILL|uncertain/.test(line))
        findings.push(`[bot log] ${line.slice(0, 300)}`);
    }
    await world.dispose();
  }
  log(`\n════ ${findings.length} finding(s)`);
  for (const f of [...new Set(findings)]) log(`• ${f}`);
  if (process.env.WALK_OUT) writeFileSync(process.env.WALK_OUT, lines.join("\n") + "\n");
  if (process.env.WALK_LOG) writeFileSync(process.env.WALK_LOG, botOutput);
  process.exitCode = findings.length > 0 ? 1 : 0;
}

await main();
