/**
 * A course's versions (every import, from an upload, the folder or a rollback): /versions lists
 * the last ten, and a rollback shows what it would change, asks to confirm and is saved as a new
 * version. Only the course's authors (and admins) see or restore them.
 */
import { Composer, InlineKeyboard } from "grammy";
import { validateBundle, type BundleCheck } from "../../courses/courseUpload.js";
import { publishCourse } from "../../courses/publishCourse.js";
import type { CourseDefinition } from "../../courses/validate.js";
import { getCourse } from "../../db/coursesRepo.js";
import { courseVersion, latestVersion, listVersions, versionBundle } from "../../db/courseVersionsRepo.js";
import { pickText } from "../../domain/course.js";
import { shorten } from "../../domain/text.js";
import type { CourseBundle } from "../../domain/courseBundle.js";
import { teamNames } from "../../reports/courseReport.js";
import { rollbackButton, rollbackConfirmButton, versionsCourseButton } from "../../messages/callbackData.js";
import { courseTitle } from "../../messages/courseViews.js";
import { formatDateTime } from "../../messages/format.js";
import { versionLine } from "../../messages/uploadViews.js";
import { allowedIn, coursesWithRole, isAuthor } from "../auth.js";
import { pickCourse } from "../coursePicker.js";
import type { BotContext } from "../context.js";
import { answerCallback, buttonValues, HTML, show } from "../ui.js";
import { loadOptions, reportIssues, summaryText } from "./courseUpload.js";

export const courseVersionsFeature = new Composer<BotContext>();
const pm = courseVersionsFeature.chatType("private");

pm.command("versions", async (ctx) => {
  if (!isAuthor(ctx)) {
    await ctx.reply(ctx.t("errors.authors_only"), HTML);
    return;
  }
  const id = ctx.match.trim().toLowerCase();
  if (id) {
    if (!getCourse(ctx.deps.db, id) && !latestVersion(ctx.deps.db, id)) {
      await ctx.reply(ctx.t("versions.unknown_course", { id: shorten(id, 64) }), HTML);
      return;
    }
    if (!(await allowedIn(ctx, id, "author"))) return;
    await showVersions(ctx, id);
    return;
  }
  const ids = coursesWithRole(ctx, "author");
  if (ids.length === 1) {
    await showVersions(ctx, ids[0]!);
    return;
  }
  await pickCourse(ctx, ids, versionsCourseButton, "versions.choose", "versions.no_courses");
});

async function showVersions(ctx: BotContext, courseId: string): Promise<void> {
  const { db, config } = ctx.deps;
  const course = getCourse(db, courseId);
  const title = course ? courseTitle(course, ctx.lang) : courseId;
  const versions = listVersions(db, courseId, 10);
  if (versions.length === 0) {
    await show(ctx, ctx.t("versions.none", { title }));
    return;
  }
  const newest = versions[0]!;
  const names = new Map<number, string>();
  for (const v of versions) if (v.createdBy !== null && !names.has(v.createdBy)) names.set(v.createdBy, teamNames(db, [v.createdBy])[0]!);
  const who = (by: number | null) => (by === null ? ctx.t("versions.who_server") : names.get(by)!);
  const lines = versions.map((v) => versionLine(ctx.t, v, v.version === newest.version, ctx.lang, config.timezone, who(v.createdBy)));
  const kb = new InlineKeyboard();
  for (const v of versions.slice(1))
    kb.text(ctx.t("versions.rollback_button", { version: v.version }), rollbackButton.encode(courseId, v.version)).row();
  await show(ctx, [ctx.t("versions.header", { title, id: courseId }), "", ...lines].join("\n"), kb);
}

pm.callbackQuery(versionsCourseButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, versionsCourseButton);
  if (!values || !(await allowedIn(ctx, values[0], "author"))) return;
  await answerCallback(ctx);
  await showVersions(ctx, values[0]);
});

interface Restorable {
  def: CourseDefinition;
  bundle: CourseBundle;
  check: BundleCheck;
}

/** A stored version, checked again as it would be imported today; null after saying why not. */
async function restorable(ctx: BotContext, courseId: string, version: number): Promise<Restorable | null> {
  const { db } = ctx.deps;
  const bundle = versionBundle(db, courseId, version);
  if (!bundle) {
    await show(ctx, ctx.t("versions.version_gone", { version, id: courseId }));
    return null;
  }
  const check = validateBundle(db, bundle, loadOptions(ctx));
  if (!check.course || check.course.id !== courseId) {
    await reportIssues(ctx, ctx.t("versions.version_invalid", { version, id: courseId }), bundle.courseFile, check.issues);
    return null;
  }
  if (getCourse(db, courseId)?.sourceHash === check.course.sourceHash) {
    await show(ctx, ctx.t("versions.already_current", { version }));
    return null;
  }
  return { def: check.course, bundle, check };
}

/** The version a rollback button names, for its course's authors, if it can be restored; null after saying why not. */
async function pressedVersion(
  ctx: BotContext,
  // Both rollback buttons carry (course, version): one codec type.
  codec: typeof rollbackButton,
): Promise<{ courseId: string; version: number; target: Restorable } | null> {
  const values = await buttonValues(ctx, codec);
  if (!values) return null;
  const [courseId, version] = values;
  if (!(await allowedIn(ctx, courseId, "author"))) return null;
  await answerCallback(ctx);
  const target = await restorable(ctx, courseId, version);
  return target ? { courseId, version, target } : null;
}

pm.callbackQuery(rollbackButton.filter, async (ctx) => {
  const pressed = await pressedVersion(ctx, rollbackButton);
  if (!pressed) return;
  const { courseId, version, target } = pressed;
  const v = courseVersion(ctx.deps.db, courseId, version)!;
  const title = ctx.t("versions.rollback_confirm", {
    title: pickText(target.def.title, ctx.lang, target.def.languages),
    version,
    when: formatDateTime(v.createdAt, ctx.lang, ctx.deps.config.timezone),
  });
  const kb = new InlineKeyboard()
    .text(ctx.t("versions.rollback_yes"), rollbackConfirmButton.encode(courseId, version))
    .text(ctx.t("versions.rollback_no"), versionsCourseButton.encode(courseId));
  await show(ctx, await summaryText(ctx, title, target.bundle.courseFile, target.def, { ...target.check, unused: [] }, null), kb);
});

pm.callbackQuery(rollbackConfirmButton.filter, async (ctx) => {
  const pressed = await pressedVersion(ctx, rollbackConfirmButton);
  if (!pressed) return;
  const { courseId, version, target } = pressed;
  const now = ctx.deps.clock.now();
  const next = publishCourse(ctx.deps.db, target.def, target.bundle, {
    origin: "rollback",
    sourceFile: `rollback:v${version}`,
    createdBy: ctx.from.id,
    now,
    restoredFrom: version,
  });
  const course = getCourse(ctx.deps.db, courseId)!;
  ctx.log.info({ course: courseId, version: next, from: version }, "course rolled back");
  await show(ctx, ctx.t("versions.rolled_back", { title: courseTitle(course, ctx.lang), version: next, from: version }));
});
