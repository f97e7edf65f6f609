export * from "./learners.js";
export * from "./courses.js";
export * from "./runtime.js";
export * from "./announce.js";
export * from "./quiz.js";
export * from "./questionnaires.js";
export * from "./questions.js";
export * from "./questionImages.js";
