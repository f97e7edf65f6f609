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

/**
 * One-time invitations to a role in a course (/invite). The token is the secret a link carries
 * (t.me/<bot>?start=inv-<token>); the row says whether it is still open: not used, not revoked,
 * not declined, not expired.
 */
export const staffInvitations = sqliteTable(
  "staff_invitations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    token: text("token").notNull().unique(),
    courseId: text("course_id").notNull(),
    role: text("role").$type<StaffRole>().notNull(),
    createdBy: integer("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedBy: integer("used_by"),
    usedAt: integer("used_at"),
    declinedBy: integer("declined_by"),
    declinedAt: integer("declined_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("staff_invitations_course").on(t.courseId)],
);

export type StaffInvitation = typeof staffInvitations.$inferSelect;

/**
 * The chat-scoped command menu set for a staff member's private chat (authors' commands), so a
 * menu whose person lost their last role is removed even when the process stopped in between.
 */
export const staffMenus = sqliteTable("staff_menus", {
  chatId: integer("chat_id").primaryKey(),
  /** What was set: the menu's kind and language, e.g. "author:kk". */
  menu: text("menu").notNull(),
  setAt: integer("set_at").notNull(),
});
