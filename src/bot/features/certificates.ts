/**
 * Certificates in the chat (issue 10 item 2): the learner's name confirmation, /certificates,
 * /verify and the verify deep link, and the authors' /certificates_admin and /revoke_certificate.
 * Issuing itself is in reports/certificates.ts (shared with the certificates job).
 */
import { Composer, InlineKeyboard, InputFile } from "grammy";
import {
  certificateByCode,
  certificateById,
  certificateCounts,
  certificateFor,
  certificateName,
  confirmNameDraft,
  courseCertificates,
  fillCertificateName,
  learnerCertificates,
  markCertificateSent,
  revokeCertificate,
  setNameDraft,
  startAskingName,
  unsentCertificates,
  type CertificateRow,
} from "../../db/certificatesRepo.js";
import { getCourse } from "../../db/coursesRepo.js";
import { getLearner } from "../../db/learnersRepo.js";
import type { Course } from "../../db/schema/index.js";
import { checkFullName, formatCode, NAME_LIMITS, parseCode } from "../../domain/certificate.js";
import { toCsv } from "../../domain/csv.js";
import { RULES } from "../../domain/rules.js";
import { shorten } from "../../domain/text.js";
import { certAdminCourse, certName, certReissue, certRevoke } from "../../messages/callbackData.js";
import { courseTitle } from "../../messages/courseViews.js";
import { formatDate, formatNumber } from "../../messages/format.js";
import { escapeHtml, translator } from "../../messages/i18n.js";
import { deliverCertificates, issueIfDue, reissueCertificate, sendCertificateDocument } from "../../reports/certificates.js";
import { allowedIn, coursesWithRole, requireAuthor } from "../auth.js";
import type { BotContext } from "../context.js";
import { answerCallback, buttonValues, HTML, show } from "../ui.js";

export const certificatesFeature = new Composer<BotContext>();
const pm = certificatesFeature.chatType("private");

const titleOf = (ctx: BotContext, course: Course | undefined, fallback: string) =>
  escapeHtml(course ? courseTitle(course, ctx.lang) : fallback);

// --- The name printed on certificates -------------------------------------------------------

function confirmKeyboard(ctx: BotContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t("certificates.yes_button"), certName.encode("yes"))
    .text(ctx.t("certificates.change_button"), certName.encode("change"));
}

/** Delivers whatever is issued and now deliverable for this learner (after their "Yes", or /certificates). */
async function deliverOwn(ctx: BotContext): Promise<void> {
  const { db, clock } = ctx.deps;
  await deliverCertificates(ctx.api, db, unsentCertificates(db, 20, ctx.from!.id), ctx.me.username, clock.now());
}

/**
 * The quiz hook (at_threshold courses): called when a learner's attempt has finished. Issues the
 * certificate if this attempt took them to the threshold, then asks the name or sends it.
 */
export async function certificateAfterAttempt(ctx: BotContext, courseId: string): Promise<void> {
  const { db, clock } = ctx.deps;
  if (!issueIfDue(db, ctx.from!.id, courseId, clock.now())) return;
  await deliverOwn(ctx);
}

// Typed text while the bot waits for the name: a new draft (also when a Yes/Change button was expected:
// typing the name again is the natural way to correct it).
pm.on("message:text", async (ctx, next) => {
  const { db, clock } = ctx.deps;
  if (ctx.message.text.startsWith("/")) return next();
  const state = certificateName(db, ctx.from.id);
  if (!state || state.state === "confirmed") return next();
  const checked = checkFullName(ctx.message.text);
  if (!checked.ok) {
    await ctx.reply(ctx.t(`certificates.name_invalid.${checked.problem}`, { max: NAME_LIMITS.max }), HTML);
    return;
  }
  setNameDraft(db, ctx.from.id, checked.name, clock.now());
  await ctx.reply(ctx.t("certificates.confirm_name", { name: escapeHtml(checked.name) }), { ...HTML, reply_markup: confirmKeyboard(ctx) });
});

pm.callbackQuery(certName.filter, async (ctx) => {
  const values = await buttonValues(ctx, certName);
  if (!values) return;
  const { db, clock } = ctx.deps;
  const now = clock.now();
  const state = certificateName(db, ctx.from.id);
  if (state?.state !== "confirming") {
    await answerCallback(ctx, ctx.t("errors.stale_button"), true);
    return;
  }
  await answerCallback(ctx);
  if (values[0] === "change") {
    startAskingName(db, ctx.from.id, now);
    await show(ctx, ctx.t("certificates.change_prompt"));
    return;
  }
  const name = confirmNameDraft(db, ctx.from.id, now);
  if (!name) return;
  await show(ctx, ctx.t("certificates.name_confirmed", { name: escapeHtml(name) }));
  await deliverOwn(ctx);
});

// --- /certificates ----------------------------------------------------------------------------

pm.command("certificates", async (ctx) => {
  const { db, clock } = ctx.deps;
  const now = clock.now();
  const mine = learnerCertificates(db, ctx.from.id);
  if (mine.length === 0) {
    await ctx.reply(ctx.t("certificates.none", { threshold: RULES.progress.certificate }), HTML);
    return;
  }
  const name = certificateName(db, ctx.from.id);
  for (const cert of mine) {
    const title = titleOf(ctx, getCourse(db, cert.courseId), cert.courseId);
    let named: CertificateRow = cert;
    if (cert.fullName === null) {
      if (name?.state === "confirmed" && name.name) {
        fillCertificateName(db, cert.id, name.name);
        named = { ...cert, fullName: name.name };
      } else {
        await ctx.reply(ctx.t("certificates.waiting_name", { title }), HTML);
        if (name?.state === "confirming" && name.draft) {
          await ctx.reply(ctx.t("certificates.confirm_name", { name: escapeHtml(name.draft) }), {
            ...HTML,
            reply_markup: confirmKeyboard(ctx),
          });
        } else {
          if (!name) startAskingName(db, ctx.from.id, now);
          await ctx.reply(ctx.t("certificates.ask_name"), HTML);
        }
        return;
      }
    }
    const fileId = await sendCertificateDocument(ctx.api, db, named, ctx.lang, ctx.me.username);
    if (named.sentAt === null) markCertificateSent(db, named.id, fileId, ctx.lang, now);
  }
});

// --- Verification: /verify CODE and t.me/<bot>?start=verify-CODE ------------------------------

/** Answers whether a code is a valid, revoked or unknown certificate; `raw` is what the person typed or the link carried. */
export async function replyVerification(ctx: BotContext, raw: string): Promise<void> {
  const text = raw.trim();
  if (!text) {
    await ctx.reply(ctx.t("certificates.verify.usage"), HTML);
    return;
  }
  const code = parseCode(text);
  if (!code) {
    await ctx.reply(ctx.t("certificates.verify.malformed", { code: escapeHtml(shorten(text, 40)) }), HTML);
    return;
  }
  const cert = certificateByCode(ctx.deps.db, code);
  const shown = formatCode(code);
  // A row still waiting for its name has not been handed to anyone yet: it does not verify.
  if (!cert || cert.fullName === null) {
    await ctx.reply(ctx.t("certificates.verify.unknown", { code: shown }), HTML);
    return;
  }
  const course = getCourse(ctx.deps.db, cert.courseId);
  const tz = course?.timezone ?? "Asia/Almaty";
  const facts = { code: shown, name: escapeHtml(cert.fullName), title: titleOf(ctx, course, cert.courseId) };
  if (cert.revokedAt !== null) {
    await ctx.reply(ctx.t("certificates.verify.revoked", { ...facts, date: formatDate(cert.revokedAt, ctx.lang, tz) }), HTML);
    return;
  }
  await ctx.reply(
    ctx.t("certificates.verify.valid", {
      ...facts,
      date: formatDate(cert.issuedAt, ctx.lang, tz),
      score: formatNumber(cert.score, ctx.lang),
    }),
    HTML,
  );
}

certificatesFeature.command("verify", async (ctx) => {
  await replyVerification(ctx, ctx.match);
});

// --- Authors: /certificates_admin [course], /revoke_certificate CODE --------------------------

/** Lines shown in the chat; a longer list comes as a CSV file (all of it). */
const LIST_IN_CHAT = 30;

async function listCertificates(ctx: BotContext, id: string): Promise<void> {
  const { db } = ctx.deps;
  const course = getCourse(db, id);
  if (!course) {
    await ctx.reply(ctx.t("certificates.admin.unknown_course", { id: escapeHtml(shorten(id, 64)) }), HTML);
    return;
  }
  if (!(await allowedIn(ctx, course.id))) return;
  const counts = certificateCounts(db, course.id);
  const title = titleOf(ctx, course, course.id);
  const lines = [ctx.t("certificates.admin.header", { title, live: counts.live, revoked: counts.revoked }), ""];
  const total = counts.live + counts.revoked;
  if (total === 0) {
    lines.push(ctx.t("certificates.admin.empty"));
    await ctx.reply(lines.join("\n"), HTML);
    return;
  }
  const csvRows: (string | number | null)[][] = [
    ["code", "name", "learner_id", "username", "score", "issued", "sent", "revoked"].map((k) => ctx.t(`certificates.csv.${k}`)),
  ];
  let listed = 0;
  const date = (ms: number | null) => (ms === null ? null : formatDate(ms, ctx.lang, course.timezone));
  for (const c of courseCertificates(db, course.id)) {
    const name = c.fullName ?? "—";
    if (listed < LIST_IN_CHAT) {
      const key = c.revokedAt === null ? "certificates.admin.line" : "certificates.admin.line_revoked";
      lines.push(ctx.t(key, { code: formatCode(c.code), name: escapeHtml(name), date: date(c.issuedAt) }));
      listed++;
    }
    if (total > LIST_IN_CHAT) {
      csvRows.push([
        formatCode(c.code),
        c.fullName,
        c.learnerId,
        getLearner(db, c.learnerId)?.username ?? null,
        c.score,
        date(c.issuedAt),
        date(c.sentAt),
        date(c.revokedAt),
      ]);
    }
  }
  if (total > LIST_IN_CHAT) lines.push(ctx.t("certificates.admin.more", { count: total - LIST_IN_CHAT }));
  lines.push("", ctx.t("certificates.admin.revoke_hint"));
  await ctx.reply(lines.join("\n"), HTML);
  if (total > LIST_IN_CHAT) {
    await ctx.replyWithDocument(new InputFile(Buffer.from(toCsv(csvRows), "utf8"), `certificates-${course.id}.csv`), {
      caption: ctx.t("certificates.admin.csv_caption", { title, count: total }),
      parse_mode: "HTML",
    });
  }
}

pm.command("certificates_admin", requireAuthor, async (ctx) => {
  const id = ctx.match.trim().toLowerCase();
  if (id) {
    await listCertificates(ctx, id);
    return;
  }
  const ids = coursesWithRole(ctx);
  if (ids.length === 0) {
    await ctx.reply(ctx.t("certificates.admin.no_courses"), HTML);
    return;
  }
  const kb = new InlineKeyboard();
  for (const cid of ids) {
    const course = getCourse(ctx.deps.db, cid);
    if (course) kb.text(shorten(courseTitle(course, ctx.lang), 60), certAdminCourse.encode(cid)).row();
  }
  await ctx.reply(ctx.t("certificates.admin.usage"), { ...HTML, reply_markup: kb });
});

pm.callbackQuery(certAdminCourse.filter, async (ctx) => {
  const values = await buttonValues(ctx, certAdminCourse);
  if (!values) return;
  if (!(await allowedIn(ctx, values[0]))) return;
  await answerCallback(ctx);
  await listCertificates(ctx, values[0]);
});

pm.command("revoke_certificate", requireAuthor, async (ctx) => {
  const { db } = ctx.deps;
  const raw = ctx.match.trim();
  const code = parseCode(raw);
  const cert = code ? certificateByCode(db, code) : undefined;
  if (!raw) {
    await ctx.reply(ctx.t("certificates.admin.revoke_usage"), HTML);
    return;
  }
  if (!cert) {
    await ctx.reply(ctx.t("certificates.verify.unknown", { code: escapeHtml(code ? formatCode(code) : shorten(raw, 40)) }), HTML);
    return;
  }
  if (!(await allowedIn(ctx, cert.courseId))) return;
  const facts = {
    code: formatCode(cert.code),
    name: escapeHtml(cert.fullName ?? "—"),
    title: titleOf(ctx, getCourse(db, cert.courseId), cert.courseId),
  };
  if (cert.revokedAt !== null) {
    await ctx.reply(ctx.t("certificates.admin.already_revoked", facts), {
      ...HTML,
      reply_markup: new InlineKeyboard().text(ctx.t("certificates.admin.reissue_button"), certReissue.encode(cert.id)),
    });
    return;
  }
  const kb = new InlineKeyboard()
    .text(ctx.t("certificates.admin.revoke_button"), certRevoke.encode(cert.id, "go"))
    .text(ctx.t("certificates.admin.cancel_button"), certRevoke.encode(cert.id, "no"));
  await ctx.reply(ctx.t("certificates.admin.revoke_confirm", facts), { ...HTML, reply_markup: kb });
});

/** The certificate a button acts on, after checking the presser authors its course (old and forged buttons too). */
async function authoredCertificate(ctx: BotContext, id: number): Promise<CertificateRow | null> {
  const cert = certificateById(ctx.deps.db, id);
  if (!cert) {
    await answerCallback(ctx, ctx.t("errors.stale_button"), true);
    return null;
  }
  return (await allowedIn(ctx, cert.courseId)) ? cert : null;
}

pm.callbackQuery(certRevoke.filter, async (ctx) => {
  const values = await buttonValues(ctx, certRevoke);
  if (!values) return;
  const cert = await authoredCertificate(ctx, values[0]);
  if (!cert) return;
  await answerCallback(ctx);
  const { db, clock } = ctx.deps;
  const course = getCourse(db, cert.courseId);
  const facts = { code: formatCode(cert.code), name: escapeHtml(cert.fullName ?? "—"), title: titleOf(ctx, course, cert.courseId) };
  if (values[1] === "no") {
    await show(ctx, ctx.t("certificates.admin.cancelled"));
    return;
  }
  const reissue = new InlineKeyboard().text(ctx.t("certificates.admin.reissue_button"), certReissue.encode(cert.id));
  if (!revokeCertificate(db, cert.id, ctx.from.id, clock.now())) {
    await show(ctx, ctx.t("certificates.admin.already_revoked", facts), reissue);
    return;
  }
  await show(ctx, ctx.t("certificates.admin.revoked_done", facts), reissue);
  // The learner hears it from the bot, not from someone who checked the code.
  const learner = getLearner(db, cert.learnerId);
  if (learner && cert.sentAt !== null) {
    const lt = translator(learner.language);
    const title = escapeHtml(course ? courseTitle(course, learner.language) : cert.courseId);
    await ctx.api
      .sendMessage(learner.id, lt("certificates.admin.learner_revoked", { code: facts.code, title }), HTML)
      .catch(() => undefined);
  }
});

pm.callbackQuery(certReissue.filter, async (ctx) => {
  const values = await buttonValues(ctx, certReissue);
  if (!values) return;
  const revoked = await authoredCertificate(ctx, values[0]);
  if (!revoked) return;
  const { db, clock } = ctx.deps;
  if (revoked.revokedAt === null || certificateFor(db, revoked.learnerId, revoked.courseId)) {
    await answerCallback(ctx, ctx.t("certificates.admin.reissue_exists"), true);
    return;
  }
  const fresh = reissueCertificate(db, revoked, clock.now());
  if (!fresh) {
    await answerCallback(ctx, ctx.t("certificates.admin.reissue_exists"), true);
    return;
  }
  await answerCallback(ctx);
  const course = getCourse(db, fresh.courseId);
  await show(ctx, ctx.t("certificates.admin.reissued", { code: formatCode(fresh.code), name: escapeHtml(revoked.fullName ?? "—") }));
  const learner = getLearner(db, fresh.learnerId);
  if (learner) {
    const lt = translator(learner.language);
    const title = escapeHtml(course ? courseTitle(course, learner.language) : fresh.courseId);
    await ctx.api
      .sendMessage(
        learner.id,
        `${lt("certificates.earned", { title, percent: formatNumber(fresh.score, learner.language) })}\n\n${lt("certificates.ask_name")}`,
        HTML,
      )
      .catch(() => undefined);
  }
});
