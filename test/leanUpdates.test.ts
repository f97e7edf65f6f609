import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getCourse, getModules, listCourses, perCourseVersion } from "../src/db/coursesRepo.js";
import { getLearner } from "../src/db/learnersRepo.js";
import { pruneProcessedUpdates } from "../src/bot/middleware/dedupeUpdates.js";
import { DAY } from "../src/clock.js";
import { LOCALES } from "../src/domain/locale.js";
import { formatNumber } from "../src/messages/format.js";
import { i18nextFixedT, translator } from "../src/messages/i18n.js";
import { localesFolder } from "../src/paths.js";
import { courseYaml } from "./support/courses.js";
import { T0, TestBot } from "./support/harness.js";

let tb: TestBot;
beforeEach(() => {
  tb = new TestBot({ now: T0 });
  tb.loadCourse(courseYaml());
});
afterEach(() => tb.close());

/** Counts rows written to `table` by watching SQLite's total_changes() around `f`. */
async function changesDuring(f: () => Promise<unknown>): Promise<number> {
  const changes = () => (tb.db.$client.prepare("SELECT total_changes() AS n").get() as { n: number }).n;
  const before = changes();
  await f();
  return changes() - before;
}

describe("an update that changes nothing writes nothing about the learner", () => {
  it("registers once, then leaves the row alone while name and username stay the same", async () => {
    const u = tb.user(1, { lang: "en" });
    await u.send("/help");
    const first = getLearner(tb.db, 1)!;
    expect(first).toMatchObject({ firstName: "User1", language: "en", createdAt: T0, updatedAt: T0 });
    tb.clock.advance(60_000);
    await u.send("/help");
    await u.send("/courses");
    expect(getLearner(tb.db, 1)).toEqual(first);
  });

  it("a repeated update writes only its update id (the dedupe record)", async () => {
    const u = tb.user(2, { lang: "en" });
    await u.send("/help");
    tb.clock.advance(60_000);
    expect(await changesDuring(() => u.send("/help"))).toBe(1);
  });

  it("a new name, a username or coming back after a block is written", async () => {
    await tb.user(3, { firstName: "Aigerim" }).send("/help");
    tb.clock.advance(60_000);
    await tb.user(3, { firstName: "Aigerim B." }).send("/help");
    expect(getLearner(tb.db, 3)).toMatchObject({ firstName: "Aigerim B.", updatedAt: T0 + 60_000 });
    tb.db.$client.prepare("UPDATE learners SET blocked_at = ? WHERE id = 3").run(T0);
    tb.clock.advance(60_000);
    await tb.user(3, { firstName: "Aigerim B." }).send("/help");
    expect(getLearner(tb.db, 3)).toMatchObject({ blockedAt: null, updatedAt: T0 + 120_000 });
  });
});

describe("handled update ids", () => {
  it("are forgotten after two days, from both ends of the key (Telegram may restart its numbering)", async () => {
    const c = tb.db.$client;
    const add = c.prepare("INSERT INTO processed_updates (update_id, handled_at) VALUES (?, ?)");
    const now = T0 + 10 * DAY;
    c.transaction(() => {
      for (let id = 1; id <= 2500; id++) add.run(id, now - 3 * DAY);
      for (let id = 2501; id <= 2600; id++) add.run(id, now - DAY);
      add.run(9_000_000, now - 9 * DAY);
    })();
    expect(await pruneProcessedUpdates(tb.db, now)).toBe(2501);
    const left = c.prepare("SELECT min(update_id) AS lo, max(update_id) AS hi, count(*) AS n FROM processed_updates").get();
    expect(left).toEqual({ lo: 2501, hi: 2600, n: 100 });
  });
});

describe("course cache", () => {
  it("parses a course once per version and sees a reload at once", () => {
    const a = getCourse(tb.db, "python-101")!;
    const b = getCourse(tb.db, "python-101")!;
    // Same parsed objects: the JSON was not parsed again.
    expect(b.content).toBe(a.content);
    expect(b.title).toBe(a.title);
    expect(getModules(tb.db, "python-101")[0]!.announcement).toBe(getModules(tb.db, "python-101")[0]!.announcement);

    tb.clock.advance(60_000);
    tb.loadCourse(courseYaml({ modules: 5 }).replace("Introduction to Python", "Python, the basics"));
    const c = getCourse(tb.db, "python-101")!;
    expect(c.title.en).toBe("Python, the basics");
    expect(c.content).not.toBe(a.content);
    expect(getModules(tb.db, "python-101")).toHaveLength(5);
    expect(listCourses(tb.db).map((x) => x.title.en)).toEqual(["Python, the basics"]);
  });

  it("keeps a value derived from the course file until the course is reloaded", () => {
    let runs = 0;
    const derived = () => perCourseVersion(tb.db, getCourse(tb.db, "python-101")!, "test", () => ++runs);
    expect([derived(), derived()]).toEqual([1, 1]);
    tb.clock.advance(60_000);
    tb.loadCourse(courseYaml({ modules: 5 }));
    expect([derived(), derived()]).toEqual([2, 2]);
  });

  it("reads dates fresh even when the JSON comes from the cache", () => {
    const before = getCourse(tb.db, "python-101")!;
    tb.db.$client.prepare("UPDATE courses SET start_at = start_at + 1 WHERE id = 'python-101'").run();
    expect(getCourse(tb.db, "python-101")!.startAt).toBe(before.startAt + 1);
  });
});

describe("cached formatters and translators give what i18next and Intl give", () => {
  it("every key of every locale, with and without options", () => {
    for (const lang of LOCALES) {
      /** Each key (plural forms folded) with the variables its texts use. */
      const keys = new Map<string, Set<string>>();
      const walk = (o: Record<string, unknown>, prefix: string) => {
        for (const [k, v] of Object.entries(o)) {
          if (typeof v === "object" && v !== null) walk(v as Record<string, unknown>, `${prefix}${k}.`);
          else {
            const key = `${prefix}${k}`.replace(/_(zero|one|two|few|many|other)$/, "");
            const names = keys.get(key) ?? new Set<string>();
            for (const m of String(v).matchAll(/\{\{-?\s*([^},]+?)\s*(?:,[^}]*)?\}\}/g)) names.add(m[1]!);
            keys.set(key, names);
          }
        }
      };
      walk(JSON.parse(readFileSync(join(localesFolder, `${lang}.json`), "utf8")), "");
      const fast = translator(lang);
      const reference = i18nextFixedT(lang);
      for (const [key, names] of keys) {
        expect(fast(key)).toBe(reference(key));
        expect(fast(key)).toBe(reference(key)); // second call: from the memo
        // Every variable the text uses (strings that need escaping, numbers, undefined); none at all; plurals.
        const filled = Object.fromEntries([...names].map((n, i) => [n, i % 3 === 0 ? `<b>${n}</b> & "q"` : i % 3 === 1 ? i : undefined]));
        expect(fast(key, filled)).toBe(reference(key, filled));
        expect(fast(key, {})).toBe(reference(key, {}));
        for (const count of [0, 1, 2, 5, 11, 21, 1.5]) expect(fast(key, { ...filled, count })).toBe(reference(key, { ...filled, count }));
      }
    }
  });

  it("numbers", () => {
    expect(formatNumber(3.25, "ru")).toBe(new Intl.NumberFormat("ru", { maximumFractionDigits: 1 }).format(3.25));
    expect(formatNumber(1234.5, "en", 0)).toBe("1,235");
    expect(formatNumber(1234.5, "en")).toBe("1,234.5");
  });
});
