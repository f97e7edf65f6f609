import { courseYaml } from "./courses.js";
import { T0, TestBot } from "./harness.js";

/** The assistants' chat of the /ask tests (ASSISTANT_CHAT_ID). */
export const ASSIST = -1001234567;

/**
 * A bot with an assistants' chat whose texts are in English (DEFAULT_LOCALE, so assertions read
 * easily) and two courses: python-101 (running) and data-later (starting 2026-09-10).
 */
export function askTestBot(): TestBot {
  const tb = new TestBot({ now: T0, config: { ASSISTANT_CHAT_ID: String(ASSIST), DEFAULT_LOCALE: "en" } });
  tb.loadCourse(courseYaml());
  tb.loadCourse(courseYaml({ id: "data-later", start: "2026-09-10" }));
  return tb;
}
