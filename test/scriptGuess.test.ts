import { describe, expect, it } from "vitest";
import { guessLanguage, seemsOtherLanguage } from "../src/domain/script.js";

describe("guessing an announcement's language from its letters (issue 15 item 11)", () => {
  it("tells Kazakh, Russian and English apart", () => {
    expect(guessLanguage("Сәлеметсіз бе! Бүгін курстың жаңа аптасы басталады.")).toBe("kk");
    expect(guessLanguage("Здравствуйте! Сегодня начинается новая неделя курса.")).toBe("ru");
    expect(guessLanguage("Hello! A new week of the course starts today.")).toBe("en");
  });

  it("a Russian text with code or a Kazakh name stays Russian; a Kazakh text with code stays Kazakh", () => {
    expect(guessLanguage("На этой неделе мы изучаем функцию print() и модуль Қазақстан в примерах.")).toBe("ru");
    expect(guessLanguage("Бұл аптада print() және input() функцияларын үйренеміз, сабақтар қызықты.")).toBe("kk");
  });

  it("gives no verdict on short or mixed texts", () => {
    expect(guessLanguage("Сәлем!")).toBeNull();
    expect(guessLanguage("Hi")).toBeNull();
    expect(guessLanguage("Week two: неделя вторая, second week, вторая неделя.")).toBeNull();
    expect(guessLanguage("📣 12:00 — 14:00")).toBeNull();
  });

  it("names the other language only when it differs", () => {
    const ru = "Здравствуйте! Сегодня начинается новая неделя курса.";
    expect(seemsOtherLanguage(ru, "kk")).toBe("ru");
    expect(seemsOtherLanguage(ru, "ru")).toBeNull();
    expect(seemsOtherLanguage("Hello! A new week of the course starts today.", "ru")).toBe("en");
    expect(seemsOtherLanguage("Сәлеметсіз бе! Бүгін курстың жаңа аптасы басталады.", "en")).toBe("kk");
  });
});
