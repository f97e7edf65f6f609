import { describe, expect, it } from "vitest";
import {
  CALLBACK_DATA_MAX_BYTES,
  quizChoice,
  quizDone,
  quizToggle,
  surveyDone,
  surveyMove,
  surveyToggle,
  surveyValue,
} from "../src/messages/callbackData.js";

describe("answer buttons' callback data", () => {
  it("fits Telegram's 64 bytes with the longest ids, item numbers and masks", () => {
    const id = 999_999_999_999;
    const longest = [
      quizChoice.encode(id, 999, 25),
      quizToggle.encode(id, 999, 25, 2 ** 26 - 1),
      quizDone.encode(id, 999, 2 ** 26 - 1),
      surveyValue.encode(id, 15, 10),
      surveyToggle.encode(id, 15, 9, 2 ** 10 - 1),
      surveyDone.encode(id, 15, 2 ** 10 - 1),
      surveyMove.encode(id, 15, "submit"),
    ];
    for (const data of longest) expect(Buffer.byteLength(data), data).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
  });

  it("decodes what it encodes and refuses anything else", () => {
    expect(quizToggle.decode(quizToggle.encode(12, 3, 1, 5))).toEqual([12, 3, 1, 5]);
    expect(surveyMove.decode("qnm:1:2:delete")).toBeNull();
    expect(quizChoice.decode("qzc:1:2")).toBeNull();
    expect(quizChoice.decode("qb:1:2:3")).toBeNull();
  });
});
