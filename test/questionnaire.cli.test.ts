import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runExport } from "../src/cli/exportQuestionnaires.js";
import { getResponse } from "../src/db/questionnaireRepo.js";
import { courseYaml } from "./support/courses.js";
import { QUESTIONNAIRES_YAML, qa } from "./support/questionnaires.js";
import { T0, TestBot, tempDir } from "./support/harness.js";

describe("npm run export", () => {
  it("writes the CSV files of a course from the database file", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const dbPath = join(dir, "bot.sqlite");
      const tb = new TestBot({ now: T0, dbPath });
      tb.loadCourse(courseYaml({ extra: QUESTIONNAIRES_YAML }));
      const u = tb.user(5, { lang: "kk", firstName: 'Әлихан, "Әли"' });
      await u.send("/start");
      await u.press("enr!:python-101");
      await u.press("qn:python-101:pre");
      await u.send("4");
      const rid = getResponse(tb.db, 5, "python-101", "pre")!.id;
      await u.press(qa(u, rid, 1, "v", 0));
      tb.close();

      const lines: string[] = [];
      expect(await runExport([], dbPath, (l) => lines.push(l))).toBe(2);
      expect(await runExport(["nope", dir], dbPath, (l) => lines.push(l))).toBe(1);
      expect(await runExport(["python-101", join(dir, "out")], dbPath, (l) => lines.push(l))).toBe(0);
      expect(lines.at(-1)).toContain("python-101-pre-questionnaire.csv: 1 learner");
      const csv = readFileSync(join(dir, "out", "python-101-pre-questionnaire.csv"), "utf8");
      expect(csv.charCodeAt(0)).toBe(0xfeff);
      expect(csv).toContain('5,"Әлихан, ""Әли""",,,kk,in_progress,');
      expect(csv).toContain(",4,Жоқ,,,,\r\n");
    } finally {
      cleanup();
    }
  });
});
