/**
 * Every button's callback data, in one place. Telegram carries at most 64 bytes of callback
 * data and hands back whatever a client sends, so each kind of button has one prefix, a fixed
 * list of typed fields, and a decoder that refuses anything malformed (old or forged buttons
 * decode to null and get a polite "this button is no longer valid").
 */

export const CALLBACK_DATA_MAX_BYTES = 64;

export interface Field<T> {
  /** Text form; must not contain ":". */
  format(value: T): string;
  /** The value, or undefined when the text is not a valid value of this field. */
  parse(text: string): T | undefined;
}

/** A non-negative integer (database ids, positions, indexes). */
export const int: Field<number> = {
  format: (n) => {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`callback field: not a non-negative integer: ${n}`);
    return String(n);
  },
  parse: (s) => (/^(0|[1-9]\d{0,14})$/.test(s) ? Number(s) : undefined),
};

/** A course id or another slug (letters, digits, "-" and "_"), as course files allow. */
export const slug: Field<string> = {
  format: (s) => {
    if (!/^[\w-]{1,40}$/.test(s)) throw new RangeError(`callback field: not a slug: ${JSON.stringify(s)}`);
    return s;
  },
  parse: (s) => (/^[\w-]{1,40}$/.test(s) ? s : undefined),
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
  };
}

type Values<F extends readonly Field<unknown>[]> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

export interface CallbackCodec<F extends readonly Field<unknown>[]> {
  readonly prefix: string;
  /** Matches any data of this prefix (valid or not), for `bot.callbackQuery(codec.filter, …)`. */
  readonly filter: RegExp;
  encode(...values: Values<F>): string;
  /** The typed values, or null for data of another prefix or with a malformed field. */
  decode(data: string | undefined): Values<F> | null;
}

const prefixes = new Set<string>();

/**
 * Declares a kind of button. Prefixes are unique across the bot: declaring one twice throws when
 * the module loads, so two features can never read each other's buttons.
 */
export function defineCallback<const F extends readonly Field<unknown>[]>(prefix: string, ...fields: F): CallbackCodec<F> {
  if (!/^[a-z][a-z0-9!]{0,5}$/.test(prefix)) throw new Error(`callback prefix ${JSON.stringify(prefix)}: 1-6 lowercase letters`);
  if (prefixes.has(prefix)) throw new Error(`callback prefix ${JSON.stringify(prefix)} is declared twice`);
  prefixes.add(prefix);
  const escaped = prefix.replace(/[!]/g, "\\$&");
  return {
    prefix,
    filter: new RegExp(`^${escaped}(:|$)`),
    encode(...values) {
      const data = [prefix, ...fields.map((f, i) => (f as Field<unknown>).format(values[i]))].join(":");
      const bytes = Buffer.byteLength(data, "utf8");
      if (bytes > CALLBACK_DATA_MAX_BYTES) throw new RangeError(`callback data ${JSON.stringify(data)} is ${bytes} bytes (max ${CALLBACK_DATA_MAX_BYTES})`);
      return data;
    },
    decode(data) {
      if (data === undefined) return null;
      const parts = data.split(":");
      if (parts[0] !== prefix || parts.length !== fields.length + 1) return null;
      const out: unknown[] = [];
      for (let i = 0; i < fields.length; i++) {
        const v = fields[i]!.parse(parts[i + 1]!);
        if (v === undefined) return null;
        out.push(v);
      }
      return out as Values<F>;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The bot's buttons. One prefix per feature action; add new kinds here, never inline strings.
// ---------------------------------------------------------------------------------------------

// --- Authors' analysis report (/report, issue 11) ---------------------------------------------
/** /report's course picker: the chosen course's id. */
export const reportCourse = defineCallback("rpt", slug);
