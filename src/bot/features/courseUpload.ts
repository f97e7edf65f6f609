/**
 * Courses uploaded through the chat (issue 9 item 4): an author sends a course file (.yaml), a
 * .zip with the course file and its quiz banks, or one bank file of a course they author. The
 * bot checks it exactly as COURSES_DIR is checked, lists every problem or summarises what changes,
 * and imports only after the author confirms (the pending upload is in the database, so the
 * button still works after a restart). /versions and rollback are in courseVersions.ts.
 *
 * Who may do what: an author of a course (or an admin) replaces it or one of its banks; a course
 * id that does not exist yet is created only by an admin.
 */
import { Composer, InlineKeyboard } from "grammy";
import { banksNamed, type BankRef } from "../../courses/courseBundles.js";
import { describeChanges, hasChanges } from "../../courses/courseChanges.js";
import {
  bundleOfCourseFile,
  bundleOfZip,
  MAX_UPLOAD_BYTES,
  trimBundle,
  uploadType,
  validateBundle,
  withFile,
  type BundleCheck,
  type UploadRefusal,
} from "../../courses/courseUpload.js";
import { currentSnapshot } from "../../courses/courseVersions.js";
import type { CourseIssue } from "../../courses/issues.js";
import type { LoadOptions } from "../../courses/loadCourses.js";
import { publishCourse } from "../../courses/publishCourse.js";
import type { CourseDefinition } from "../../courses/validate.js";
import { getCourse, getModules } from "../../db/coursesRepo.js";
import {
  activeEnrollmentCount,
  decideUpload,
  getUpload,
  latestVersion,
  savePendingUpload,
  versionBundle,
} from "../../db/courseVersionsRepo.js";
import type { UploadKind } from "../../db/schema/index.js";
import type { CourseBundle } from "../../domain/courseBundle.js";
import type { Translated } from "../../domain/course.js";
import { RULES } from "../../domain/rules.js";
import { uploadCancelButton, uploadConfirmButton } from "../../messages/callbackData.js";
import { courseTitle } from "../../messages/courseViews.js";
import { pickText } from "../../domain/course.js";
import { changeLines, issueLines, megabytes } from "../../messages/uploadViews.js";
import { allowedIn, coursesWithRole, isAdmin, isAuthor } from "../auth.js";
import type { BotContext } from "../context.js";
import { downloadFile } from "../fileDownload.js";
import { sendReport } from "../reportDelivery.js";
import { answerCallback, buttonValues, HTML, show } from "../ui.js";

export const courseUploadFeature = new Composer<BotContext>();
const pm = courseUploadFeature.chatType("private");

export const loadOptions = (ctx: BotContext): LoadOptions => ({ now: ctx.deps.clock.now(), defaultTimezone: ctx.deps.config.timezone });

pm.on("message:document", async (ctx, next) => {
  // Learners' documents (a question's attachment) go on to the other features.
  if (!isAuthor(ctx)) return next();
  const doc = ctx.message.document;
  const name = doc.file_name ?? "file";
  const type = uploadType(name);
  if (!type) {
    await ctx.reply(ctx.t("upload.unknown_type", { name }), HTML);
    return;
  }
  if (doc.file_size !== undefined && doc.file_size > MAX_UPLOAD_BYTES) {
    await ctx.reply(ctx.t("upload.too_big", { name, size: megabytes(doc.file_size), max: megabytes(MAX_UPLOAD_BYTES) }), HTML);
    return;
  }
  await ctx.replyWithChatAction("typing").catch(() => undefined);
  const download = await downloadFile(ctx, doc.file_id, MAX_UPLOAD_BYTES);
  if (!download.ok) {
    const key = download.reason === "too_big" ? "upload.too_big" : "upload.download_failed";
    await ctx.reply(ctx.t(key, { name, size: megabytes(doc.file_size ?? MAX_UPLOAD_BYTES + 1), max: megabytes(MAX_UPLOAD_BYTES) }), HTML);
    return;
  }
  if (type === "bank") {
    await bankUpload(ctx, name, download.bytes, ctx.message.caption ?? "");
    return;
  }
  let bundle: CourseBundle;
  if (type === "zip") {
    const zip = await bundleOfZip(download.bytes);
    if (!zip.ok) {
      await refuse(ctx, name, zip.refusal);
      return;
    }
    bundle = zip.bundle;
  } else {
    bundle = bundleOfCourseFile(name, download.bytes);
  }
  await courseUpload(ctx, name, bundle, "course", null);
});

async function refuse(ctx: BotContext, name: string, refusal: UploadRefusal): Promise<void> {
  const { code, ...params } = refusal;
  const shown = { ...params, ...("max" in params ? { max: megabytes(params.max) || params.max } : {}) };
  // The entry limit is a count, not bytes.
  if (code === "zip_too_many_entries") shown.max = refusal.max;
  await ctx.reply(ctx.t(`upload.refused.${code}`, { name, ...shown }), HTML);
}

/** The course id of a bundle whose file does not validate, for the permission check. */
function guessId(bundle: CourseBundle): string | undefined {
  const bytes = bundle.files[bundle.courseFile];
  if (!bytes) return undefined;
  return /^id:\s*["']?([\w-]+)/m.exec(Buffer.from(bytes).toString("utf8"))?.[1];
}

/** May this person replace the course (an author or admin), or create it (an admin)? Says no itself. */
async function mayPublish(ctx: BotContext, courseId: string): Promise<boolean> {
  if (getCourse(ctx.deps.db, courseId)) return allowedIn(ctx, courseId, "author");
  if (isAdmin(ctx)) return true;
  await ctx.reply(ctx.t("upload.new_course_admins_only", { id: courseId }), HTML);
  return false;
}

export async function reportIssues(ctx: BotContext, header: string, name: string, issues: readonly CourseIssue[]): Promise<void> {
  await sendReport(ctx, [header, "", ...issueLines(ctx.t, name, issues)], { filename: "course-check.txt", title: name });
}

/** Checks an upload's bundle, then either lists its problems or stores it and asks to confirm. */
async function courseUpload(
  ctx: BotContext,
  name: string,
  bundle: CourseBundle,
  kind: UploadKind,
  bank: (BankRef & { courseId: string }) | null,
): Promise<void> {
  const { db } = ctx.deps;
  if (!ctx.from) return;
  const check = validateBundle(db, bundle, loadOptions(ctx));
  const courseId = check.course?.id ?? guessId(bundle);
  if (courseId && !(await mayPublish(ctx, courseId))) return;
  const errors = check.issues.filter((i) => i.level === "error");
  if (!check.course) {
    // Issues name the course file as it is in the bundle (inside a .zip: its path there).
    await reportIssues(ctx, ctx.t("upload.invalid", { name, count: Math.max(errors.length, 1) }), bundle.courseFile, check.issues);
    return;
  }
  const def = check.course;
  const existing = getCourse(db, def.id);
  if (existing?.sourceHash === def.sourceHash) {
    await ctx.reply(ctx.t("upload.same_as_current", { name, title: courseTitle(existing, ctx.lang) }), HTML);
    return;
  }
  const uploadId = savePendingUpload(db, {
    userId: ctx.from.id,
    courseId: def.id,
    kind,
    fileName: name,
    bundle: trimBundle(bundle, check.unused),
    baseVersion: latestVersion(db, def.id)?.version ?? null,
    now: ctx.deps.clock.now(),
  });
  const header = bank
    ? ctx.t("upload.header_bank", {
        name,
        path: bank.path,
        module: bank.position + 1,
        language: bank.language,
        title: pickText(def.title, ctx.lang, def.languages),
        id: def.id,
      })
    : ctx.t(existing ? "upload.header_update" : "upload.header_new", {
        name,
        title: pickText(def.title, ctx.lang, def.languages),
        id: def.id,
      });
  const kb = new InlineKeyboard()
    .text(ctx.t("upload.confirm_button"), uploadConfirmButton.encode(uploadId))
    .text(ctx.t("upload.cancel_button"), uploadCancelButton.encode(uploadId));
  await ctx.reply(await summaryText(ctx, header, bundle.courseFile, def, check, ctx.t("upload.confirm")), { ...HTML, reply_markup: kb });
}

/**
 * The confirmation's text: what changes, how many learners it reaches, and the warnings. Warnings
 * that would not fit in one message beside the summary are sent first, as a file.
 */
export async function summaryText(
  ctx: BotContext,
  header: string,
  file: string,
  def: CourseDefinition,
  check: BundleCheck,
  question: string | null,
): Promise<string> {
  const { db } = ctx.deps;
  const before = currentSnapshot(db, def.id, loadOptions(ctx));
  const changes = describeChanges(before, def);
  const oldModules = getModules(db, def.id);
  const moduleTitle = (k: number): Translated | undefined => def.modules[k]?.title ?? oldModules[k]?.title;
  const lines = [
    header,
    "",
    ...changeLines(ctx.t, changes, { lang: ctx.lang, timezone: def.timezone, languages: def.languages, moduleTitle }),
  ];
  const enrolled = getCourse(db, def.id) ? activeEnrollmentCount(db, def.id) : 0;
  if (enrolled > 0 && hasChanges(changes)) lines.push("", ctx.t("upload.affected", { count: enrolled }));
  if (check.unused.length > 0) lines.push("", ctx.t("upload.unused", { files: check.unused.slice(0, 10).join(", ") }));
  if (check.issues.length > 0) {
    const notes = [ctx.t("upload.warnings", { count: check.issues.length }), ...issueLines(ctx.t, file, check.issues)];
    if (lines.join("\n").length + notes.join("\n").length + 300 <= RULES.telegramMaxMessageLength) lines.push("", ...notes);
    else {
      await sendReport(ctx, notes, { filename: "course-warnings.txt", title: def.id });
      lines.push("", ctx.t("upload.warnings_file"));
    }
  }
  if (question) lines.push("", question);
  return lines.join("\n");
}

/**
 * One bank file: it replaces the file of the same name that a course the person authors refers to.
 * A caption with a course id or the bank's path picks one when several banks share the name.
 */
async function bankUpload(ctx: BotContext, name: string, bytes: Buffer, caption: string): Promise<void> {
  const { db } = ctx.deps;
  const words = new Set(caption.split(/[\s,;]+/).filter(Boolean));
  const places: (BankRef & { courseId: string; bundle: CourseBundle })[] = [];
  for (const courseId of coursesWithRole(ctx, "author")) {
    const latest = latestVersion(db, courseId);
    if (!latest) continue;
    const bundle = versionBundle(db, courseId, latest.version);
    const file = getCourse(db, courseId)?.content as CourseDefinition["file"] | undefined;
    if (!bundle || !file) continue;
    for (const ref of banksNamed(file, name)) places.push({ ...ref, courseId, bundle });
  }
  // The same file may serve several languages or modules of one course: one place per path.
  const byPath = [...new Map(places.map((p) => [`${p.courseId}\u0000${p.path}`, p])).values()];
  const chosen = byPath.length > 1 ? byPath.filter((p) => words.has(p.courseId) || words.has(p.path)) : byPath;
  const narrowed = chosen.length > 1 ? chosen.filter((p) => words.has(p.path)) : chosen;
  if (byPath.length === 0) {
    await ctx.reply(ctx.t("upload.bank_no_match", { name }), HTML);
    return;
  }
  if (narrowed.length !== 1) {
    const list = byPath
      .map((p) => ctx.t("upload.bank_place", { id: p.courseId, path: p.path, interpolation: { escapeValue: false } }))
      .join("; ");
    await ctx.reply(ctx.t("upload.bank_ambiguous", { name, places: list }), HTML);
    return;
  }
  const place = narrowed[0]!;
  await courseUpload(ctx, name, withFile(place.bundle, place.path, bytes), "bank", place);
}

class AlreadyDecided extends Error {}

pm.callbackQuery(uploadConfirmButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, uploadConfirmButton);
  if (!values) return;
  const { db, clock } = ctx.deps;
  const upload = getUpload(db, values[0]);
  if (!upload || upload.userId !== ctx.from.id) {
    await answerCallback(ctx, ctx.t("errors.stale_button"), true);
    return;
  }
  if (upload.status !== "pending") {
    await answerCallback(ctx, ctx.t(decidedKey(upload.status)), true);
    return;
  }
  // Roles are checked again: a role removed since the summary takes effect on this tap.
  if (!getCourse(db, upload.courseId) && !isAdmin(ctx)) {
    await answerCallback(ctx, ctx.t("upload.new_course_admins_only", { id: upload.courseId }), true);
    return;
  }
  if (getCourse(db, upload.courseId) && !(await allowedIn(ctx, upload.courseId, "author"))) return;
  await answerCallback(ctx);
  const now = clock.now();
  const current = latestVersion(db, upload.courseId)?.version ?? null;
  if (current !== upload.baseVersion) {
    decideUpload(db, upload.id, "superseded", now);
    await show(ctx, ctx.t("upload.stale_base", { id: upload.courseId, version: current ?? 0 }));
    return;
  }
  // Checked again against today's rules and dates: the summary may be days old.
  const check = validateBundle(db, upload.bundle, loadOptions(ctx));
  if (!check.course || check.course.id !== upload.courseId) {
    decideUpload(db, upload.id, "cancelled", now);
    const errors = check.issues.filter((i) => i.level === "error").length;
    await reportIssues(
      ctx,
      ctx.t("upload.invalid", { name: upload.fileName, count: Math.max(errors, 1) }),
      upload.bundle.courseFile,
      check.issues,
    );
    return;
  }
  let version: number;
  try {
    version = publishCourse(
      db,
      check.course,
      upload.bundle,
      { origin: "upload", sourceFile: `upload:${upload.fileName}`, createdBy: ctx.from.id, now },
      () => {
        // A second tap that got here first: the transaction is rolled back, nothing imported twice.
        if (!decideUpload(db, upload.id, "applied", now)) throw new AlreadyDecided();
      },
    );
  } catch (err) {
    if (!(err instanceof AlreadyDecided)) throw err;
    await show(ctx, ctx.t("upload.already_applied"));
    return;
  }
  const course = getCourse(db, upload.courseId)!;
  ctx.log.info({ course: course.id, version, upload: upload.id }, "course uploaded through the chat");
  await show(ctx, ctx.t("upload.applied", { title: courseTitle(course, ctx.lang), version, id: course.id }));
});

pm.callbackQuery(uploadCancelButton.filter, async (ctx) => {
  const values = await buttonValues(ctx, uploadCancelButton);
  if (!values) return;
  const upload = getUpload(ctx.deps.db, values[0]);
  if (!upload || upload.userId !== ctx.from.id) {
    await answerCallback(ctx, ctx.t("errors.stale_button"), true);
    return;
  }
  await answerCallback(ctx);
  if (!decideUpload(ctx.deps.db, upload.id, "cancelled", ctx.deps.clock.now())) {
    await show(ctx, ctx.t(decidedKey(upload.status)));
    return;
  }
  await show(ctx, ctx.t("upload.cancelled"));
});

/** What a tap on an upload already decided says: imported, cancelled, or replaced by a newer upload. */
function decidedKey(status: string): string {
  return status === "applied" ? "upload.already_applied" : status === "cancelled" ? "upload.already_cancelled" : "upload.superseded";
}
