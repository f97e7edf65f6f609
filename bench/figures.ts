/**
 * What every part of the bench returns: named figures with their goal, so one table at the end
 * says which goals are met. A figure without a goal is context (e.g. the bare bot's CPU).
 */
export interface Figure {
  part: string;
  name: string;
  value: number;
  unit: string;
  /** "<= 8" style goal; absent for context figures. */
  goal?: { op: "<=" | "<" | ">=" | ">"; limit: number };
  /** Set when the figure could not be measured (e.g. the target threw): printed, counted as not ok. */
  error?: string;
}

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Nearest-rank percentile of unsorted samples. */
export const percentile = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

export function meets(f: Figure): boolean | undefined {
  if (f.error) return false;
  if (!f.goal) return undefined;
  const { op, limit } = f.goal;
  return op === "<=" ? f.value <= limit : op === "<" ? f.value < limit : op === ">=" ? f.value >= limit : f.value > limit;
}

const fmt = (v: number) =>
  !Number.isFinite(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);

/** The summary table: figure, value, goal, ok / not ok. */
export function renderTable(figures: Figure[]): string {
  const rows = figures.map((f) => {
    const ok = meets(f);
    return [
      f.part,
      f.name,
      f.error ? `error: ${f.error}` : `${fmt(f.value)} ${f.unit}`.trim(),
      f.goal ? `${f.goal.op} ${f.goal.limit} ${f.unit}`.trim() : "",
      ok === undefined ? "" : ok ? "ok" : "not ok",
    ];
  });
  const head = ["part", "figure", "value", "goal", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Reads a positive number from the environment (sizes of the bench). */
export const envNumber = (name: string, fallback: number): number => {
  const v = process.env[name];
  const n = v === undefined || v === "" ? fallback : Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got ${v})`);
  return n;
};
