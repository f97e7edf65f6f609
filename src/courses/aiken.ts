import { escapeHtml } from "../domain/text.js";
import { bankFromSlots, blocks, settleTexts, type ParsedBank, type ParsedQuestion, type Slot, type TextIssue } from "./quizText.js";
import { truncate } from "../domain/text.js";

/**
 * Aiken, as Moodle's reader (question/format/aiken/format.php) takes it: the question text, then
 * options `A)` or `A.` (a space after the mark or not), then `ANSWER: X` where only the first
 * character after the colon counts (`ANSWER: B.` is B). Lines may end in LF, CRLF or CR alone.
 * One right answer; the texts are plain. The bot also accepts what Moodle would misread but whose
 * meaning is plain: a question text over several lines, and `answer:` in any case. A question
 * that follows the ANSWER line without a blank line is read with a warning. Options must go A, B,
 * C… in order (Moodle maps the answer letter to a position, so a gap would move the right answer).
 * Cyrillic look-alike letters (А В С Е…) are named in the message: Moodle reads only Latin ones.
 */

/** Cyrillic capitals that look like Latin ones. */
const LOOKALIKE: Record<string, string> = { А: "A", В: "B", С: "C", Е: "E", Н: "H", К: "K", М: "M", О: "O", Р: "P", Т: "T", Х: "X" };

interface OptionLine {
  letter: string;
  text: string;
}

/** "A) text", "A.text", "A. text" -> letter and text; null when the line is not an option. */
function option(line: string): OptionLine | null {
  const s = line.trim();
  if (s.length < 2 || !/^[A-Z]$/.test(s[0]!) || (s[1] !== ")" && s[1] !== ".")) return null;
  return { letter: s[0]!, text: s.slice(2).trim() };
}

/** The Cyrillic look-alike used where an option letter should be ("А)"), or null. */
function cyrillicOption(line: string): string | null {
  const s = line.trim();
  return s.length >= 2 && LOOKALIKE[s[0]!] && (s[1] === ")" || s[1] === ".") ? s[0]! : null;
}

function answerLine(line: string): string | null {
  const s = line.trim();
  if (s.slice(0, 6).toUpperCase() !== "ANSWER") return null;
  const rest = s.slice(6).trimStart();
  return rest.startsWith(":") ? rest.slice(1).trim() : null;
}

export function parseAiken(text: string): ParsedBank {
  const slots: Slot[] = [];
  const issues: TextIssue[] = [];
  for (const b of blocks(text)) {
    // A block may hold several questions when the blank line after an ANSWER was forgotten.
    let start = 0;
    while (start < b.lines.length) {
      const { end, slot } = readQuestion(b.lines, start, b.line, issues);
      slots.push(slot);
      if (end < b.lines.length && "question" in slot) {
        issues.push({ line: b.line + end, code: "aiken_no_blank_line", params: {}, level: "warning" });
      }
      start = end;
    }
  }
  return bankFromSlots(slots, issues);
}

/** Reads one question from lines[start]; returns where the next one starts. */
function readQuestion(lines: string[], start: number, firstLine: number, issues: TextIssue[]): { end: number; slot: Slot } {
  const lineNo = start + firstLine;
  const promptLines: string[] = [];
  const options: (OptionLine & { line: number })[] = [];
  let broken: TextIssue | null = null;
  let k = start;
  const stopAt = (code: string, at: number, params: TextIssue["params"] = {}) => {
    broken ??= { line: firstLine + at, code, params };
  };
  for (; k < lines.length; k++) {
    const l = lines[k]!;
    const at = firstLine + k;
    const ans = answerLine(l);
    if (ans !== null) {
      k++;
      return finish(ans, at);
    }
    const o = option(l);
    if (o && promptLines.length > 0) {
      const expected = String.fromCharCode(65 + options.length);
      if (o.letter !== expected) stopAt("aiken_option_order", k, { found: o.letter, expected });
      options.push({ ...o, line: at });
      continue;
    }
    const cyr = cyrillicOption(l);
    if (cyr && promptLines.length > 0) {
      stopAt("aiken_cyrillic_letter", k, { letter: cyr, latin: LOOKALIKE[cyr]! });
      options.push({ letter: LOOKALIKE[cyr]!, text: l.trim().slice(2).trim(), line: at });
      continue;
    }
    if (options.length > 0) stopAt("aiken_bad_line", k, { text: truncate(l.trim(), 60) });
    else promptLines.push(l.trim());
  }
  // The block ended without an ANSWER line.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stopAt() sets it from inside the loop
  issues.push(broken ?? { line: lineNo, code: promptLines.length === 0 ? "aiken_no_question" : "aiken_no_answer", params: {} });
  return { end: k, slot: { line: lineNo, skipped: "broken" } };

  function finish(rawAnswer: string, answerAt: number): { end: number; slot: Slot } {
    const fail = (issue: TextIssue) => {
      issues.push(broken ?? issue);
      return { end: k, slot: { line: lineNo, skipped: "broken" as const } };
    };
    if (promptLines.length === 0) return fail({ line: lineNo, code: "aiken_no_question", params: {} });
    if (options.length < 2) return fail({ line: lineNo, code: "aiken_few_options", params: { count: options.length } });
    const letter = rawAnswer.slice(0, 1);
    if (LOOKALIKE[letter]) return fail({ line: answerAt, code: "aiken_cyrillic_answer", params: { letter, latin: LOOKALIKE[letter] } });
    const correct = options.findIndex((o) => o.letter === letter.toUpperCase());
    if (!/^[A-Za-z]$/.test(letter) || correct < 0) {
      return fail({ line: answerAt, code: "aiken_answer_unknown", params: { value: truncate(rawAnswer, 10), letters: options.map((o) => o.letter).join(", ") } });
    }
    if (broken) return fail(broken);
    const q: ParsedQuestion = {
      line: lineNo,
      kind: "single",
      moodle: true,
      prompt: escapeHtml(promptLines.join("\n")),
      options: options.map((o, i) => ({ text: escapeHtml(o.text), weight: i === correct ? 100 : 0 })),
    };
    return { end: k, slot: { line: lineNo, question: settleTexts(q) } };
  }
}
