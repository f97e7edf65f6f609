import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { StaffRole } from "../../domain/roles.js";

/**
 * Who holds which role in which course. No foreign key to courses: a course taken out of the
 * catalogue keeps its team, so it comes back with the same people.
 */
export const courseStaff = sqliteTable(
  "course_staff",
  {
    courseId: text("course_id").notNull(),
    userId: integer("user_id").notNull(),
    role: text("role").$type<StaffRole>().notNull(),
    /** Who granted it (an admin, an author or the invitation's creator); null when seeded. */
    grantedBy: integer("granted_by"),
    grantedAt: integer("granted_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.userId, t.role] }), index("course_staff_user").on(t.userId, t.role)],
);
