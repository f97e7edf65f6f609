import type { Config } from "../config.js";
import type { StaffRole } from "../domain/roles.js";
import { statement, type Db } from "./client.js";

type AdminConfig = Pick<Config, "adminIds">;

export interface StaffMember {
  courseId: string;
  userId: number;
  role: StaffRole;
  grantedBy: number | null;
  grantedAt: number;
}

/** Platform admins (ADMIN_IDS, and the deprecated AUTHOR_IDS) hold every role in every course. */
export function isAdmin(config: AdminConfig, userId: number): boolean {
  return config.adminIds.has(userId);
}

/**
 * Whether the person may act with `role` on this course. Every author or assistant command and
 * button asks this for the course it acts on, so a role in one course opens nothing in another.
 */
export function hasCourseRole(db: Db, config: AdminConfig, userId: number, courseId: string, role: StaffRole): boolean {
  if (isAdmin(config, userId)) return true;
  const row = statement<[string, number, StaffRole]>(db, "SELECT 1 FROM course_staff WHERE course_id = ? AND user_id = ? AND role = ?").get(
    courseId,
    userId,
    role,
  );
  return row !== undefined;
}

/** Whether the person holds `role` in at least one course (or is an admin): for menus and help. */
export function hasRoleAnywhere(db: Db, config: AdminConfig, userId: number, role: StaffRole): boolean {
  if (isAdmin(config, userId)) return true;
  return (
    statement<[number, StaffRole]>(db, "SELECT 1 FROM course_staff WHERE user_id = ? AND role = ? LIMIT 1").get(userId, role) !== undefined
  );
}

/** The ids of the courses the person holds `role` in, sorted; admins get every course in the catalogue. */
export function courseIdsWithRole(db: Db, config: AdminConfig, userId: number, role: StaffRole): string[] {
  if (isAdmin(config, userId)) {
    return statement<[], { id: string }>(db, "SELECT id FROM courses ORDER BY id")
      .all()
      .map((r) => r.id);
  }
  return statement<[number, StaffRole], { course_id: string }>(
    db,
    "SELECT course_id FROM course_staff WHERE user_id = ? AND role = ? ORDER BY course_id",
  )
    .all(userId, role)
    .map((r) => r.course_id);
}

/** The course's team, authors first, each group by user id. */
export function courseStaff(db: Db, courseId: string): StaffMember[] {
  return statement<[string], { course_id: string; user_id: number; role: StaffRole; granted_by: number | null; granted_at: number }>(
    db,
    "SELECT course_id, user_id, role, granted_by, granted_at FROM course_staff WHERE course_id = ? ORDER BY role = 'assistant', user_id",
  )
    .all(courseId)
    .map((r) => ({ courseId: r.course_id, userId: r.user_id, role: r.role, grantedBy: r.granted_by, grantedAt: r.granted_at }));
}

/** Grants a role; granting one already held changes nothing. Returns whether it was new. */
export function grantCourseRole(
  db: Db,
  grant: { courseId: string; userId: number; role: StaffRole; grantedBy: number | null; now: Date },
): boolean {
  const result = statement<[string, number, StaffRole, number | null, number]>(
    db,
    "INSERT INTO course_staff (course_id, user_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
  ).run(grant.courseId, grant.userId, grant.role, grant.grantedBy, grant.now.getTime());
  return result.changes > 0;
}

/** Removes a role; the person's next tap is checked against the table, so it takes effect at once. */
export function revokeCourseRole(db: Db, courseId: string, userId: number, role: StaffRole): boolean {
  return (
    statement<[string, number, StaffRole]>(db, "DELETE FROM course_staff WHERE course_id = ? AND user_id = ? AND role = ?").run(
      courseId,
      userId,
      role,
    ).changes > 0
  );
}

/**
 * The people who receive a course's analysis reports and notices about its assistants' chat: its
 * authors, or the admins when the course has none yet (someone must hear about it).
 */
export function courseAuthors(db: Db, config: AdminConfig, courseId: string): number[] {
  const authors = courseStaff(db, courseId)
    .filter((m) => m.role === "author")
    .map((m) => m.userId);
  return authors.length > 0 ? authors : [...config.adminIds].sort((a, b) => a - b);
}
