/**
 * Per-course roles. Authors manage a course's content, announcements and reports; assistants
 * answer its learners' questions. Platform admins (ADMIN_IDS) hold every role in every course.
 */
export const STAFF_ROLES = ["author", "assistant"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === "string" && (STAFF_ROLES as readonly string[]).includes(value);
}
