import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildVariant, gradeAnswer, matchingChoices, type QuizQuestion } from "../src/domain/quiz.js";
import { describeMatching, questionPhoto, renderMatchingStep, skippedQuestionsLine } from "../src/messages/bankViews.js";
import { translator } from "../src/messages/i18n.js";
import { htmlToTelegram, markdownToHtml, telegramHtmlToPlain, toTelegramHtml } from "../src/domain/questionText.js";
import { courseYaml } from "./support/courses.js";
import { T0, tempDir, TestBot } from "./support/harness.js";

describe("Moodle text formats as Telegram HTML", () => {
  it.each([
    [
      "keeps what Telegram shows",
      "<p><strong>a</strong> <em>b</em> <u>c</u> <del>d</del> <code>e</code></p>",
      "<b>a</b> <i>b</i> <u>c</u> <s>d</s> <code>e</code>",
    ],
    [
      "web links only",
      '<a href="https://kz.kz?a=1&amp;b=2">x</a> <a href="javascript:alert(1)">y</a>',
      '<a href="https://kz.kz?a=1&amp;b=2">x</a> y',
    ],
    ["drops scripts and styles with their content", "a<script>alert(1)</script><style>p{}</style>b", "ab"],
    ["re-nests misnested tags", "<b>a<i>b</b>c</i>", "<b>a<i>b</i></b>c"],
    [
      "paragraphs, breaks, lists and headings",
      "<h3>Title</h3><p>one<br>two</p><ul><li>x</li><li>y</li></ul>",
      "<b>Title</b>\n\none\ntwo\n\n• x\n• y",
    ],
    [
      "tables and unknown tags reduced to text",
      "<table><tr><td>1</td><td>2</td></tr></table><span style='color:red'>red</span>",
      "1 2\n\nred",
    ],
    [
      "entities decoded once, text escaped",
      "5 &lt; 6 &amp;&amp; 2 &times; 3 &laquo;ok&raquo; &#1241; &bogus;",
      "5 &lt; 6 &amp;&amp; 2 × 3 «ok» ә &amp;bogus;",
    ],
    ["a stray < is text", "if a <b then", "if a &lt;b then"],
    ["images dropped (the photo goes separately)", '<p>Look: <img src="@@PLUGINFILE@@/a.png"></p>', "Look:"],
    ["no empty entities", "<b><img src=x></b>text", "text"],
  ])("%s", (_, html, telegram) => expect(htmlToTelegram(html)).toBe(telegram));

  it("Markdown: emphasis, code, links, headings, lists, paragraphs", () => {
    expect(
      toTelegramHtml(
        "# Loops\n\nUse **for** or _while_; see [docs](https://docs.python.org).\nSame paragraph.\n\n- one\n- two\n\n`x = 1`",
        "markdown",
      ),
    ).toBe(
      '<b>Loops</b>\n\nUse <b>for</b> or <i>while</i>; see <a href="https://docs.python.org">docs</a>. Same paragraph.\n\n• one\n• two\n\n<code>x = 1</code>',
    );
    expect(markdownToHtml("2 * 3 * 4 and a_b_c")).toBe("<p>2 * 3 * 4 and a<i>b</i>c</p>");
  });

  it("plain keeps every character; moodle keeps line breaks; plain text comes back from HTML", () => {
    expect(toTelegramHtml("a <b> & c\n  d", "plain")).toBe("a &lt;b&gt; &amp; c\n  d");
    expect(toTelegramHtml("line 1\nline <b>2</b>", "moodle")).toBe("line 1\nline <b>2</b>");
    expect(telegramHtmlToPlain('<b>a</b> &lt;b&gt; <a href="https://x.kz">x</a>')).toBe("a <b> x");
  });
});

const matching: QuizQuestion = {
  kind: "matching",
  moodle: true,
  prompt: { en: "Match the countries and capitals." },
  pairs: [
    { stem: { en: "Kazakhstan" }, answer: { en: "Astana" } },
    { stem: { en: "Kyrgyzstan" }, answer: { en: "Bishkek" } },
  ],
  distractors: [{ en: "Tashkent" }],
};

describe("matching questions in the chat", () => {
  const t = translator("en");

  it("step k shows the stem and the right-hand answers in the learner's order, one button each", () => {
    const variant = buildVariant([matching], null, "learner|quiz|1")[0]!;
    expect([...variant.order].sort()).toEqual([0, 1, 2]);
    const step = renderMatchingStep(t, "en", ["en"], matching, { step: 1, order: [2, 0, 1] }, (shown) => `qb:7:3:${shown}`);
    expect(step.text).toBe(
      "Match the countries and capitals.\n\nPair 2 of 2: what matches\n➡️ <b>Kyrgyzstan</b>\n\n<b>A.</b> Tashkent\n<b>B.</b> Astana\n<b>C.</b> Bishkek\n\n<i>Choose the matching answer with the buttons below.</i>",
    );
    expect(step.keyboard.inline_keyboard.flat().map((b) => [b.text, "callback_data" in b ? b.callback_data : ""])).toEqual([
      ["A", "qb:7:3:0"],
      ["B", "qb:7:3:1"],
      ["C", "qb:7:3:2"],
    ]);
  });

  it("is scored per pair, as Moodle does, and the summary shows each pair", () => {
    const choices = matchingChoices(matching).map((c) => c.en);
    expect(choices).toEqual(["Astana", "Bishkek", "Tashkent"]);
    expect(gradeAnswer(matching, { kind: "matching", choices: [0, 2] })).toEqual({ score: 0.5, correct: false });
    expect(gradeAnswer(matching, { kind: "matching", choices: [0, 1] })).toEqual({ score: 1, correct: true });
    expect(describeMatching("en", ["en"], matching, [0, 2])).toBe("✅ Kazakhstan → Astana\n❌ Kyrgyzstan → Tashkent");
  });

  it("a question's photo and the skipped-questions line", () => {
    expect(questionPhoto({ ...matching, image: { sha256: "ab", mime: "image/png", name: "map.png" } })).toEqual({
      sha256: "ab",
      filename: "map.png",
    });
    expect(questionPhoto(matching)).toBeNull();
    expect(skippedQuestionsLine(t, 0)).toBeNull();
    expect(skippedQuestionsLine(t, 2)).toBe("2 questions of the bank were left out (not supported or not valid).");
  });
});

describe("the quiz card of a bank imported with import: valid-only", () => {
  let tb: TestBot | undefined;
  let cleanup = () => {};
  afterEach(() => {
    tb?.close();
    cleanup();
  });

  it("tells learners how many questions of the bank were left out", async () => {
    const tmp = tempDir();
    cleanup = tmp.cleanup;
    const good = Array.from({ length: 11 }, (_, i) => `Q${i}? {=yes ~no}`).join("\n\n");
    for (const l of ["kk", "ru", "en"]) writeFileSync(join(tmp.dir, `w.${l}.gift`), `${good}\n\nBroken {=a ~b\n\n::Essay:: Why? {}\n`);
    tb = new TestBot({ now: T0 });
    tb.loadCourse(
      courseYaml({
        start: "2026-08-31",
        quizzes: { 0: "pass_score: 60\nimport: valid-only\ngift: { kk: w.kk.gift, ru: w.ru.gift, en: w.en.gift }" },
      }),
      { baseDir: tmp.dir },
    );
    const u = tb.user(1, { lang: "en" });
    await u.send("/start");
    await u.press("enr!:python-101");
    await u.press("qz:python-101:0");
    expect(u.lastText()).toContain("❓ 11 questions");
    expect(u.lastText()).toContain("2 questions of the bank were left out (not supported or not valid).");
  });
});
