import { describe, expect, it } from "vitest";
import { mergeLanguages } from "../src/courses/quizValidate.js";
import { parseAiken, parseGift, parseMoodleXml, type ParsedBank } from "../src/courses/banks.js";
import { gradeAnswer, matchingChoices, type GivenAnswer, type QuizQuestion } from "../src/domain/quiz.js";
import { renderMatchingStep } from "../src/messages/bankViews.js";
import { translator } from "../src/messages/i18n.js";
import { renderQuestion } from "../src/messages/quizViews.js";

/**
 * Each snippet with what it means in Moodle, written out: the type, the right answers and their
 * weights, tolerance, feedback; how the bot grades answers to it; and the chat message a learner
 * gets (the real rendering functions, options in the written order).
 */
const t = translator("en");

type Format = "gift" | "aiken" | "xml";
const PARSE: Record<Format, (s: string) => ParsedBank> = { gift: parseGift, aiken: parseAiken, xml: parseMoodleXml };

function one(format: Format, source: string): QuizQuestion {
  const bank = PARSE[format](source);
  expect(bank.issues.filter((i) => (i.level ?? "error") === "error")).toEqual([]);
  expect(bank.questions).toHaveLength(1);
  return mergeLanguages(["en"], () => bank.questions[0]!);
}

function chat(q: QuizQuestion): string {
  const n = q.kind === "matching" ? matchingChoices(q).length : (q.options?.length ?? 0);
  const order = Array.from({ length: n }, (_, i) => i);
  if (q.kind === "matching") return renderMatchingStep(t, "en", ["en"], q, { step: 0, order }, (k) => `qb:1:0:${k}`).text;
  const view = {
    attemptId: 1,
    item: 0,
    total: 1,
    question: q,
    variant: { q: 0, order },
    endsAt: null,
    timezone: "Asia/Almaty",
    languages: ["en"],
  };
  return renderQuestion(t, "en", view).text;
}

const xml = (question: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n${question}\n</quiz>`;

interface Case {
  name: string;
  format: Format;
  source: string;
  /** Moodle's meaning. */
  meaning: Partial<QuizQuestion>;
  /** Answers and the score Moodle gives them (0..1). */
  grades: [GivenAnswer, number][];
  chat: string;
}

const choice = (...options: number[]): GivenAnswer => ({ kind: "choice", options });
const typed = (text: string): GivenAnswer => ({ kind: "text", text });

const CASES: Case[] = [
  {
    name: "GIFT {=a =b ~c}: single choice where either a or b is fully right",
    format: "gift",
    source: "Which are even? {=2 =4 ~3}",
    meaning: {
      kind: "single",
      options: [
        { text: { en: "2" }, weight: 100 },
        { text: { en: "4" }, weight: 100 },
        { text: { en: "3" }, weight: 0 },
      ] as never,
    },
    grades: [
      [choice(0), 1],
      [choice(1), 1],
      [choice(2), 0],
    ],
    chat: "<b>Question 1 of 1</b>\n\nWhich are even?\n\n<b>A.</b> 2\n<b>B.</b> 4\n<b>C.</b> 3\n\n<i>Choose one answer.</i>",
  },
  {
    name: "GIFT single choice with partial credit {=right ~%50%half ~wrong}",
    format: "gift",
    source: "Capital of Kazakhstan? {=Astana ~%50%Almaty #the former capital ~Shymkent}",
    meaning: {
      kind: "single",
      options: [
        { text: { en: "Astana" }, weight: 100 },
        { text: { en: "Almaty" }, weight: 50, feedback: { en: "the former capital" } },
        { text: { en: "Shymkent" }, weight: 0 },
      ] as never,
    },
    grades: [
      [choice(0), 1],
      [choice(1), 0.5],
      [choice(2), 0],
    ],
    chat: "<b>Question 1 of 1</b>\n\nCapital of Kazakhstan?\n\n<b>A.</b> Astana\n<b>B.</b> Almaty\n<b>C.</b> Shymkent\n\n<i>Choose one answer.</i>",
  },
  {
    name: "GIFT multiple answers: weights summed, clamped at 0..100%",
    format: "gift",
    source: "Which are primes? {~%50%2 ~%50%3 ~%-100%4}",
    meaning: { kind: "multiple", moodle: true },
    grades: [
      [choice(0, 1), 1],
      [choice(0), 0.5],
      [choice(0, 2), 0],
      [choice(0, 1, 2), 0],
      [choice(2), 0],
    ],
    chat: "<b>Question 1 of 1</b>\n\nWhich are primes?\n\n<b>A.</b> 2\n<b>B.</b> 3\n<b>C.</b> 4\n\n<i>Choose all correct answers, then press “Done”.</i>",
  },
  {
    name: "GIFT numerical with tolerance and wrong-answer feedback {#3:2 ~#feedback}",
    format: "gift",
    source: "A number from 1 to 5? {#3:2 ~#Between 1 and 5, please.}",
    meaning: {
      kind: "number",
      numbers: [
        { value: 3, tolerance: 2, weight: 100, feedback: undefined },
        { value: 0, tolerance: 0, weight: 0, feedback: "Between 1 and 5, please.", any: true },
      ],
    },
    grades: [
      [typed("1"), 1],
      [typed("5"), 1],
      [typed("5.5"), 0],
      [typed("-3"), 0],
    ],
    chat: "<b>Question 1 of 1</b>\n\nA number from 1 to 5?\n\n<i>Send a number (for example 12 or 3.5).</i>",
  },
  {
    name: "GIFT numerical: several answers with weights, and a range a..b",
    format: "gift",
    source: "When was Abai born? {#=1845:0 =%50%1840..1850}",
    meaning: {
      kind: "number",
      numbers: [
        { value: 1845, tolerance: 0, weight: 100, feedback: undefined },
        { value: 1845, tolerance: 5, weight: 50, feedback: undefined },
      ],
    },
    grades: [
      [typed("1845"), 1],
      [typed("1848"), 0.5],
      [typed("1851"), 0],
    ],
    chat: "<b>Question 1 of 1</b>\n\nWhen was Abai born?\n\n<i>Send a number (for example 12 or 3.5).</i>",
  },
  {
    name: "GIFT short answer with the * wildcard catching every other answer",
    format: "gift",
    source: "Who wrote «Kara sozder»? {=Abai =%50%Abay #close: the spelling is Abai =%0%*#No: it was Abai Kunanbaiuly.}",
    meaning: { kind: "text", moodle: true },
    grades: [
      [typed("abai"), 1],
      [typed("Abay"), 0.5],
      [typed("Mukhtar Auezov"), 0],
    ],
    chat: "<b>Question 1 of 1</b>\n\nWho wrote «Kara sozder»?\n\n<i>Type your answer and send it as a message.</i>",
  },
  {
    name: "GIFT true/false with both feedbacks {F#when wrong#when right} and general feedback ####",
    format: "gift",
    source: "The Sun goes round the Earth. {F#No: the Earth goes round the Sun.#Right.####Lesson 1.2}",
    meaning: {
      kind: "truefalse",
      answer: false,
      trueFeedback: { en: "No: the Earth goes round the Sun." },
      falseFeedback: { en: "Right." },
      review: { en: "Lesson 1.2" },
    },
    grades: [
      [{ kind: "truefalse", value: false }, 1],
      [{ kind: "truefalse", value: true }, 0],
    ],
    chat: "<b>Question 1 of 1</b>\n\nThe Sun goes round the Earth.",
  },
  {
    name: "GIFT [html] question with HTML answers: Telegram formatting, entities decoded",
    format: "gift",
    source: '[html]<p>What does <code>len("a&amp;b")</code> return?</p><p>Think <b>carefully</b>.</p> {=3 ~4 ~[html]<i>an error</i>}',
    meaning: { kind: "single", html: true },
    grades: [[choice(0), 1]],
    chat: '<b>Question 1 of 1</b>\n\nWhat does <code>len("a&amp;b")</code> return?\n\nThink <b>carefully</b>.\n\n<b>A.</b> 3\n<b>B.</b> 4\n<b>C.</b> <i>an error</i>\n\n<i>Choose one answer.</i>',
  },
  {
    name: "GIFT [markdown] question: bold, code and a link",
    format: "gift",
    source: "[markdown]Is **print** a function in [Python 3](https\\://docs.python.org)? Try `print(1)`. {T}",
    meaning: { kind: "truefalse", answer: true, html: true },
    grades: [[{ kind: "truefalse", value: true }, 1]],
    chat: '<b>Question 1 of 1</b>\n\nIs <b>print</b> a function in <a href="https://docs.python.org">Python 3</a>? Try <code>print(1)</code>.',
  },
  {
    name: "GIFT [plain]: markup characters are text",
    format: "gift",
    source: "[plain]Is <b> a tag? {TRUE}",
    meaning: { kind: "truefalse", answer: true, prompt: { en: "Is <b> a tag?" } },
    grades: [[{ kind: "truefalse", value: true }, 1]],
    chat: "<b>Question 1 of 1</b>\n\nIs &lt;b&gt; a tag?",
  },
  {
    name: "GIFT [moodle] (the default): line breaks kept, HTML allowed",
    format: "gift",
    source: "Line one\\nline <i>two</i> {=yes ~no}",
    meaning: { kind: "single", html: true, prompt: { en: "Line one\nline <i>two</i>" } },
    grades: [[choice(0), 1]],
    chat: "<b>Question 1 of 1</b>\n\nLine one\nline <i>two</i>\n\n<b>A.</b> yes\n<b>B.</b> no\n\n<i>Choose one answer.</i>",
  },
  {
    name: "GIFT -> with pairs: matching, scored per pair",
    format: "gift",
    source: "Match the countries and capitals. {=Kazakhstan -> Astana =Kyrgyzstan -> Bishkek =Uzbekistan -> Tashkent}",
    meaning: {
      kind: "matching",
      pairs: [
        { stem: { en: "Kazakhstan" }, answer: { en: "Astana" } },
        { stem: { en: "Kyrgyzstan" }, answer: { en: "Bishkek" } },
        { stem: { en: "Uzbekistan" }, answer: { en: "Tashkent" } },
      ],
    },
    grades: [
      [{ kind: "matching", choices: [0, 1, 2] }, 1],
      [{ kind: "matching", choices: [0, 2, 1] }, 1 / 3],
      [{ kind: "matching", choices: [1, 0, -1] }, 0],
    ],
    chat: "Match the countries and capitals.\n\nPair 1 of 3: what matches\n➡️ <b>Kazakhstan</b>\n\n<b>A.</b> Astana\n<b>B.</b> Bishkek\n<b>C.</b> Tashkent\n\n<i>Choose the matching answer with the buttons below.</i>",
  },
  {
    name: "GIFT -> inside a choice answer is text, not matching",
    format: "gift",
    source: "Which arrow is Python's return annotation? {=-> ~\\=> ~<-}",
    meaning: {
      kind: "single",
      options: [
        { text: { en: "->" }, weight: 100 },
        { text: { en: "=>" }, weight: 0 },
        { text: { en: "<-" }, weight: 0 },
      ] as never,
    },
    grades: [[choice(0), 1]],
    chat: "<b>Question 1 of 1</b>\n\nWhich arrow is Python's return annotation?\n\n<b>A.</b> -&gt;\n<b>B.</b> =&gt;\n<b>C.</b> &lt;-\n\n<i>Choose one answer.</i>",
  },
  {
    name: "Aiken: A) / A. with or without a space, ANSWER: B. tolerated, CR-only line ends",
    format: "aiken",
    source: "What is 2+2?\rA)3\rB. 4\rC.5\rANSWER: B.\r",
    meaning: {
      kind: "single",
      options: [
        { text: { en: "3" }, weight: 0 },
        { text: { en: "4" }, weight: 100 },
        { text: { en: "5" }, weight: 0 },
      ] as never,
    },
    grades: [
      [choice(1), 1],
      [choice(0), 0],
    ],
    chat: "<b>Question 1 of 1</b>\n\nWhat is 2+2?\n\n<b>A.</b> 3\n<b>B.</b> 4\n<b>C.</b> 5\n\n<i>Choose one answer.</i>",
  },
  {
    name: "Moodle XML multichoice (multiple) with CDATA HTML and negative weights",
    format: "xml",
    source: xml(`<question type="multichoice"><name><text>primes</text></name>
<questiontext format="html"><text><![CDATA[<p>Which are <strong>prime</strong>?</p>]]></text></questiontext>
<generalfeedback format="html"><text>Lesson 3</text></generalfeedback>
<single>false</single><shuffleanswers>1</shuffleanswers>
<answer fraction="50" format="html"><text>2</text></answer>
<answer fraction="50" format="html"><text>3</text></answer>
<answer fraction="-100" format="html"><text>4</text><feedback format="html"><text>4 = 2 &#215; 2</text></feedback></answer>
</question>`),
    meaning: { kind: "multiple", html: true, review: { en: "Lesson 3" } },
    grades: [
      [choice(0, 1), 1],
      [choice(1), 0.5],
      [choice(1, 2), 0],
    ],
    chat: "<b>Question 1 of 1</b>\n\nWhich are <b>prime</b>?\n\n<b>A.</b> 2\n<b>B.</b> 3\n<b>C.</b> 4\n\n<i>Choose all correct answers, then press “Done”.</i>",
  },
  {
    name: "Moodle XML numerical: tolerance, units ignored",
    format: "xml",
    source: xml(`<question type="numerical"><name><text>g</text></name>
<questiontext format="moodle_auto_format"><text>g in m/s²?</text></questiontext>
<answer fraction="100"><text>9.8</text><tolerance>0.1</tolerance><feedback><text></text></feedback></answer>
<units><unit><multiplier>1</multiplier><unit_name>m/s²</unit_name></unit></units>
</question>`),
    meaning: { kind: "number", numbers: [{ value: 9.8, tolerance: 0.1, weight: 100, feedback: undefined }] },
    grades: [
      [typed("9.85"), 1],
      [typed("10"), 0],
    ],
    chat: "<b>Question 1 of 1</b>\n\ng in m/s²?\n\n<i>Send a number (for example 12 or 3.5).</i>",
  },
  {
    name: "Moodle XML truefalse with per-answer feedback",
    format: "xml",
    source: xml(`<question type="truefalse"><name><text>tf</text></name>
<questiontext format="html"><text>Water boils at 100 °C at sea level.</text></questiontext>
<answer fraction="100"><text>true</text><feedback><text>Yes.</text></feedback></answer>
<answer fraction="0"><text>false</text><feedback><text>It does.</text></feedback></answer>
</question>`),
    meaning: { kind: "truefalse", answer: true, trueFeedback: { en: "Yes." }, falseFeedback: { en: "It does." } },
    grades: [[{ kind: "truefalse", value: true }, 1]],
    chat: "<b>Question 1 of 1</b>\n\nWater boils at 100 °C at sea level.",
  },
  {
    name: "Moodle XML matching with a distractor (a subquestion without text)",
    format: "xml",
    source: xml(`<question type="matching"><name><text>m</text></name>
<questiontext format="html"><text>Match</text></questiontext>
<subquestion format="html"><text>1+1</text><answer><text>2</text></answer></subquestion>
<subquestion format="html"><text>2+1</text><answer><text>3</text></answer></subquestion>
<subquestion format="html"><text></text><answer><text>5</text></answer></subquestion>
</question>`),
    meaning: { kind: "matching", distractors: [{ en: "5" }] },
    grades: [
      [{ kind: "matching", choices: [0, 1] }, 1],
      [{ kind: "matching", choices: [2, 1] }, 0.5],
    ],
    chat: "Match\n\nPair 1 of 2: what matches\n➡️ <b>1+1</b>\n\n<b>A.</b> 2\n<b>B.</b> 3\n<b>C.</b> 5\n\n<i>Choose the matching answer with the buttons below.</i>",
  },
];

describe("Moodle meaning and chat rendering of bank snippets", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const q = one(c.format, c.source);
      expect(q).toMatchObject(c.meaning);
      for (const [given, score] of c.grades) expect(gradeAnswer(q, given).score, JSON.stringify(given)).toBeCloseTo(score, 6);
      expect(chat(q)).toBe(c.chat);
    });
  }
});

describe("what Moodle skips or refuses, named in the message", () => {
  it("GIFT essay is skipped with a warning naming it; a description with a note", () => {
    const bank = parseGift("::Essay one:: Describe your week. {}\n\n::Intro:: This part is about loops.\n\nOk? {T}");
    expect(bank.questions).toHaveLength(1);
    expect(bank.issues).toEqual([
      { line: 1, code: "gift_essay_skipped", params: { name: "Essay one" }, level: "warning" },
      { line: 3, code: "gift_description_skipped", params: { name: "Intro" }, level: "note" },
    ]);
  });

  it("Aiken: Cyrillic look-alike letters in an option or ANSWER are named", () => {
    const bank = parseAiken("Q?\nА) one\nB) two\nANSWER: B\n\nQ2?\nA) one\nB) two\nANSWER: В\n");
    expect(bank.issues.map((i) => [i.code, i.line, i.params.letter])).toEqual([
      ["aiken_cyrillic_letter", 2, "А"],
      ["aiken_cyrillic_answer", 9, "В"],
    ]);
  });

  it("GIFT weights that Moodle would refuse are refused: not a Moodle grade, sums not 100%", () => {
    const bank = parseGift("A {~%33%a ~%33%b ~%34%c}\n\nB {~%50%a ~%40%b ~c}");
    expect(bank.issues.map((i) => [i.code, i.line])).toEqual([
      ["gift_weight_not_moodle", 1],
      ["gift_weights_sum", 3],
    ]);
  });

  it("Moodle XML: essay and unsupported types, categories become tags", () => {
    const bank = parseMoodleXml(
      xml(`<question type="category"><category><text>$course$/top/Week 1/Loops</text></category></question>
<question type="essay"><name><text>Reflect</text></name><questiontext><text>Why?</text></questiontext></question>
<question type="calculated"><name><text>Calc</text></name><questiontext><text>{a}+1</text></questiontext></question>
<question type="description"><name><text>Read me</text></name><questiontext><text>Intro</text></questiontext></question>
<question type="shortanswer"><name><text>sa</text></name><questiontext><text>Say hi</text></questiontext><answer fraction="100"><text>hi</text></answer></question>`),
    );
    expect(bank.issues.map((i) => [i.code, i.line, i.level ?? "error"])).toEqual([
      ["gift_essay_skipped", 4, "warning"],
      ["xml_unsupported_type", 5, "error"],
      ["xml_description_skipped", 6, "note"],
    ]);
    expect(bank.questions[0]).toMatchObject({ kind: "text", tags: ["Week 1/Loops"], line: 7 });
  });

  it("Moodle XML: malformed XML and DOCTYPE are refused with the line", () => {
    expect(parseMoodleXml("<quiz>\n<question type='truefalse'>\n</quiz>").issues[0]).toMatchObject({ code: "xml_syntax", line: 3 });
    expect(parseMoodleXml('<!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz></quiz>').issues[0]).toMatchObject({ code: "xml_doctype" });
  });

  it("Moodle XML: an embedded @@PLUGINFILE@@ image stays with the question", () => {
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex").toString("base64");
    const bank = parseMoodleXml(
      xml(`<question type="truefalse"><name><text>pic</text></name>
<questiontext format="html"><text><![CDATA[<p>Is this a cat? <img src="@@PLUGINFILE@@/cat%20photo.png" alt="cat"></p>]]></text>
<file name="cat photo.png" path="/" encoding="base64">${png}</file></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question>`),
    );
    expect(bank.issues).toEqual([]);
    expect(bank.questions[0]!.image).toEqual({ name: "cat photo.png", mime: "image/png", base64: png });
    expect(bank.questions[0]!.prompt).toBe("Is this a cat?");
  });
});
