/** A YAML flow map of one text in the three languages, kk and ru marked so tests can tell them apart. */
export const tr = (s: string) => `{ kk: ${JSON.stringify(`${s} (kk)`)}, ru: ${JSON.stringify(`${s} (ru)`)}, en: ${JSON.stringify(s)} }`;

/** A module quiz with one question of each type (single, multiple, truefalse, text, number). */
export const QUIZ_ALL_TYPES = `
pass_score: 60
attempts: 2
questions:
  - type: single
    text: ${tr("Which prints text?")}
    options:
      - { text: ${tr("print()")}, correct: true }
      - { text: ${tr("input()")} }
      - { text: ${tr("len()")} }
  - type: multiple
    text: ${tr("Which are numbers?")}
    options:
      - { text: ${tr("int")}, correct: true }
      - { text: ${tr("float")}, correct: true }
      - { text: ${tr("str")} }
  - type: truefalse
    text: ${tr("Python is case-sensitive.")}
    answer: true
  - type: text
    text: ${tr("Name the function that reads a line.")}
    answers: { kk: [input], ru: [input], en: [input] }
  - type: number
    text: ${tr("What is 7 / 2?")}
    answer: 3.5
    tolerance: 0.01
`;
