/**
 * Certificates (issue 10 item 2) through the real grammY pipeline with the injected clock:
 * the 85% threshold, idempotent issuing (job twice, restart, a crash between insert and send),
 * the name confirmation, verification (valid, revoked, unknown, forged deep links), revoke and
 * re-issue, per-course author checks, the PDF read back, and all three languages.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PDFDocument } from "pdf-lib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MINUTE } from "../src/clock.js";
import { certificateFor, type CertificateRow } from "../src/db/certificatesRepo.js";
import { getCourse } from "../src/db/coursesRepo.js";
import { grantCourseRole } from "../src/db/staffRepo.js";
import { checkFullName, formatCode, parseCode } from "../src/domain/certificate.js";
import { certificatesJob } from "../src/jobs/certificates.js";
import { certName, certReissue, certRevoke } from "../src/messages/callbackData.js";
import { translator } from "../src/messages/i18n.js";
import { certificatePdf, issueDueCertificates } from "../src/reports/certificates.js";
import { courseYaml } from "./support/courses.js";
import { BOT_INFO } from "./support/fakeTelegram.js";
import { T0, tempDir, TestBot, type TestUser } from "./support/harness.js";
import { tr } from "./support/quizzes.js";

const TF_QUIZ = `pass_score: 50
attempts: 2
questions:
  - type: truefalse
    text: ${tr("Python is case-sensitive.")}
    answer: true
`;
const START = "2026-08-31";

function loadCourses(tb: TestBot, extra = ""): void {
  tb.loadCourse(courseYaml({ id: "python-101", start: START, quizzes: { 0: TF_QUIZ, 1: TF_QUIZ }, extra }));
  tb.loadCourse(courseYaml({ id: "data-201", start: START, quizzes: { 0: TF_QUIZ, 1: TF_QUIZ } }));
}

function quizIds(tb: TestBot, courseId: string): number[] {
  return (
    tb.db.$client.prepare("SELECT id FROM quizzes WHERE course_id = ? ORDER BY module_position").all(courseId) as { id: number }[]
  ).map((r) => r.id);
}

/** A learner enrolled with finished attempts of the given module scores, written straight into the database. */
function seedLearner(tb: TestBot, id: number, courseId: string, scores: number[], lang = "en"): void {
  const db = tb.db.$client;
  const now = tb.clock.now();
  db.prepare(
    "INSERT OR IGNORE INTO learners (id, first_name, last_name, username, language, created_at, updated_at) VALUES (?, ?, 'Test', ?, ?, ?, ?)",
  ).run(id, `L${id}`, `user${id}`, lang, now, now);
  db.prepare("INSERT INTO enrollments (learner_id, course_id, status, enrolled_at) VALUES (?, ?, 'active', ?)").run(id, courseId, now);
  quizIds(tb, courseId).forEach((quizId, k) => {
    const score = scores[k];
    if (score === undefined) return;
    db.prepare(
      `INSERT INTO quiz_attempts (learner_id, quiz_id, attempt_no, variant, started_at, ends_at, finished_at, end_reason, score, passed)
       VALUES (?, ?, 1, '[]', ?, ?, ?, 'submitted', ?, ?)`,
    ).run(id, quizId, now - MINUTE, now, now - 1, score, score >= 50 ? 1 : 0);
  });
  tb.telegram.addChat(id);
}

function job(tb: TestBot) {
  return certificatesJob({ db: tb.db, api: tb.bot.api, botUsername: () => BOT_INFO.username });
}

function afterEnd(tb: TestBot, courseId = "python-101"): void {
  tb.clock.set(getCourse(tb.db, courseId)!.endAt + MINUTE);
}

const rows = (tb: TestBot, learnerId: number) =>
  tb.db.$client.prepare("SELECT * FROM certificates WHERE learner_id = ? ORDER BY id").all(learnerId) as Record<string, unknown>[];

const documentsTo = (tb: TestBot, chatId: number) =>
  tb.telegram.calls.filter((c) => c.method === "sendDocument" && !c.error && Number(c.payload.chat_id) === chatId);

/** Goes through the name questions: types the name and presses "Yes". */
async function confirmName(u: TestUser, name: string): Promise<void> {
  await u.send(name);
  await u.press(certName.encode("yes"));
}

let tb: TestBot;
afterEach(() => tb.close());

describe("issuing at the threshold", () => {
  beforeEach(() => {
    tb = new TestBot({ now: T0 });
    loadCourses(tb);
  });

  it("issues at 85% and not at 84.9%, only after the course has ended, once however often the job runs", async () => {
    seedLearner(tb, 501, "python-101", [85, 85]);
    seedLearner(tb, 502, "python-101", [84.9, 84.9]);
    seedLearner(tb, 503, "python-101", [100, 69.9]); // 84.95 floors to 84.9
    expect(await job(tb).run(tb.clock.now())).toMatchObject({ issued: 0 });
    afterEnd(tb);
    const j = job(tb);
    expect(await j.run(tb.clock.now())).toMatchObject({ issued: 1, askedName: 1 });
    expect(await j.run(tb.clock.now())).toMatchObject({ issued: 0, askedName: 0, sent: 0 });
    // A fresh job (a restart) looks again and still finds nothing new.
    expect(await job(tb).run(tb.clock.now())).toMatchObject({ issued: 0, askedName: 0 });
    expect(rows(tb, 501)).toHaveLength(1);
    expect(rows(tb, 501)[0]).toMatchObject({ score: 85, hours: 16, full_name: null, sent_at: null });
    expect(rows(tb, 502)).toHaveLength(0);
    expect(rows(tb, 503)).toHaveLength(0);
    const t = translator("en");
    expect(tb.telegram.textsTo(501)).toHaveLength(1);
    expect(tb.telegram.lastTextTo(501)).toContain(t("certificates.ask_name"));
    expect(tb.telegram.lastTextTo(501)).toContain("85%");
  });

  it("/progress says “certificate” only once one is issued, with its code and /certificates, in kk, ru and en", async () => {
    const learners = { kk: 551, ru: 552, en: 553 } as const;
    for (const [lang, id] of Object.entries(learners)) seedLearner(tb, id, "python-101", [90, 90], lang);
    const progress = async (lang: keyof typeof learners) => {
      const u = tb.user(learners[lang], { lang });
      await u.send("/progress");
      return u.lastText();
    };
    for (const lang of ["kk", "ru", "en"] as const) {
      const t = translator(lang);
      const text = await progress(lang);
      expect(text, lang).toContain(t("quiz.progress.status.threshold_course_end"));
      expect(text, lang).not.toContain(t("quiz.progress.status.certificate"));
      expect(text, lang).not.toContain("/certificates");
    }
    // Ended, the job has not run yet: reached, being issued.
    afterEnd(tb);
    expect(await progress("en")).toContain("certificate level reached: your certificate is being issued");
    await job(tb).run(tb.clock.now());
    for (const lang of ["kk", "ru", "en"] as const) {
      const t = translator(lang);
      const code = formatCode(certificateFor(tb.db, learners[lang], "python-101")!.code);
      const text = await progress(lang);
      expect(text, lang).toContain(t("quiz.progress.status.certificate"));
      expect(text, lang).toContain(t("quiz.progress.certificate", { code }));
      expect(text, lang).toContain(`<code>${code}</code>`);
      expect(text, lang).not.toContain(t("quiz.progress.status.threshold_soon"));
    }
    expect(await progress("en")).toContain("Send /certificates to get the file.");
    expect(await progress("ru")).toContain("курс пройден с сертификатом 🎓");
    expect(await progress("kk")).toContain("Файлын алу үшін /certificates жіберіңіз.");
  });

  it("a crash between the insert and the send loses nothing: the next run (after a restart) sends it once", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const dbPath = join(dir, "bot.sqlite");
      tb.close();
      tb = new TestBot({ now: T0, dbPath });
      loadCourses(tb);
      seedLearner(tb, 511, "python-101", [90, 90]);
      // The learner confirmed their name for an earlier course, so the certificate can go out at once.
      tb.db.$client
        .prepare("INSERT INTO certificate_names (learner_id, state, name, updated_at) VALUES (511, 'confirmed', 'Aliya Bekova', 0)")
        .run();
      afterEnd(tb);
      // Issued, then "killed" before delivery.
      expect(await issueDueCertificates(tb.db, getCourse(tb.db, "python-101")!, tb.clock.now())).toBe(1);
      const now = tb.clock.now();
      tb.close();
      tb = new TestBot({ now, dbPath });
      tb.telegram.addChat(511);
      expect(await job(tb).run(now)).toMatchObject({ issued: 0, sent: 1 });
      expect(await job(tb).run(now)).toMatchObject({ issued: 0, sent: 0 });
      const docs = documentsTo(tb, 511);
      expect(docs).toHaveLength(1);
      const cert = certificateFor(tb.db, 511, "python-101")!;
      expect(cert.fullName).toBe("Aliya Bekova");
      expect(cert.sentAt).not.toBeNull();
      expect(docs[0]!.payload.caption).toContain(formatCode(cert.code));
      expect(docs[0]!.payload["document:file"].filename).toBe(`certificate-${cert.code}.pdf`);
    } finally {
      tb.close();
      tb = new TestBot({ now: T0 });
      cleanup();
    }
  });

  it("an at_threshold course issues right after the quiz that crosses 85%", async () => {
    tb.close();
    tb = new TestBot({ now: T0 });
    tb.loadCourse(courseYaml({ id: "python-101", start: START, quizzes: { 0: TF_QUIZ }, extra: "certificate:\n  issue: at_threshold\n" }));
    const u = tb.user(521, { lang: "ru" });
    await u.send("/start");
    await u.press("enr!:python-101");
    await u.press("qz:python-101:0");
    await u.press(u.buttons().find((b) => b.data.startsWith("qs:"))!.data);
    const attempt = tb.db.$client.prepare("SELECT id FROM quiz_attempts WHERE learner_id = 521").get() as { id: number };
    await u.press(`qzc:${attempt.id}:0:1`);
    const t = translator("ru");
    expect(u.lastText()).toContain(t("certificates.ask_name"));
    expect(rows(tb, 521)).toHaveLength(1);
    await confirmName(u, "Иван Петров");
    expect(documentsTo(tb, 521)).toHaveLength(1);
    expect(certificateFor(tb.db, 521, "python-101")).toMatchObject({ fullName: "Иван Петров", score: 100 });
    await u.send("/progress");
    expect(u.lastText()).toContain(`🎓 Ваш сертификат: <code>${formatCode(certificateFor(tb.db, 521, "python-101")!.code)}</code>`);
  });

  it("the course file's certificate field is validated", () => {
    expect(() => tb.loadCourse(courseYaml({ id: "bad-1", extra: "certificate:\n  issue: sometimes\n" }))).toThrow(/certificate/);
  });
});

describe("the name on the certificate", () => {
  it("is asked, validated, confirmed (typed text where a button is expected), survives a restart, then the PDF is sent", async () => {
    const { dir, cleanup } = tempDir();
    const dbPath = join(dir, "bot.sqlite");
    try {
      tb = new TestBot({ now: T0, dbPath });
      loadCourses(tb);
      seedLearner(tb, 601, "python-101", [95, 90], "kk");
      afterEnd(tb);
      await job(tb).run(tb.clock.now());
      const t = translator("kk");
      const u = () => tb.user(601, { lang: "kk" });
      await u().send("Ә");
      expect(u().lastText()).toBe(t("certificates.name_invalid.too_short", { max: 80 }));
      await u().send("Әйгерім");
      expect(u().lastText()).toBe(t("certificates.name_invalid.one_word"));
      await u().send("Әйгерім <b>Сейітқали</b>");
      expect(u().lastText()).toBe(t("certificates.name_invalid.characters"));
      await u().send("Әйгерім   Сейітқали");
      expect(u().lastText()).toContain("«<b>Әйгерім Сейітқали</b>»");
      expect(
        u()
          .buttons()
          .map((b) => b.data),
      ).toEqual([certName.encode("yes"), certName.encode("change")]);
      // Typed again instead of a button: the new text is the name to confirm.
      await u().send("Әйгерім Нұрланқызы Сейітқали");
      expect(u().lastText()).toContain("«<b>Әйгерім Нұрланқызы Сейітқали</b>»");
      await u().press(certName.encode("change"));
      expect(u().lastText()).toBe(t("certificates.change_prompt"));
      await u().send("Әйгерім Нұрланқызы Сейітқали");
      // Restart before "Yes": the draft is in the database.
      const now = tb.clock.now();
      tb.close();
      tb = new TestBot({ now, dbPath });
      await u().press(certName.encode("yes"));
      expect(tb.telegram.textsTo(601).join("\n")).toContain(t("certificates.name_confirmed", { name: "Әйгерім Нұрланқызы Сейітқали" }));
      const cert = certificateFor(tb.db, 601, "python-101")!;
      expect(cert.fullName).toBe("Әйгерім Нұрланқызы Сейітқали");
      const docs = documentsTo(tb, 601);
      expect(docs).toHaveLength(1);
      expect(docs[0]!.payload.caption).toContain(formatCode(cert.code));
      // An old "Yes" pressed again changes nothing and sends nothing.
      await u().press(certName.encode("yes"));
      expect(documentsTo(tb, 601)).toHaveLength(1);
      // /certificates sends it again, reusing Telegram's file_id.
      await u().send("/certificates");
      const again = documentsTo(tb, 601);
      expect(again).toHaveLength(2);
      expect(again[1]!.payload.document).toBe("doc");
      // Ordinary text now goes to the other features again.
      await u().send("hello");
      expect(u().lastText()).toBe(t("errors.free_text"));
    } finally {
      tb.close();
      tb = new TestBot({ now: T0 });
      cleanup();
    }
  });

  it("the name rules", () => {
    expect(checkFullName("  Aigerim   Seitkali ")).toEqual({ ok: true, name: "Aigerim Seitkali" });
    expect(checkFullName("Жанна д'Арк-Иванова")).toMatchObject({ ok: true });
    expect(checkFullName("王 小明")).toEqual({ ok: false, problem: "characters" });
    expect(checkFullName(`${"А".repeat(50)} ${"Б".repeat(40)}`)).toEqual({ ok: false, problem: "too_long" });
    expect(parseCode("abcd-efgh-jkmn")).toBe("ABCDEFGHJKMN");
    expect(parseCode("ABCD-EFGH-JKM0")).toBeNull();
    expect(parseCode("<script>")).toBeNull();
  });
});

describe("verification, revoke and re-issue, authors per course", () => {
  let cert: CertificateRow;
  beforeEach(async () => {
    tb = new TestBot({ now: T0 });
    loadCourses(tb);
    seedLearner(tb, 701, "python-101", [90, 100]);
    seedLearner(tb, 702, "data-201", [88, 88], "ru");
    afterEnd(tb);
    await job(tb).run(tb.clock.now());
    await confirmName(tb.user(701), "Dana Sultan");
    await confirmName(tb.user(702, { lang: "ru" }), "Дана Султан");
    cert = certificateFor(tb.db, 701, "python-101")!;
    const now = new Date(tb.clock.now());
    grantCourseRole(tb.db, { courseId: "python-101", userId: 41, role: "author", grantedBy: null, now });
    grantCourseRole(tb.db, { courseId: "data-201", userId: 42, role: "author", grantedBy: null, now });
  });

  it("anyone verifies a valid code by /verify or the QR's deep link, in their language", async () => {
    for (const lang of ["kk", "ru", "en"] as const) {
      const t = translator(lang);
      const anyone = tb.user(800 + lang.length + lang.charCodeAt(0), { lang });
      await anyone.send(`/verify ${formatCode(cert.code).toLowerCase()}`);
      expect(anyone.lastText()).toContain(
        t("certificates.verify.valid", { code: formatCode(cert.code), name: "Dana Sultan", title: "x", date: "d", score: "s" }).split(
          "\n",
        )[0],
      );
      expect(anyone.lastText()).toContain("Dana Sultan");
      await anyone.send(`/start verify-${cert.code}`);
      expect(anyone.lastText()).toContain("Dana Sultan");
    }
  });

  it("unknown and forged codes", async () => {
    const t = translator("en");
    const anyone = tb.user(811);
    await anyone.send("/verify ABCD-EFGH-JKMN");
    expect(anyone.lastText()).toBe(t("certificates.verify.unknown", { code: "ABCD-EFGH-JKMN" }));
    await anyone.send("/start verify-<b>x</b>");
    expect(anyone.lastText()).toBe(t("certificates.verify.malformed", { code: "&lt;b&gt;x&lt;/b&gt;" }));
    await anyone.send(`/start verify-${cert.code}'--`);
    expect(anyone.lastText()).toContain("❌");
    await anyone.send("/verify");
    expect(anyone.lastText()).toBe(t("certificates.verify.usage"));
    // The course deep link still works next to the verify- prefix.
    await anyone.send("/start python-101");
    expect(anyone.lastText()).toContain("Introduction to Python");
  });

  it("an author of one course cannot list or revoke another course's certificates, also with forged buttons", async () => {
    const other = certificateFor(tb.db, 702, "data-201")!;
    const t = translator("en");
    const author = tb.user(41);
    await author.send("/certificates_admin data-201");
    expect(author.lastText()).toBe(t("errors.not_course_author"));
    await author.send(`/revoke_certificate ${other.code}`);
    expect(author.lastText()).toBe(t("errors.not_course_author"));
    await author.press(certRevoke.encode(other.id, "go"));
    expect(author.lastAlert()).toBe(t("errors.not_course_author"));
    await author.press(certReissue.encode(other.id));
    expect(author.lastAlert()).toBe(t("errors.not_course_author"));
    expect(certificateFor(tb.db, 702, "data-201")?.revokedAt).toBeNull();
    // The picker offers only the courses they author.
    await author.send("/certificates_admin");
    expect(author.buttons().map((b) => b.data)).toEqual(["cra:python-101"]);
    await author.send("/certificates_admin python-101");
    expect(author.lastText()).toContain(formatCode(cert.code));
    expect(author.lastText()).toContain("Dana Sultan");
    // A learner is no author at all.
    const learner = tb.user(701);
    await learner.send("/certificates_admin python-101");
    expect(learner.lastText()).toBe(t("errors.authors_only"));
  });

  it("revoke (confirmed) makes the code verify as revoked; the job does not re-issue; the author re-issues one", async () => {
    const t = translator("en");
    const author = tb.user(41);
    await author.send(`/revoke_certificate ${cert.code}`);
    expect(author.lastText()).toContain("Dana Sultan");
    await author.press(certRevoke.encode(cert.id, "no"));
    expect(author.lastText()).toBe(t("certificates.admin.cancelled"));
    expect(certificateFor(tb.db, 701, "python-101")).toBeDefined();
    await author.send(`/revoke_certificate ${cert.code}`);
    await author.press(certRevoke.encode(cert.id, "go"));
    expect(author.lastText()).toBe(t("certificates.admin.revoked_done", { code: formatCode(cert.code) }));
    expect(tb.telegram.lastTextTo(701)).toContain(formatCode(cert.code));
    const anyone = tb.user(812, { lang: "ru" });
    await anyone.send(`/verify ${cert.code}`);
    expect(anyone.lastText()).toContain("⛔");
    expect(anyone.lastText()).toContain("Dana Sultan");
    // The learner still qualifies, but a revoked certificate is not re-issued by the job.
    tb.clock.advance(MINUTE);
    expect(await job(tb).run(tb.clock.now())).toMatchObject({ issued: 0 });
    expect(certificateFor(tb.db, 701, "python-101")).toBeUndefined();
    await author.press(certReissue.encode(cert.id));
    const fresh = certificateFor(tb.db, 701, "python-101")!;
    expect(fresh.code).not.toBe(cert.code);
    expect(author.lastText()).toContain(formatCode(fresh.code));
    // Twice: nothing more.
    await author.press(certReissue.encode(cert.id));
    expect(author.lastAlert()).toBe(t("certificates.admin.reissue_exists"));
    expect(rows(tb, 701)).toHaveLength(2);
    // The learner confirms the (corrected) name and gets the new one.
    expect(tb.telegram.lastTextTo(701)).toContain(t("certificates.ask_name"));
    await confirmName(tb.user(701), "Dana Sultanqyzy");
    expect(certificateFor(tb.db, 701, "python-101")!.fullName).toBe("Dana Sultanqyzy");
    await anyone.send(`/verify ${fresh.code}`);
    expect(anyone.lastText()).toContain("✅");
    await anyone.send(`/verify ${cert.code}`);
    expect(anyone.lastText()).toContain("⛔");
  });

  it("a long list comes as a CSV file too", async () => {
    // Rows written directly (rendering 35 PDFs proves nothing here).
    for (let i = 0; i < 35; i++) {
      seedLearner(tb, 9000 + i, "python-101", [90, 90]);
      tb.db.$client
        .prepare(
          "INSERT INTO certificates (code, learner_id, course_id, full_name, score, issued_at, sent_at) VALUES (?, ?, 'python-101', 'Name Surname', 90, ?, ?)",
        )
        .run(`TESTCODE${String(i).padStart(4, "0")}`, 9000 + i, tb.clock.now(), tb.clock.now());
    }
    const admin = tb.user(900);
    await admin.send("/certificates_admin python-101");
    const doc = documentsTo(tb, 900).at(-1)!;
    const csv = String(doc.payload["document:file"].content);
    expect(csv.startsWith("\uFEFF")).toBe(true);
    expect(csv.trim().split("\r\n")).toHaveLength(1 + 36);
    expect(csv).toContain(formatCode(cert.code));
  });
});

describe("the PDF", () => {
  beforeEach(() => {
    tb = new TestBot({ now: T0 });
    loadCourses(tb);
  });

  it("holds the name, course and code in each language (read back with pdf-lib, and as text when poppler is installed)", async () => {
    seedLearner(tb, 901, "python-101", [92.5, 92.5]);
    afterEnd(tb);
    await job(tb).run(tb.clock.now());
    await confirmName(tb.user(901), "Әйгерім Нұрланқызы Сейітқали");
    const cert = certificateFor(tb.db, 901, "python-101")!;
    for (const lang of ["kk", "ru", "en"] as const) {
      const bytes = await certificatePdf(tb.db, cert, lang, BOT_INFO.username);
      const doc = await PDFDocument.load(bytes);
      expect(doc.getPageCount()).toBe(1);
      expect(doc.getSubject()).toBe(`Әйгерім Нұрланқызы Сейітқали · ${formatCode(cert.code)}`);
      const pdftotext = "/usr/bin/pdftotext";
      if (existsSync(pdftotext)) {
        const { dir, cleanup } = tempDir();
        try {
          const file = join(dir, "c.pdf");
          (await import("node:fs")).writeFileSync(file, bytes);
          const text = execFileSync(pdftotext, [file, "-"], { encoding: "utf8" });
          expect(text).toContain("Әйгерім Нұрланқызы Сейітқали");
          expect(text).toContain(formatCode(cert.code));
          expect(text).toContain(`verify-${cert.code}`);
          expect(text).toContain(translator(lang)("certificates.pdf.title").toUpperCase());
          expect(text).toContain({ kk: "Python тіліне кіріспе", ru: "Введение в Python", en: "Introduction to Python" }[lang]);
        } finally {
          cleanup();
        }
      }
    }
  });
});
