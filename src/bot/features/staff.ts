/**
 * Course teams for platform admins: /staff [course] lists a course's authors and assistants with
 * a remove button each, /grant and /revoke change them by user id. Every author or assistant
 * check reads course_staff on each update, so a removal applies from the person's next tap.
 */
import { Composer, InlineKeyboard } from "grammy";
import { getCourse } from "../../db/coursesRepo.js";
import type { Course } from "../../db/schema/index.js";
import { courseStaff, grantCourseRole, revokeCourseRole } from "../../db/staffRepo.js";
import { isStaffRole, type StaffRole } from "../../domain/roles.js";
import { shorten } from "../../domain/text.js";
import { staffCourseButton, staffRemoveButton } from "../../messages/callbackData.js";
import { courseTitle } from "../../messages/courseViews.js";
import { teamNames } from "../../reports/courseReport.js";
import { allowedIn, coursesWithRole, isAdmin, requireAdmin } from "../auth.js";
import type { BotContext } from "../context.js";
import { pickCourse } from "../coursePicker.js";
import { syncStaffMenuSoon } from "../staffMenus.js";
import { answerCallback, buttonValues, HTML, show } from "../ui.js";

export const staffFeature = new Composer<BotContext>();
const pm = staffFeature.chatType("private");

export function personName(ctx: BotContext, userId: number): string {
  return teamNames(ctx.deps.db, [userId])[0]!;
}

export function roleName(ctx: BotContext, role: StaffRole): string {
  return ctx.t(`staff.role_${role}`);
}

/** After a grant or removal: that person's "/" menu follows, in the background. */
export function staffChanged(ctx: BotContext, userId: number): void {
  const { db, config, clock } = ctx.deps;
  syncStaffMenuSoon(ctx.api, db, config, userId, () => clock.now());
}

function teamScreen(ctx: BotContext, course: Course): { text: string; kb: InlineKeyboard } {
  const staff = courseStaff(ctx.deps.db, course.id);
  const kb = new InlineKeyboard();
  const lines = [ctx.t("staff.header", { title: courseTitle(course, ctx.lang), id: course.id }), ""];
  for (const role of ["author", "assistant"] as const) {
    const members = staff.filter((m) => m.role === role);
    lines.push(ctx.t(`staff.list_${role}`, { count: members.length }));
    if (members.length === 0) lines.push(ctx.t("staff.nobody"));
    for (const m of members) {
      const name = personName(ctx, m.userId);
      lines.push(ctx.t("staff.member", { name, id: m.userId }));
      if (isAdmin(ctx))
        kb.text(
          shorten(ctx.t("staff.remove_button", { name, role: roleName(ctx, role) }), 60),
          staffRemoveButton.encode(course.id, role, m.userId),
        ).row();
    }
    lines.push("");
  }
  lines.push(ctx.t("staff.admins_note"), ctx.t(isAdmin(ctx) ? "staff.hint_admin" : "staff.hint_author", { id: course.id }));
  return { text: lines.join("\n"), kb };
}

async function showTeam(ctx: BotContext, courseId: string): Promise<void> {
  const course = getCourse(ctx.deps.db, courseId);
  if (!course) {
    await ctx.reply(ctx.t("staff.unknown_course", { id: shorten(courseId, 64) }), HTML);
    return;
  }
  const { text, kb } = teamScreen(ctx, course);
  await show(ctx, text, kb);
}

/** /staff [course]: admins see every course's team; an author sees (without remove buttons) their own courses' teams. */
pm.command("staff", async (ctx) => {
  const id = ctx.match.trim().toLowerCase();
  if (!id) {
    const ids = coursesWithRole(ctx);
    if (ids.length === 0 && !isAdmin(ctx)) {
      await ctx.reply(ctx.t("errors.authors_only"), HTML);
      return;
    }
    await pickCourse(ctx, ids, staffCourseButton, "staff.choose_course", "staff.no_courses");
    return;
  }
  if (!(await allowedIn(ctx, id))) return;
  await showTeam(ctx, id);
});

pm.callbackQuery(staffCourseButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, staffCourseButton);
  if (!values || !(await allowedIn(ctx, values[0]))) return;
  await answerCallback(ctx);
  await showTeam(ctx, values[0]);
});

pm.callbackQuery(staffRemoveButton.filter, requireAdmin, async (ctx) => {
  const values = await buttonValues(ctx, staffRemoveButton);
  if (!values) return;
  const [courseId, role, userId] = values;
  const removed = revokeCourseRole(ctx.deps.db, courseId, userId, role);
  const course = getCourse(ctx.deps.db, courseId);
  const vars = { name: personName(ctx, userId), role: roleName(ctx, role), title: course ? courseTitle(course, ctx.lang) : courseId };
  await answerCallback(ctx, ctx.t(removed ? "staff.revoked_toast" : "staff.not_held", vars));
  if (removed) staffChanged(ctx, userId);
  if (course) await showTeam(ctx, courseId);
});

/** `<course> author|assistant <user id>`, or null (the caller answers with the usage line). */
function parseStaffArgs(text: string): { courseId: string; role: StaffRole; userId: number } | null {
  const [courseId, role, user, ...rest] = text.trim().split(/\s+/);
  if (!courseId || !role || !user || rest.length > 0) return null;
  const r = role.toLowerCase();
  if (!isStaffRole(r) || !/^\d{1,16}$/.test(user)) return null;
  return { courseId: courseId.toLowerCase(), role: r, userId: Number(user) };
}

pm.command("grant", requireAdmin, async (ctx) => {
  const args = parseStaffArgs(ctx.match);
  if (!args) {
    await ctx.reply(ctx.t("staff.usage_grant"), HTML);
    return;
  }
  const course = getCourse(ctx.deps.db, args.courseId);
  if (!course) {
    await ctx.reply(ctx.t("staff.unknown_course", { id: shorten(args.courseId, 64) }), HTML);
    return;
  }
  const added = grantCourseRole(ctx.deps.db, { ...args, grantedBy: ctx.from.id, now: new Date(ctx.deps.clock.now()) });
  const vars = { name: personName(ctx, args.userId), role: roleName(ctx, args.role), title: courseTitle(course, ctx.lang) };
  await ctx.reply(ctx.t(added ? "staff.granted" : "staff.already", vars), HTML);
  if (added) staffChanged(ctx, args.userId);
});

pm.command("revoke", requireAdmin, async (ctx) => {
  const args = parseStaffArgs(ctx.match);
  if (!args) {
    await ctx.reply(ctx.t("staff.usage_revoke"), HTML);
    return;
  }
  const course = getCourse(ctx.deps.db, args.courseId);
  const removed = revokeCourseRole(ctx.deps.db, args.courseId, args.userId, args.role);
  const vars = {
    name: personName(ctx, args.userId),
    role: roleName(ctx, args.role),
    title: course ? courseTitle(course, ctx.lang) : args.courseId,
  };
  await ctx.reply(ctx.t(removed ? "staff.revoked" : "staff.not_held", vars), HTML);
  if (removed) staffChanged(ctx, args.userId);
});
