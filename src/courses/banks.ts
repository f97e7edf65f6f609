/** The quiz-bank parsers, one per format Moodle authors bring (Aiken, GIFT, Moodle XML). */
export { parseAiken } from "./aiken.js";
export { parseGift } from "./gift.js";
export { parseMoodleXml } from "./moodleXml.js";
export type { ParsedBank, ParsedQuestion } from "./quizText.js";
