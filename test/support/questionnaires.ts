import { getResponse } from "../../src/db/questionnaireRepo.js";
import { surveyDone, surveyMove, surveyToggle, surveyValue } from "../../src/messages/callbackData.js";
import type { TestBot, TestUser } from "./harness.js";

/** A questionnaires section for test courses: every question type, kk/ru/en. */
export const QUESTIONNAIRES_YAML = `questionnaires:
  pre:
    - id: motivation
      type: rating
      min: 1
      max: 5
      min_label: { kk: "мүлде жоқ", ru: "совсем нет", en: "not at all" }
      max_label: { kk: "өте жоғары", ru: "очень высокая", en: "very high" }
      text: { kk: "Оқуға ынтаңыз қандай?", ru: "Насколько вы мотивированы?", en: "How motivated are you?" }
    - id: level
      type: single
      text: { kk: "Тәжірибеңіз?", ru: "Ваш опыт?", en: "Your experience?" }
      options:
        - id: none
          text: { kk: "Жоқ", ru: "Нет", en: "None" }
        - id: some
          text: { kk: "Аздап, үтір, бар", ru: "Немного", en: "Some" }
    - id: devices
      type: multiple
      text: { kk: "Құрылғыларыңыз?", ru: "Ваши устройства?", en: "Your devices?" }
      options:
        - id: phone
          text: { kk: "Телефон", ru: "Телефон", en: "Phone" }
        - id: laptop
          text: { kk: "Ноутбук", ru: "Ноутбук", en: "Laptop" }
        - id: tablet
          text: { kk: "Планшет", ru: "Планшет", en: "Tablet" }
    - id: studied_online
      type: yes_no
      text: { kk: "Онлайн оқыдыңыз ба?", ru: "Учились онлайн?", en: "Studied online before?" }
    - id: hours
      type: number
      min: 1
      max: 40
      integer: true
      text: { kk: "Аптасына неше сағат?", ru: "Сколько часов в неделю?", en: "Hours per week?" }
    - id: goals
      type: text
      max_length: 50
      required: false
      text: { kk: "Мақсатыңыз?", ru: "Ваша цель?", en: "Your goal?" }
  post:
    - id: motivation
      type: rating
      min: 1
      max: 5
      text: { kk: "Қазір ынтаңыз қандай?", ru: "Какова мотивация сейчас?", en: "How motivated are you now?" }
    - id: studied_online
      type: yes_no
      text: { kk: "Тағы онлайн оқисыз ба?", ru: "Будете учиться онлайн?", en: "Will you study online again?" }
    - id: comments
      type: text
      required: false
      text: { kk: "Пікіріңіз?", ru: "Ваш отзыв?", en: "Your comments?" }
`;

export interface PreAnswers {
  /** Typed, as a learner may instead of pressing a rating button. */
  motivation: string;
  /** Option number of `level`. */
  level: number;
  /** Option numbers of `devices`. */
  devices: number[];
  studiedOnline: boolean;
  hours: string;
  /** Omitted: the optional question is skipped. */
  goals?: string;
}

/**
 * Fills in QUESTIONNAIRES_YAML's pre-course questionnaire through its buttons and confirms it,
 * as a learner would; returns the response id.
 */
export async function answerPre(tb: TestBot, u: TestUser, a: PreAnswers): Promise<number> {
  await u.press("qn:python-101:pre");
  const rid = getResponse(tb.db, u.id, "python-101", "pre")!.id;
  await u.send(a.motivation);
  await u.press(qa(u, rid, 1, "v", a.level));
  for (const d of a.devices) await u.press(qa(u, rid, 2, "t", d));
  await u.press(qa(u, rid, 2, "d"));
  await u.press(qa(u, rid, 3, a.studiedOnline ? "y" : "n"));
  await u.send(a.hours);
  if (a.goals === undefined) await u.press(qa(u, rid, 5, "s"));
  else await u.send(a.goals);
  await u.press(qa(u, rid, 6, "ok"));
  return rid;
}

const masks = new Map<string, number>();

/**
 * The callback data of a questionnaire button, written as the old `qa:` notation of these tests
 * (action v/t/d/y/n/b/s/k/ok, option n). Toggles carry the ticks of the keyboard they are on, so
 * the ticks of each learner's question are followed here as the keyboards would show them.
 */
export function qa(u: { id: number }, rid: number, position: number, action: string, n?: number): string {
  const key = `${u.id}:${rid}:${position}`;
  switch (action) {
    case "v":
      return surveyValue.encode(rid, position, n!);
    case "y":
    case "n":
      return surveyValue.encode(rid, position, action === "y" ? 1 : 0);
    case "t": {
      const mask = masks.get(key) ?? 0;
      masks.set(key, mask ^ (1 << n!));
      return surveyToggle.encode(rid, position, n!, mask);
    }
    case "d": {
      const mask = masks.get(key) ?? 0;
      masks.delete(key);
      return surveyDone.encode(rid, position, mask);
    }
    default:
      return surveyMove.encode(rid, position, ({ b: "back", s: "skip", k: "keep", ok: "submit" } as const)[action as "b"]);
  }
}
