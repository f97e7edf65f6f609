import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client.js";
import {
  courseAuthors,
  courseIdsWithRole,
  courseStaff,
  grantCourseRole,
  hasCourseRole,
  hasRoleAnywhere,
  revokeCourseRole,
} from "../src/db/staffRepo.js";

const config = { adminIds: new Set([1]) };
const now = new Date("2026-11-29T10:00:00Z");

describe("course roles", () => {
  it("hold in their own course only; admins hold every role everywhere", () => {
    const db = openDatabase(":memory:");
    db.$client.exec(
      "INSERT INTO courses (id, languages, title, description, timezone, start_at, enroll_opens_at, enroll_closes_at, end_at, source_file, source_hash, content, loaded_at) VALUES " +
        "('a', '[\"en\"]', '{}', '{}', 'Asia/Almaty', 0, 0, 0, 0, 'a.yaml', 'h', '{}', 0), ('b', '[\"en\"]', '{}', '{}', 'Asia/Almaty', 0, 0, 0, 0, 'b.yaml', 'h', '{}', 0)",
    );
    expect(grantCourseRole(db, { courseId: "a", userId: 7, role: "author", grantedBy: 1, now })).toBe(true);
    expect(grantCourseRole(db, { courseId: "a", userId: 7, role: "author", grantedBy: 1, now })).toBe(false);
    grantCourseRole(db, { courseId: "b", userId: 8, role: "assistant", grantedBy: 7, now });

    expect(hasCourseRole(db, config, 7, "a", "author")).toBe(true);
    expect(hasCourseRole(db, config, 7, "b", "author")).toBe(false);
    expect(hasCourseRole(db, config, 7, "a", "assistant")).toBe(false);
    expect(hasCourseRole(db, config, 1, "b", "assistant")).toBe(true);
    expect(hasRoleAnywhere(db, config, 8, "author")).toBe(false);
    expect(hasRoleAnywhere(db, config, 8, "assistant")).toBe(true);
    expect(courseIdsWithRole(db, config, 7, "author")).toEqual(["a"]);
    expect(courseIdsWithRole(db, config, 1, "author")).toEqual(["a", "b"]);
    expect(courseStaff(db, "a")).toEqual([{ courseId: "a", userId: 7, role: "author", grantedBy: 1, grantedAt: now.getTime() }]);

    // A course without authors sends its reports to the admins.
    expect(courseAuthors(db, config, "a")).toEqual([7]);
    expect(courseAuthors(db, config, "b")).toEqual([1]);

    expect(revokeCourseRole(db, "a", 7, "author")).toBe(true);
    expect(hasCourseRole(db, config, 7, "a", "author")).toBe(false);
    expect(revokeCourseRole(db, "a", 7, "author")).toBe(false);
  });
});
