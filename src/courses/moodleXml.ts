import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type * as Fxp from "fast-xml-parser";
import type { AcceptedNumber } from "../domain/quiz.js";
import { toTelegramHtml, type TextFormat } from "../domain/questionText.js";
import { bankFromSlots, categoryTag, moodleGrade, settleTexts, type ParsedBank, type ParsedQuestion, type Slot, type TextIssue } from "./quizText.js";
import { truncate } from "../domain/text.js";

/**
 * Moodle XML, the format Moodle exports question banks in (question/format/xml). Read with
 * fast-xml-parser after its validator; the file size is bounded by the caller (MAX_BANK_BYTES)
 * and a DOCTYPE is refused (Moodle never writes one; entity expansion is how XML files blow up).
 * Types: multichoice (single and multiple), truefalse, shortanswer, numerical (units ignored),
 * matching; essay is skipped with a warning, description with a note; a category sets the tag of
 * the questions after it. Texts keep their format (html, moodle_auto_format, plain_text, markdown)
 * and become Telegram HTML; the first @@PLUGINFILE@@ image of a question text is kept as its photo.
 */

/** Telegram's limit for a photo sent by upload. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

const PHOTO_MIME: Record<string, string> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp" };

const XML_FORMATS: Record<string, TextFormat> = { html: "html", moodle_auto_format: "moodle", plain_text: "plain", markdown: "markdown" };

type XmlCheck = true | { err: { line: number; msg: string } };
let fxpLoaded: { parser: Fxp.XMLParser; validate: (xml: string) => XmlCheck } | null = null;
/** fast-xml-parser, loaded on the first Moodle XML bank rather than at start-up. */
function fxp(): NonNullable<typeof fxpLoaded> {
  if (fxpLoaded) return fxpLoaded;
  const fxpModule = createRequire(import.meta.url)("fast-xml-parser") as typeof Fxp;
  const { XMLParser } = fxpModule;
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    isArray: (name) => ["question", "answer", "subquestion", "file", "tag", "unit"].includes(name),
  });
  // Still shipped and tested in fast-xml-parser 5; its successor is a separate package we do not need yet.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  fxpLoaded = { parser, validate: (text) => fxpModule.XMLValidator.validate(text) };
  return fxpLoaded;
}

type Node = Record<string, unknown>;

const obj = (v: unknown): Node => (v && typeof v === "object" && !Array.isArray(v) ? (v as Node) : {});
const list = (v: unknown): Node[] => (Array.isArray(v) ? v.map(obj) : v === undefined ? [] : [obj(v)]);
const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : obj(v)["#text"] !== undefined ? String(obj(v)["#text"]) : "");
/** The <text> of an element such as <questiontext format="html"><text>…</text></questiontext>. */
const textOf = (v: unknown): string => str(obj(v).text);
const formatOf = (v: unknown, fallback: TextFormat = "moodle"): TextFormat => XML_FORMATS[str(obj(v)["@_format"])] ?? fallback;
const rich = (v: unknown, fallback?: TextFormat): string => toTelegramHtml(textOf(v), formatOf(v, fallback));
const flag = (v: unknown): boolean => ["1", "true"].includes(str(v).trim().toLowerCase());

/** The line each <question> element starts on (outside CDATA sections and comments). */
function questionLines(xml: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let i = 0;
  const advance = (to: number) => {
    for (let k = i; k < to; k++) if (xml.charCodeAt(k) === 10) line++;
    i = to;
  };
  for (;;) {
    const lt = xml.indexOf("<", i);
    if (lt < 0) break;
    advance(lt);
    const skipTo = xml.startsWith("<![CDATA[", lt) ? "]]>" : xml.startsWith("<!--", lt) ? "-->" : null;
    if (skipTo) {
      const end = xml.indexOf(skipTo, lt + 4);
      advance(end < 0 ? xml.length : end + skipTo.length);
      continue;
    }
    if (xml.startsWith("<question", lt) && /[\s>/]/.test(xml[lt + 9] ?? "")) lines.push(line);
    advance(lt + 1);
  }
  return lines;
}

export function parseMoodleXml(xml: string): ParsedBank {
  const issues: TextIssue[] = [];
  const slots: Slot[] = [];
  if (/<!DOCTYPE|<!ENTITY/i.test(xml.slice(0, 4096))) {
    issues.push({ line: 1, code: "xml_doctype", params: {} });
    return bankFromSlots(slots, issues);
  }
  const { parser, validate } = fxp();
  const valid = validate(xml);
  if (valid !== true) {
    issues.push({ line: valid.err.line, code: "xml_syntax", params: { message: truncate(valid.err.msg, 200) } });
    return bankFromSlots(slots, issues);
  }
  const root = obj(parser.parse(xml)).quiz;
  if (root === undefined) {
    issues.push({ line: 1, code: "xml_not_moodle", params: {} });
    return bankFromSlots(slots, issues);
  }
  const lines = questionLines(xml);
  let category: string | undefined;
  list(obj(root).question).forEach((q, n) => {
    const line = lines[n] ?? 1;
    const type = str(q["@_type"]);
    if (type === "category") {
      category = categoryTag(textOf(q.category));
      return;
    }
    const out = readQuestion(q, type, line, issues);
    if (typeof out === "string") {
      slots.push({ line, skipped: out });
      return;
    }
    if (!out) {
      slots.push({ line, skipped: "broken" });
      return;
    }
    const tags = [...(category ? [category] : []), ...list(obj(q.tags).tag).map(textOf).filter(Boolean)];
    const image = questionImage(q.questiontext, line, issues);
    if (image === "broken") {
      slots.push({ line, skipped: "broken" });
      return;
    }
    slots.push({ line, question: settleTexts({ ...out, ...(tags.length ? { tags } : {}), ...(image ? { image } : {}) }) });
  });
  return bankFromSlots(slots, issues);
}

function readQuestion(q: Node, type: string, line: number, issues: TextIssue[]): ParsedQuestion | "unsupported" | "description" | null {
  const fail = (code: string, params: TextIssue["params"] = {}): null => {
    issues.push({ line, code, params });
    return null;
  };
  const name = truncate(textOf(q.name), 60);
  const fmt = formatOf(q.questiontext, "html");
  const prompt = rich(q.questiontext, "html");
  const review = textOf(q.generalfeedback) ? rich(q.generalfeedback, fmt) : undefined;
  const base = { line, prompt, review, moodle: true as const };
  const answers = list(q.answer);
  const feedbackOf = (a: Node) => (textOf(a.feedback) ? rich(a.feedback, fmt) : undefined);
  const grade = (a: Node): number | null => moodleGrade(Number(str(a["@_fraction"]) || "0"));
  if (type === "description") {
    issues.push({ line, code: "xml_description_skipped", params: { name }, level: "note" });
    return "description";
  }
  if (type === "essay") {
    issues.push({ line, code: "gift_essay_skipped", params: { name }, level: "warning" });
    return "unsupported";
  }
  if (!prompt && type !== "") return fail("gift_no_question");
  switch (type) {
    case "multichoice": {
      const single = q.single === undefined ? true : flag(q.single);
      const options: NonNullable<ParsedQuestion["options"]> = [];
      for (const a of answers) {
        const weight = grade(a);
        if (weight === null) return fail("gift_weight_not_moodle", { value: str(a["@_fraction"]) });
        const text = rich(a, fmt);
        if (!text) return fail("gift_empty_answer");
        options.push({ text, weight, feedback: feedbackOf(a) });
      }
      if (options.length < 2) return fail("gift_few_options");
      const fixedOrder = q.shuffleanswers !== undefined && !flag(q.shuffleanswers);
      if (single) {
        if (!options.some((o) => o.weight >= 100)) return fail("gift_no_correct");
        return { ...base, kind: "single", options, ...(fixedOrder ? { fixedOrder } : {}) };
      }
      const sum = options.filter((o) => o.weight > 0).reduce((s, o) => s + o.weight, 0);
      if (Math.abs(sum - 100) > 0.01) return fail("gift_weights_sum", { sum: Math.round(sum * 1000) / 1000 });
      return { ...base, kind: "multiple", options, ...(fixedOrder ? { fixedOrder } : {}) };
    }
    case "truefalse": {
      const t = answers.find((a) => textOf(a).trim().toLowerCase() === "true");
      const f = answers.find((a) => textOf(a).trim().toLowerCase() === "false");
      if (!t || !f) return fail("xml_truefalse_answers");
      return { ...base, kind: "truefalse", answer: (grade(t) ?? 0) >= 100, trueFeedback: feedbackOf(t), falseFeedback: feedbackOf(f) };
    }
    case "shortanswer": {
      if (flag(q.usecase)) issues.push({ line, code: "xml_usecase", params: { name }, level: "warning" });
      const accepted: NonNullable<ParsedQuestion["accepted"]> = [];
      for (const a of answers) {
        const weight = grade(a);
        if (weight === null) return fail("gift_weight_not_moodle", { value: str(a["@_fraction"]) });
        const value = textOf(a).trim();
        if (!value) return fail("gift_empty_answer");
        accepted.push({ value, weight, feedback: feedbackOf(a) });
      }
      if (!accepted.some((a) => a.weight >= 100)) return fail("gift_no_correct");
      return { ...base, kind: "text", accepted };
    }
    case "numerical": {
      const numbers: AcceptedNumber[] = [];
      for (const a of answers) {
        const weight = grade(a);
        if (weight === null) return fail("gift_weight_not_moodle", { value: str(a["@_fraction"]) });
        const raw = textOf(a).trim();
        const feedback = feedbackOf(a);
        if (raw === "*") {
          numbers.push({ value: 0, tolerance: 0, weight, feedback, any: true });
          continue;
        }
        const value = Number(raw);
        const tolerance = Math.abs(Number(str(a.tolerance) || "0"));
        if (raw === "" || !Number.isFinite(value) || !Number.isFinite(tolerance)) return fail("gift_bad_number", { text: truncate(raw, 40) });
        numbers.push({ value, tolerance, weight, feedback });
      }
      if (!numbers.some((a) => a.weight >= 100)) return fail("gift_no_correct");
      return { ...base, kind: "number", numbers };
    }
    case "matching": {
      const pairs: { stem: string; answer: string }[] = [];
      const distractors: string[] = [];
      for (const s of list(q.subquestion)) {
        const stem = rich(s, fmt);
        const answer = toTelegramHtml(textOf(list(s.answer)[0]), "plain");
        if (!answer && !stem) continue;
        if (!answer) return fail("gift_empty_answer");
        if (stem) pairs.push({ stem, answer });
        else distractors.push(answer);
      }
      if (pairs.length < 2) return fail("gift_few_pairs");
      const fixedOrder = q.shuffleanswers !== undefined && !flag(q.shuffleanswers);
      return { ...base, kind: "matching", pairs, ...(distractors.length ? { distractors } : {}), ...(fixedOrder ? { fixedOrder } : {}) };
    }
    default:
      return fail("xml_unsupported_type", { type: type || "?", name });
  }
}

/** The first @@PLUGINFILE@@ image of the question text that the file carries (base64). */
function questionImage(questiontext: unknown, line: number, issues: TextIssue[]): ParsedQuestion["image"] | "broken" | undefined {
  const text = textOf(questiontext);
  const at = text.indexOf("@@PLUGINFILE@@/");
  if (at < 0) return undefined;
  const end = text.slice(at + 15).search(/["'\s>?#]/);
  const ref = decodeURIComponent(text.slice(at + 15, end < 0 ? undefined : at + 15 + end));
  const file = list(obj(questiontext).file).find((f) => str(f["@_name"]) === ref.split("/").pop());
  if (!file) {
    issues.push({ line, code: "xml_image_missing", params: { name: ref }, level: "warning" });
    return undefined;
  }
  const ext = ref.split(".").pop()!.toLowerCase();
  const mime = PHOTO_MIME[ext];
  if (!mime) {
    issues.push({ line, code: "xml_image_type", params: { name: ref }, level: "warning" });
    return undefined;
  }
  const base64 = str(file).replace(/\s+/g, "");
  if ((base64.length * 3) / 4 > MAX_PHOTO_BYTES) {
    issues.push({ line, code: "xml_image_too_big", params: { name: ref, max: MAX_PHOTO_BYTES / 1024 / 1024 } });
    return "broken";
  }
  return { name: ref.split("/").pop()!, mime, base64 };
}

export const imageHash = (base64: string) => createHash("sha256").update(Buffer.from(base64, "base64")).digest("hex");
