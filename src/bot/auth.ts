import type { NextFunction } from "grammy";
import type { StaffRole } from "../domain/roles.js";
import { courseIdsWithRole, hasCourseRole, hasRoleAnywhere, isAdmin as isAdminId } from "../db/staffRepo.js";
import type { BotContext } from "./context.js";
import { HTML } from "./ui.js";

/** A platform admin (ADMIN_IDS): every course, staff management, /reload. */
export function isAdmin(ctx: BotContext): boolean {
  return ctx.from !== undefined && isAdminId(ctx.deps.config, ctx.from.id);
}

/** An author of at least one course (or an admin): who sees the author commands at all. */
export function isAuthor(ctx: BotContext): boolean {
  return ctx.from !== undefined && hasRoleAnywhere(ctx.deps.db, ctx.deps.config, ctx.from.id, "author");
}

/** Whether the person holds `role` in this very course (admins hold every role). */
export function hasRoleIn(ctx: BotContext, courseId: string, role: StaffRole = "author"): boolean {
  return ctx.from !== undefined && hasCourseRole(ctx.deps.db, ctx.deps.config, ctx.from.id, courseId, role);
}

/** The courses the person may act on with `role`: what author pickers offer. */
export function coursesWithRole(ctx: BotContext, role: StaffRole = "author"): string[] {
  return ctx.from === undefined ? [] : courseIdsWithRole(ctx.deps.db, ctx.deps.config, ctx.from.id, role);
}

async function refuse(ctx: BotContext, key: string): Promise<void> {
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t(key), show_alert: true });
  else await ctx.reply(ctx.t(key), HTML);
}

/** Guards author-only commands: people who author no course are told plainly, nothing else happens. */
export async function requireAuthor(ctx: BotContext, next: NextFunction): Promise<void> {
  if (isAuthor(ctx)) return next();
  await refuse(ctx, "errors.authors_only");
}

/** Guards admin-only commands (staff management, /reload). */
export async function requireAdmin(ctx: BotContext, next: NextFunction): Promise<void> {
  if (isAdmin(ctx)) return next();
  await refuse(ctx, "errors.admins_only");
}

/**
 * The check every author command and button makes for the course it acts on, also for old
 * buttons and forged callback data: false (after telling the person) when they hold no such role there.
 */
export async function allowedIn(ctx: BotContext, courseId: string, role: StaffRole = "author"): Promise<boolean> {
  if (hasRoleIn(ctx, courseId, role)) return true;
  await refuse(ctx, role === "author" ? "errors.not_course_author" : "errors.not_course_assistant");
  return false;
}
