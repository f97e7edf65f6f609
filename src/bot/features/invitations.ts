/**
 * Invitations to a course team, Telegram-style: /invite gives an author (or admin) a one-time
 * link t.me/<bot>?start=inv-<token>; the person who opens it sees what is offered and accepts or
 * declines. The token is 16 random bytes (base64url, 22 characters), stored with its course,
 * role, creator and expiry; accepting uses it and grants the role in one transaction.
 * /invites lists the open ones with a Revoke button each.
 */
import { randomBytes } from "node:crypto";
import { Composer, InlineKeyboard } from "grammy";
import { DAY } from "../../clock.js";
import { getCourse } from "../../db/coursesRepo.js";
import {
  acceptInvitation,
  createInvitation,
  declineInvitation,
  invitationById,
  invitationByToken,
  invitationState,
  openInvitations,
  revokeInvitation,
  type AcceptResult,
} from "../../db/invitationsRepo.js";
import { getLearner } from "../../db/learnersRepo.js";
import { enqueue } from "../../db/outboxRepo.js";
import type { Course, StaffInvitation } from "../../db/schema/index.js";
import { isStaffRole, type StaffRole } from "../../domain/roles.js";
import { shorten } from "../../domain/text.js";
import {
  inviteAcceptButton,
  inviteCourseButton,
  inviteDeclineButton,
  inviteRevokeButton,
  inviteRoleButton,
  invitesCourseButton,
} from "../../messages/callbackData.js";
import { courseTitle } from "../../messages/courseViews.js";
import { formatDateTime } from "../../messages/format.js";
import { translator } from "../../messages/i18n.js";
import { allowedIn, coursesWithRole, requireAuthor } from "../auth.js";
import type { BotContext } from "../context.js";
import { pickCourse } from "../coursePicker.js";
import { answerCallback, buttonValues, HTML, show } from "../ui.js";
import { personName, roleName, staffChanged } from "./staff.js";

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 7 * DAY;
/** The deep-link payload prefix (start.ts dispatches payloads by prefix). */
export const INVITATION_PAYLOAD_PREFIX = "inv-";

export const invitationsFeature = new Composer<BotContext>();
const pm = invitationsFeature.chatType("private");

export function newInvitationToken(): string {
  return randomBytes(16).toString("base64url");
}

const when = (ctx: BotContext, ms: number) => formatDateTime(ms, ctx.lang, ctx.deps.config.timezone);

function inviteLink(ctx: BotContext, inv: StaffInvitation): string {
  return `https://t.me/${ctx.me.username}?start=${INVITATION_PAYLOAD_PREFIX}${inv.token}`;
}

async function createAndShow(ctx: BotContext, course: Course, role: StaffRole): Promise<void> {
  const now = ctx.deps.clock.now();
  const inv = createInvitation(ctx.deps.db, {
    token: newInvitationToken(),
    courseId: course.id,
    role,
    createdBy: ctx.from!.id,
    now,
    expiresAt: now + INVITATION_TTL_MS,
  });
  ctx.log.info({ course: course.id, role, invitation: inv.id }, "invitation created");
  const text = ctx.t("invite.created", {
    role: roleName(ctx, role),
    title: courseTitle(course, ctx.lang),
    until: when(ctx, inv.expiresAt),
    url: inviteLink(ctx, inv),
    id: course.id,
  });
  await show(ctx, text);
}

async function askRole(ctx: BotContext, course: Course): Promise<void> {
  const kb = new InlineKeyboard()
    .text(ctx.t("invite.button_author"), inviteRoleButton.encode(course.id, "author"))
    .text(ctx.t("invite.button_assistant"), inviteRoleButton.encode(course.id, "assistant"));
  await show(ctx, ctx.t("invite.choose_role", { title: courseTitle(course, ctx.lang) }), kb);
}

/** /invite [course] [author|assistant]: the missing parts are asked with buttons. */
pm.command("invite", requireAuthor, async (ctx) => {
  const [id, role, ...rest] = ctx.match.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (rest.length > 0 || (role !== undefined && !isStaffRole(role))) {
    await ctx.reply(ctx.t("invite.usage"), HTML);
    return;
  }
  if (!id) {
    await pickCourse(ctx, coursesWithRole(ctx), inviteCourseButton, "invite.choose_course", "invite.no_courses");
    return;
  }
  if (!(await allowedIn(ctx, id))) return;
  const course = getCourse(ctx.deps.db, id);
  if (!course) {
    await ctx.reply(ctx.t("staff.unknown_course", { id: shorten(id, 64) }), HTML);
    return;
  }
  if (role === undefined) await askRole(ctx, course);
  else await createAndShow(ctx, course, role);
});

pm.callbackQuery(inviteCourseButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, inviteCourseButton);
  if (!values || !(await allowedIn(ctx, values[0]))) return;
  const course = getCourse(ctx.deps.db, values[0]);
  if (!course) return answerCallback(ctx, ctx.t("errors.course_gone"), true);
  await answerCallback(ctx);
  await askRole(ctx, course);
});

pm.callbackQuery(inviteRoleButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, inviteRoleButton);
  if (!values || !(await allowedIn(ctx, values[0]))) return;
  const course = getCourse(ctx.deps.db, values[0]);
  if (!course) return answerCallback(ctx, ctx.t("errors.course_gone"), true);
  await answerCallback(ctx);
  await createAndShow(ctx, course, values[1]);
});

// ---- the invited person ----

function stateText(ctx: BotContext, result: Extract<AcceptResult, { ok: false }>): string {
  const inv = result.inv;
  if (!inv) return ctx.t("invite.state_unknown");
  const course = getCourse(ctx.deps.db, inv.courseId);
  const vars = {
    role: roleName(ctx, inv.role),
    title: course ? courseTitle(course, ctx.lang) : inv.courseId,
    when: when(ctx, inv.expiresAt),
  };
  if (result.state === "used" && inv.usedBy === ctx.from?.id) return ctx.t("invite.state_used_by_you", vars);
  return ctx.t(`invite.state_${result.state}`, vars);
}

/** t.me/<bot>?start=inv-<token>: what is offered, with Accept and Decline (nothing changes before a tap). */
export async function showInvitation(ctx: BotContext, token: string): Promise<void> {
  const inv = /^[\w-]{22}$/.test(token) ? invitationByToken(ctx.deps.db, token) : undefined;
  const now = ctx.deps.clock.now();
  const state = inv ? invitationState(inv, now) : "unknown";
  if (!inv || state !== "open") {
    await ctx.reply(stateText(ctx, { ok: false, state, inv }), HTML);
    return;
  }
  const course = getCourse(ctx.deps.db, inv.courseId);
  if (!course) {
    await ctx.reply(ctx.t("errors.course_gone"), HTML);
    return;
  }
  const kb = new InlineKeyboard()
    .text(ctx.t("invite.accept_button"), inviteAcceptButton.encode(inv.token))
    .text(ctx.t("invite.decline_button"), inviteDeclineButton.encode(inv.token));
  const text = ctx.t("invite.offer", {
    inviter: personName(ctx, inv.createdBy),
    role: roleName(ctx, inv.role),
    title: courseTitle(course, ctx.lang),
    until: when(ctx, inv.expiresAt),
  });
  await ctx.reply(text, { ...HTML, reply_markup: kb });
}

/** Tells the invitation's creator, through the outbox, in their own language. */
function tellCreator(ctx: BotContext, inv: StaffInvitation, key: "invite.notify_accepted" | "invite.notify_declined"): void {
  const { db, clock, config } = ctx.deps;
  const lang = getLearner(db, inv.createdBy)?.language ?? config.defaultLocale;
  const t = translator(lang);
  const course = getCourse(db, inv.courseId);
  const text = t(key, {
    name: personName(ctx, ctx.from!.id),
    role: t(`staff.role_${inv.role}`),
    title: course ? courseTitle(course, lang) : inv.courseId,
  });
  enqueue(
    db,
    {
      dedupeKey: `invitation:${inv.id}:answer`,
      chatId: inv.createdBy,
      kind: "invitation",
      method: "sendMessage",
      payload: { text, ...HTML },
    },
    clock.now(),
  );
  ctx.deps.kickOutbox?.();
}

pm.callbackQuery(inviteAcceptButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, inviteAcceptButton);
  if (!values) return;
  const result = acceptInvitation(ctx.deps.db, values[0], ctx.from.id, ctx.deps.clock.now());
  if (!result.ok) {
    await answerCallback(ctx);
    await show(ctx, stateText(ctx, result));
    return;
  }
  const { inv } = result;
  ctx.log.info({ course: inv.courseId, role: inv.role, invitation: inv.id }, "invitation accepted");
  const course = getCourse(ctx.deps.db, inv.courseId);
  await answerCallback(ctx);
  await show(
    ctx,
    ctx.t(`invite.accepted_${inv.role}`, { role: roleName(ctx, inv.role), title: course ? courseTitle(course, ctx.lang) : inv.courseId }),
  );
  staffChanged(ctx, ctx.from.id);
  if (inv.createdBy !== ctx.from.id) tellCreator(ctx, inv, "invite.notify_accepted");
});

pm.callbackQuery(inviteDeclineButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, inviteDeclineButton);
  if (!values) return;
  const result = declineInvitation(ctx.deps.db, values[0], ctx.from.id, ctx.deps.clock.now());
  await answerCallback(ctx);
  if (!result.ok) {
    await show(ctx, stateText(ctx, result));
    return;
  }
  await show(ctx, ctx.t("invite.declined"));
  if (result.inv.createdBy !== ctx.from.id) tellCreator(ctx, result.inv, "invite.notify_declined");
});

// ---- /invites: the open ones, with Revoke ----

async function showOpen(ctx: BotContext, course: Course): Promise<void> {
  const open = openInvitations(ctx.deps.db, course.id, ctx.deps.clock.now());
  const title = courseTitle(course, ctx.lang);
  if (open.length === 0) {
    await show(ctx, ctx.t("invites.none", { title, id: course.id }));
    return;
  }
  const kb = new InlineKeyboard();
  const lines = [ctx.t("invites.header", { title, count: open.length }), ""];
  open.forEach((inv, i) => {
    lines.push(
      ctx.t("invites.line", {
        n: i + 1,
        role: roleName(ctx, inv.role),
        by: personName(ctx, inv.createdBy),
        until: when(ctx, inv.expiresAt),
      }),
    );
    kb.text(ctx.t("invites.revoke_button", { n: i + 1, role: roleName(ctx, inv.role) }), inviteRevokeButton.encode(inv.id)).row();
  });
  await show(ctx, lines.join("\n"), kb);
}

pm.command("invites", requireAuthor, async (ctx) => {
  const id = ctx.match.trim().toLowerCase();
  if (!id) {
    await pickCourse(ctx, coursesWithRole(ctx), invitesCourseButton, "invites.choose_course", "invite.no_courses");
    return;
  }
  if (!(await allowedIn(ctx, id))) return;
  const course = getCourse(ctx.deps.db, id);
  if (!course) await ctx.reply(ctx.t("staff.unknown_course", { id: shorten(id, 64) }), HTML);
  else await showOpen(ctx, course);
});

pm.callbackQuery(invitesCourseButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, invitesCourseButton);
  if (!values || !(await allowedIn(ctx, values[0]))) return;
  const course = getCourse(ctx.deps.db, values[0]);
  if (!course) return answerCallback(ctx, ctx.t("errors.course_gone"), true);
  await answerCallback(ctx);
  await showOpen(ctx, course);
});

pm.callbackQuery(inviteRevokeButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, inviteRevokeButton);
  if (!values) return;
  const inv = invitationById(ctx.deps.db, values[0]);
  if (!inv) return answerCallback(ctx, ctx.t("errors.stale_button"), true);
  if (!(await allowedIn(ctx, inv.courseId))) return;
  const revoked = revokeInvitation(ctx.deps.db, inv.id, ctx.deps.clock.now());
  if (revoked) ctx.log.info({ course: inv.courseId, invitation: inv.id }, "invitation revoked");
  await answerCallback(ctx, ctx.t(revoked ? "invites.revoked" : "invites.not_open"));
  const course = getCourse(ctx.deps.db, inv.courseId);
  if (course) await showOpen(ctx, course);
});
