/** Course files for tests, built from parts so each test states only what it cares about. */

const filler = {
  kk: "Бұл аптада біз жаңа тақырыпты бастаймыз: қысқа бейнедәрістерді қарап, конспект жазып, практикалық тапсырмаларды орындайсыз. ",
  ru: "На этой неделе мы начинаем новую тему: вы посмотрите короткие видеолекции, сделаете конспект и выполните практические задания. ",
  en: "This week we start a new topic: you will watch short video lectures, take notes and complete the practice tasks step by step. ",
};

/** A valid announcement of about 500 characters in the given language. */
export function announcement(lang: keyof typeof filler, week: number): string {
  let text = `${week}. `;
  while ([...text].length < 480) text += filler[lang];
  return [...text].slice(0, 500).join("").trim();
}

export interface CourseYamlOptions {
  id?: string;
  start?: string;
  languages?: string[];
  modules?: number;
  extra?: string;
  /** YAML of a module's `quiz:` mapping (its lines, unindented), by module index. */
  quizzes?: Record<number, string>;
}

export function courseYaml(o: CourseYamlOptions = {}): string {
  const languages = o.languages ?? ["kk", "ru", "en"];
  const tr = (texts: Record<string, string>) => `{ ${languages.map((l) => `${l}: ${JSON.stringify(texts[l] ?? texts.en)}`).join(", ")} }`;
  const modules = Array.from({ length: o.modules ?? 4 }, (_, k) => {
    const ann = Object.fromEntries(languages.map((l) => [l, announcement(l as keyof typeof filler, k + 1)]));
    const quiz = o.quizzes?.[k];
    const quizYaml = quiz
      ? `\n    quiz:\n${quiz
          .trim()
          .split("\n")
          .map((l) => `      ${l}`)
          .join("\n")}`
      : "";
    return `  - title: ${tr({ kk: `${k + 1}-модуль`, ru: `Модуль ${k + 1}`, en: `Module ${k + 1}` })}
    hours: 4
    announcement: ${tr(ann)}${quizYaml}`;
  }).join("\n");
  return `id: ${o.id ?? "python-101"}
languages: [${languages.join(", ")}]
title: ${tr({ kk: "Python тіліне кіріспе", ru: "Введение в Python", en: "Introduction to Python" })}
description: ${tr({ kk: "Бағдарламалаудың негіздері.", ru: "Основы программирования.", en: "Programming basics." })}
start: ${o.start ?? "2026-09-07"}
timezone: Asia/Almaty
hours_per_week: 4
modules:
${modules}
${o.extra ?? ""}`;
}
