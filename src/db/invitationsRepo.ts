import { eq } from "drizzle-orm";
import type { StaffRole } from "../domain/roles.js";
import { statement, type Db } from "./client.js";
import { staffInvitations, type StaffInvitation } from "./schema/index.js";
import { grantCourseRole } from "./staffRepo.js";

export type InvitationState = "open" | "used" | "declined" | "revoked" | "expired";

/** Where an invitation stands at `now`; the first of used/declined/revoked that happened wins over expiry. */
export function invitationState(inv: StaffInvitation, now: number): InvitationState {
  if (inv.usedAt !== null) return "used";
  if (inv.declinedAt !== null) return "declined";
  if (inv.revokedAt !== null) return "revoked";
  return inv.expiresAt <= now ? "expired" : "open";
}

export function createInvitation(
  db: Db,
  inv: { token: string; courseId: string; role: StaffRole; createdBy: number; now: number; expiresAt: number },
): StaffInvitation {
  return db
    .insert(staffInvitations)
    .values({
      token: inv.token,
      courseId: inv.courseId,
      role: inv.role,
      createdBy: inv.createdBy,
      createdAt: inv.now,
      expiresAt: inv.expiresAt,
    })
    .returning()
    .get();
}

export function invitationByToken(db: Db, token: string): StaffInvitation | undefined {
  return db.select().from(staffInvitations).where(eq(staffInvitations.token, token)).get();
}

export function invitationById(db: Db, id: number): StaffInvitation | undefined {
  return db.select().from(staffInvitations).where(eq(staffInvitations.id, id)).get();
}

/** Open invitations of a course, oldest first. */
export function openInvitations(db: Db, courseId: string, now: number): StaffInvitation[] {
  const ids = statement<[string, number], { id: number }>(
    db,
    "SELECT id FROM staff_invitations WHERE course_id = ? AND used_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL AND expires_at > ? ORDER BY id",
  ).all(courseId, now);
  return ids.map((r) => invitationById(db, r.id)!);
}

const CLOSE_IF_OPEN = "WHERE id = ? AND used_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL AND expires_at > ?";

export type AcceptResult =
  { ok: true; inv: StaffInvitation; granted: boolean } | { ok: false; state: InvitationState | "unknown"; inv?: StaffInvitation };

/**
 * Uses the invitation and grants its role, in one transaction: of two people (or two taps) only
 * the first finds it open; the other is told in what state it is.
 */
export function acceptInvitation(db: Db, token: string, userId: number, now: number): AcceptResult {
  return db.transaction(() => {
    const inv = invitationByToken(db, token);
    if (!inv) return { ok: false, state: "unknown" } as const;
    const closed = statement<[number, number, number, number], never>(
      db,
      `UPDATE staff_invitations SET used_by = ?, used_at = ? ${CLOSE_IF_OPEN}`,
    ).run(userId, now, inv.id, now).changes;
    if (closed === 0) return { ok: false, state: invitationState(inv, now), inv } as const;
    const granted = grantCourseRole(db, { courseId: inv.courseId, userId, role: inv.role, grantedBy: inv.createdBy, now: new Date(now) });
    return { ok: true, inv: invitationById(db, inv.id)!, granted } as const;
  });
}

/** The person the link was given to says no: the invitation is closed, nobody gets the role. */
export function declineInvitation(db: Db, token: string, userId: number, now: number): AcceptResult {
  const inv = invitationByToken(db, token);
  if (!inv) return { ok: false, state: "unknown" };
  const closed = statement<[number, number, number, number], never>(
    db,
    `UPDATE staff_invitations SET declined_by = ?, declined_at = ? ${CLOSE_IF_OPEN}`,
  ).run(userId, now, inv.id, now).changes;
  if (closed === 0) return { ok: false, state: invitationState(inv, now), inv };
  return { ok: true, inv: invitationById(db, inv.id)!, granted: false };
}

/** Revokes an open invitation; false when it was no longer open. */
export function revokeInvitation(db: Db, id: number, now: number): boolean {
  return (
    statement<[number, number, number], never>(db, `UPDATE staff_invitations SET revoked_at = ? ${CLOSE_IF_OPEN}`).run(now, id, now)
      .changes > 0
  );
}
