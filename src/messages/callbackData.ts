/**
 * Every button's callback data, in one place. Telegram carries at most 64 bytes of callback
 * data and hands back whatever a client sends, so each kind of button has one prefix, a fixed
 * list of typed fields, and a decoder that refuses anything malformed (old or forged buttons
 * decode to null and get a polite "this button is no longer valid").
 */

import { LOCALES } from "../domain/locale.js";

import { CALLBACK_DATA_MAX_BYTES } from "../domain/text.js";

export { CALLBACK_DATA_MAX_BYTES };

export interface Field<T> {
  /** Text form; must not contain ":". */
  format(value: T): string;
  /** The value, or undefined when the text is not a valid value of this field. */
  parse(text: string): T | undefined;
  /** A trailing field that may be left out (`optional(f)`). */
  readonly optional?: boolean;
  /** The longest text this field can produce, for the 64-byte test. */
  readonly longest: string;
}

/** A non-negative integer (database ids, positions, indexes). */
export const int: Field<number> = {
  format: (n) => {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`callback field: not a non-negative integer: ${n}`);
    return String(n);
  },
  parse: (s) => (/^(0|[1-9]\d{0,15})$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : undefined),
  longest: String(Number.MAX_SAFE_INTEGER),
};

/**
 * A non-negative integer no larger than `max`: positions, option numbers and tick masks, which are
 * small, so that four numbers and a database id still fit in Telegram's 64 bytes.
 */
export function intUpTo(max: number): Field<number> {
  return {
    format: (n) => {
      if (n > max) throw new RangeError(`callback field: ${n} is over ${max}`);
      return int.format(n);
    },
    parse: (s) => {
      const n = int.parse(s);
      return n !== undefined && n <= max ? n : undefined;
    },
    longest: String(max),
  };
}

/** A question's position in a quiz or questionnaire. */
const position = intUpTo(999);
/** An option shown on a keyboard (Telegram allows 100 buttons). */
const option = intUpTo(99);
/** The options ticked on a multiple-choice keyboard, one bit per option (JavaScript's bit operators work on 31 bits). */
const tickMask = intUpTo(2 ** 31 - 1);

/** A course id or another slug (letters, digits, "-" and "_"), as course files allow. */
export const slug: Field<string> = {
  format: (s) => {
    if (!/^[\w-]{1,40}$/.test(s)) throw new RangeError(`callback field: not a slug: ${JSON.stringify(s)}`);
    return s;
  },
  parse: (s) => (/^[\w-]{1,40}$/.test(s) ? s : undefined),
  longest: "x".repeat(40),
};

/** One of a fixed set of short words. */
export function oneOf<const V extends string>(...values: V[]): Field<V> {
  const allowed = new Set<string>(values);
  return {
    format: (v) => {
      if (!allowed.has(v)) throw new RangeError(`callback field: ${JSON.stringify(v)} is not one of ${values.join(", ")}`);
      return v;
    },
    parse: (s) => (allowed.has(s) ? (s as V) : undefined),
    longest: values.reduce((a, b) => (Buffer.byteLength(b) > Buffer.byteLength(a) ? b : a), ""),
  };
}

/** A field that may be missing at the end of the data (`crs` is the course list, `crs:<id>` a card). */
export function optional<T>(field: Field<T>): Field<T | undefined> {
  return {
    optional: true,
    longest: field.longest,
    format: (v) => (v === undefined ? "" : field.format(v)),
    parse: (s) => field.parse(s),
  };
}

export type Values<F extends readonly Field<unknown>[]> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

export interface CallbackCodec<F extends readonly Field<unknown>[]> {
  readonly prefix: string;
  readonly fields: F;
  /** Matches any data of this prefix (valid or not), for `bot.callbackQuery(codec.filter, …)`. */
  readonly filter: RegExp;
  encode(...values: Values<F>): string;
  /** The typed values, or null for data of another prefix or with a malformed field. */
  decode(data: string | undefined): Values<F> | null;
}

const declared = new Map<string, CallbackCodec<readonly Field<unknown>[]>>();

/** Every declared kind of button (the tests check each one's longest data against the limit). */
export function declaredCallbacks(): CallbackCodec<readonly Field<unknown>[]>[] {
  return [...declared.values()];
}

/**
 * Declares a kind of button. A prefix is a feature's word, optionally followed by ":" and an
 * action letter ("an:c", "ask:m"). Prefixes are unique across the bot, and a bare prefix may not
 * be the head of another ("an" next to "an:c"): declaring such a pair throws when the module
 * loads, so two features can never read each other's buttons.
 */
export function defineCallback<const F extends readonly Field<unknown>[]>(prefix: string, ...fields: F): CallbackCodec<F> {
  if (!/^[a-z][a-z0-9!]{0,5}(:[a-z0-9!]{1,3})?$/.test(prefix))
    throw new Error(`callback prefix ${JSON.stringify(prefix)}: 1-6 lowercase letters, optionally ":" and an action`);
  const head = prefix.split(":")[0]!;
  for (const other of declared.keys()) {
    if (other === prefix) throw new Error(`callback prefix ${JSON.stringify(prefix)} is declared twice`);
    const otherHead = other.split(":")[0]!;
    if ((other === head || prefix === otherHead) && other !== prefix)
      throw new Error(`callback prefix ${JSON.stringify(prefix)} clashes with ${JSON.stringify(other)}`);
  }
  if (fields.slice(0, -1).some((f) => f.optional)) throw new Error(`callback ${prefix}: only the last field may be optional`);
  const prefixParts = prefix.split(":").length;
  const escaped = prefix.replace(/[!]/g, "\\$&");
  const codec: CallbackCodec<F> = {
    prefix,
    fields,
    filter: new RegExp(`^${escaped}(:|$)`),
    encode(...values) {
      const parts = fields.map((f, i) => f.format(values[i]));
      while (parts.length > 0 && parts.at(-1) === "" && fields[parts.length - 1]!.optional) parts.pop();
      const data = [prefix, ...parts].join(":");
      const bytes = Buffer.byteLength(data, "utf8");
      if (bytes > CALLBACK_DATA_MAX_BYTES)
        throw new RangeError(`callback data ${JSON.stringify(data)} is ${bytes} bytes (max ${CALLBACK_DATA_MAX_BYTES})`);
      return data;
    },
    decode(data) {
      if (data === undefined) return null;
      const parts = data.split(":");
      if (parts.slice(0, prefixParts).join(":") !== prefix) return null;
      const given = parts.slice(prefixParts);
      const required = fields.filter((f) => !f.optional).length;
      if (given.length > fields.length || given.length < required) return null;
      const out: unknown[] = [];
      for (let i = 0; i < fields.length; i++) {
        if (i >= given.length) {
          out.push(undefined);
          continue;
        }
        const v = fields[i]!.parse(given[i]!);
        if (v === undefined) return null;
        out.push(v);
      }
      return out as Values<F>;
    },
  };
  declared.set(prefix, codec);
  return codec;
}

// ---------------------------------------------------------------------------------------------
// The bot's buttons. One prefix per feature action; add new kinds here, never inline strings.
// ---------------------------------------------------------------------------------------------

// start: the language picker
export const languageButton = defineCallback("lang", oneOf(...LOCALES));

// courses: the list (no id) or a course's card, and the card's actions ("!" = confirmed)
export const coursesButton = defineCallback("crs", optional(slug));
export const enrollButton = defineCallback("enr", slug);
export const enrollConfirmButton = defineCallback("enr!", slug);
export const unenrollButton = defineCallback("unr", slug);
export const unenrollConfirmButton = defineCallback("unr!", slug);
export const notifyButton = defineCallback("ntf", slug);

// announce: an author's draft (its id) through choosing a course, skipping a language, preview, send
export const announceCourseButton = defineCallback("an:c", int, slug);
export const announceSkipButton = defineCallback("an:k", int, int);
export const announcePreviewButton = defineCallback("an:p", int);
export const announceSendButton = defineCallback("an:y", int);
export const announceRestartButton = defineCallback("an:r", int);
export const announceCancelButton = defineCallback("an:x", int);

// questionnaire results for authors: /results and /export course pickers
export const resultsButton = defineCallback("qr", slug);
export const exportButton = defineCallback("qx", slug);

// the assistants' chat: close / reopen / for the instructor / not for the instructor, per question
export const ASSISTANT_ACTIONS = ["c", "o", "i", "n"] as const;
export const assistantButton = defineCallback("aq", oneOf(...ASSISTANT_ACTIONS), int);
/**
 * Buttons sent before the assistants' buttons had their own prefix read "qa:<action>:<id>"; "qa"
 * belongs to the questionnaire's answers now, whose second field is a number, so the two never meet.
 */
export function decodeLegacyAssistantButton(
  data: string | undefined,
): Values<[Field<(typeof ASSISTANT_ACTIONS)[number]>, Field<number>]> | null {
  const m = data === undefined ? null : /^qa:([coin]):(0|[1-9]\d{0,15})$/.exec(data);
  return m ? [m[1] as (typeof ASSISTANT_ACTIONS)[number], Number(m[2])] : null;
}
export const LEGACY_ASSISTANT_FILTER = /^qa:[coin]:/;

// ask: the learner's course and module pickers; "g" is the general (no module) choice
export const askCourseButton = defineCallback("ask:c", slug);
const moduleOrGeneral: Field<number | null> = {
  format: (n) => (n === null ? "g" : int.format(n)),
  parse: (s) => (s === "g" ? null : int.parse(s)),
  longest: int.longest,
};
export const askModuleButton = defineCallback("ask:m", slug, moduleOrGeneral);
export const askCancelButton = defineCallback("ask:x");

// ---- quiz and questionnaire answers (feature: quiz, questionnaire) ----
// Every answer button names the attempt (or response) AND the question it answers, so a press is
// checked against the database and never applied to another question. A multiple-choice keyboard
// carries the options ticked on it (a bit mask), so what the learner sees is what "Done" submits.

/** Quiz: option n (shown order) of a single-choice item; true/false: 1 = true, 0 = false. */
export const quizChoice = defineCallback("qzc", int, position, option); // attempt, item, n
/** Quiz: tick or untick option n of a multiple-choice item; mask = options ticked on this keyboard. */
export const quizToggle = defineCallback("qzt", int, position, option, tickMask); // attempt, item, n, mask
/** Quiz: "Done" under a multiple-choice item, with the options ticked on this keyboard. */
export const quizDone = defineCallback("qzd", int, position, tickMask); // attempt, item, mask
/** Questionnaire: value n of the question at position (rating point, single option; yes/no: 1/0). */
export const surveyValue = defineCallback("qnv", int, position, option); // response, position, n
/** Questionnaire: tick or untick option n of a multiple-choice question. */
export const surveyToggle = defineCallback("qnt", int, position, option, tickMask); // response, position, n, mask
/** Questionnaire: "Done" under a multiple-choice question, with the options ticked. */
export const surveyDone = defineCallback("qnd", int, position, tickMask); // response, position, mask
/** Questionnaire: back, skip, keep the current answer, or submit (on the summary). */
export const surveyMove = defineCallback("qnm", int, position, oneOf("back", "skip", "keep", "submit")); // response, position, action

/** The option indexes ticked in a mask, in order. */
export function maskIndexes(mask: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (mask & (1 << i)) out.push(i);
  return out;
}

/** Whether a mask only ticks options that exist. */
export function maskFits(mask: number, count: number): boolean {
  return count < 31 && mask >= 0 && mask < 1 << count;
}

// --- Authors' analysis report (/report, issue 11) ---------------------------------------------
/** /report's course picker: the chosen course's id. */
export const reportCourse = defineCallback("rpt", slug);

// --- Matching questions in a quiz (issue 12 item 4) -------------------------------------------
/**
 * Quiz: answer shown at position n for pair `step` of a matching item. The pairs answered so far
 * are on the attempt in the database; `step` lets a button of an earlier pair be told apart.
 */
export const quizMatch = defineCallback("qzm", int, position, intUpTo(99), option); // attempt, item, step, n

// --- Course teams (issue 9): staff lists, invitations ------------------------------------------
/** The roles on buttons, one letter each so that a course id and a user id fit in 64 bytes. */
const roleLetter: Field<"author" | "assistant"> = {
  format: (r) => (r === "author" ? "a" : "s"),
  parse: (s) => (s === "a" ? "author" : s === "s" ? "assistant" : undefined),
  longest: "a",
};
/** An invitation's secret: 16 random bytes in base64url (the link's payload after "inv-"). */
export const invitationToken: Field<string> = {
  format: (s) => {
    if (!/^[\w-]{22}$/.test(s)) throw new RangeError(`callback field: not an invitation token`);
    return s;
  },
  parse: (s) => (/^[\w-]{22}$/.test(s) ? s : undefined),
  longest: "x".repeat(22),
};
/** /staff's course picker. */
export const staffCourseButton = defineCallback("sf:c", slug);
/** /staff: remove this person's role in this course (admins). */
export const staffRemoveButton = defineCallback("sf:r", slug, roleLetter, int); // course, role, user
/** /invite: the course chosen (next: the role), then course and role chosen (creates the invitation). */
export const inviteCourseButton = defineCallback("iv:c", slug);
export const inviteRoleButton = defineCallback("iv:n", slug, roleLetter);
/** The invited person's answer, carrying the secret (never the row id, which anyone could guess). */
export const inviteAcceptButton = defineCallback("iv:a", invitationToken);
export const inviteDeclineButton = defineCallback("iv:d", invitationToken);
/** /invites: the course picker, and revoking one open invitation (by id: checked against the course). */
export const invitesCourseButton = defineCallback("iv:l", slug);
export const inviteRevokeButton = defineCallback("iv:r", int);

// --- Tidy chats (issue 15) --------------------------------------------------------------------
/**
 * "Open the course" under a message that must stay (a weekly announcement, an enrollment notice):
 * the course card comes as a new message instead of replacing it (`crs:` edits the pressed screen).
 */
export const courseCardNew = defineCallback("crn", slug);
/** /quizstats without a course: the chosen course's id. */
export const quizStatsCourse = defineCallback("qss", slug);

// --- Attempt review and /myquestions (issue 10 items 1 and 4) ---------------------------------
/** Review of a finished attempt, turning pages in place: page 0 is the summary, page k the k-th question. */
export const reviewButton = defineCallback("qrv", int, intUpTo(999)); // attempt, page
/** Opens an attempt's review as a new message (under the quiz card and the result), keeping the card. */
export const reviewOpenButton = defineCallback("qro", int); // attempt
/** /myquestions: read an assistant's reply in full (its question_thread id). */
export const fullReplyButton = defineCallback("myq", int); // thread entry

// --- Course assistants' chats (issue 9 items 3 and 6) -----------------------------------------
/** /link in a group: link this course to the chat (checked against the role of whoever presses). */
export const chatLinkButton = defineCallback("clk", slug);
/** /unlink in a group: unlink this course from the chat. */
export const chatUnlinkButton = defineCallback("culk", slug);
/** /chatlanguage: the language everything the bot writes in this chat uses. */
export const chatLanguageButton = defineCallback("clng", oneOf(...LOCALES));

// --- Courses uploaded through the chat and their versions (issue 9 item 4) --------------------
/** The summary of an upload: import it or cancel (the pending upload's id, kept in the database). */
export const uploadConfirmButton = defineCallback("upl:y", int);
export const uploadCancelButton = defineCallback("upl:x", int);
/** /versions: a course's list (also "back to the versions" from a rollback's confirmation). */
export const versionsCourseButton = defineCallback("ver:c", slug);
/** /versions: roll back to this version (asks first), then the confirmed rollback. */
export const rollbackButton = defineCallback("ver:r", slug, int); // course, version
export const rollbackConfirmButton = defineCallback("ver:y", slug, int); // course, version

// --- Certificates and the gradebook (issue 10 items 2 and 3) ----------------------------------
/** The learner's answer to "Is «name» right?": the draft itself is in the database. */
export const certName = defineCallback("cnm", oneOf("yes", "change"));
/** An author confirms or cancels revoking certificate `id`. */
export const certRevoke = defineCallback("crv", int, oneOf("go", "no")); // certificate id, action
/** An author issues a new certificate in place of revoked certificate `id`. */
export const certReissue = defineCallback("cri", int); // revoked certificate id
/** /certificates_admin's course picker. */
export const certAdminCourse = defineCallback("cra", slug);
/** /gradebook's course picker. */
export const gradebookCourse = defineCallback("grb", slug);
