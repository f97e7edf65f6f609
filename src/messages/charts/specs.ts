/**
 * The charts of the analysis report as Vega-Lite specs, one function per chart, plus the data
 * behind each (exported so tests check the numbers without rendering). Texts come from the
 * author's language; nothing here draws.
 */
import type { TopLevelSpec } from "vega-lite";
import { pickText } from "../../domain/course.js";
import type { Locale } from "../../domain/locale.js";
import type { Question } from "../../domain/questionnaire.js";
import { RULES } from "../../domain/rules.js";
import { PROGRESS_BUCKET } from "../../db/analysisRepo.js";
import type { CourseAnalysis, QuestionAnalysis } from "../../db/courseAnalysis.js";
import { courseTitle } from "../courseViews.js";
import { formatNumber } from "../format.js";
import type { T } from "../i18n.js";

export const CHART_FONT = "DejaVu Sans";
const WIDTH = 640;
const BLUE = "#3b6ea8";
const GREEN = "#4c9a5a";
const ORANGE = "#d9822b";
const GREY = "#8a8f98";
/** Counts of people: whole numbers only on the axis. */
const COUNT_AXIS = { format: ",d", tickMinStep: 1 };

/** d3-format locales matching Intl.NumberFormat's output for each language (messages/format.ts). */
const NUMBER_LOCALES: Record<Locale, { decimal: string; thousands: string; grouping: number[]; currency: [string, string] }> = {
  kk: { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", ""] },
  ru: { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", ""] },
  en: { decimal: ".", thousands: ",", grouping: [3], currency: ["", ""] },
};

/** A count or a percentage in the text of a chart (labels, subtitles), formatted for the language. */
const num = (n: number, lang: Locale, digits = 0) => formatNumber(n, lang, digits);

export interface ChartSpec {
  /** Stable name, e.g. "funnel", "module-scores", "q-post-3". */
  id: string;
  /** Caption of the photo in the album (plain text, the author's language). */
  caption: string;
  spec: TopLevelSpec;
}

/** t() without HTML escaping: chart texts are drawn, not sent as HTML. */
export function plainT(t: T): (key: string, options?: Record<string, unknown>) => string {
  return (key, options = {}) => t(key, { ...options, interpolation: { escapeValue: false } });
}

/** Breaks a long text into at most `maxLines` lines of about `width` characters (the last one ellipsised). */
export function wrap(text: string, width = 64, maxLines = 3): string[] {
  const words = text.replace(/\s+/g, " ").trim().split(" ");
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line && [...line].length + 1 + [...w].length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = `${[...kept[maxLines - 1]!].slice(0, width - 1).join("")}…`;
    return kept;
  }
  return lines;
}

const short = (s: string, n: number) => ([...s].length > n ? `${[...s].slice(0, n - 1).join("")}…` : s);
const pct = (n: number, of: number) => (of > 0 ? Math.round((1000 * n) / of) / 10 : 0);

function base(
  lang: Locale,
  title: string[],
  subtitle?: string,
): Pick<TopLevelSpec, "$schema" | "config" | "background" | "padding"> & { title: unknown } {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "white",
    padding: 16,
    title: { text: title, subtitle, anchor: "start", fontSize: 17, subtitleFontSize: 13, subtitleColor: "#555", offset: 12 },
    config: {
      // Axis numbers grouped as the author reads them: 22 000 in Kazakh and Russian, 22,000 in English.
      locale: { number: NUMBER_LOCALES[lang] },
      font: CHART_FONT,
      view: { stroke: null },
      axis: { labelFontSize: 12, titleFontSize: 13, gridColor: "#e6e6e6", domainColor: "#999", tickColor: "#999" },
      legend: { labelFontSize: 12, titleFontSize: 12, orient: "top", labelLimit: 320 },
    },
  } as never;
}

// ---------------------------------------------------------------- funnel

export interface FunnelStep {
  label: string;
  count: number;
  /** Share of the enrolled learners, percent with one decimal. */
  percent: number;
}

export function funnelData(a: CourseAnalysis, t: T, _lang: Locale): FunnelStep[] {
  const p = plainT(t);
  const enrolled = a.enrollment.enrolled;
  const steps: [string, number][] = [
    [p("report.chart.funnel_enrolled"), enrolled],
    [p("report.chart.funnel_took_quiz"), a.funnel.tookQuiz],
    ...a.quizzes.map((m): [string, number] => [p("report.chart.funnel_passed_module", { n: m.module.position + 1 }), m.passed]),
    [p("report.chart.funnel_passed_course", { percent: RULES.progress.passed }), a.funnel.passedCourse],
    [p("report.chart.funnel_certificate", { percent: RULES.progress.certificate }), a.funnel.certificate],
  ];
  return steps.map(([label, count]) => ({ label, count, percent: pct(count, enrolled) }));
}

export function funnelChart(a: CourseAnalysis, t: T, lang: Locale): ChartSpec {
  const p = plainT(t);
  const data = funnelData(a, t, lang).map((s, i) => ({ ...s, order: i, text: `${num(s.count, lang)} (${num(s.percent, lang, 1)}%)` }));
  const title = p("report.chart.funnel_title");
  return {
    id: "funnel",
    caption: `${title} · ${courseTitle(a.course, lang)}`,
    spec: {
      ...base(lang, [title], courseTitle(a.course, lang)),
      width: WIDTH - 140,
      height: { step: 34 },
      data: { values: data },
      encoding: {
        y: { field: "label", type: "nominal", sort: { field: "order", op: "min" }, title: null, axis: { labelLimit: 220 } },
        x: { field: "count", type: "quantitative", title: p("report.chart.learners"), scale: { domainMin: 0 }, axis: COUNT_AXIS },
      },
      layer: [
        { mark: { type: "bar", color: BLUE, cornerRadiusEnd: 3 } },
        { mark: { type: "text", align: "left", dx: 4, fontSize: 12, color: "#222" }, encoding: { text: { field: "text" } } },
      ],
    } as TopLevelSpec,
  };
}

// ---------------------------------------------------------------- progress distribution

export interface ProgressBucket {
  from: number;
  to: number;
  count: number;
  status: "not_completed" | "passed" | "certificate";
}

export function progressData(a: CourseAnalysis): ProgressBucket[] {
  return a.progressBuckets.map((count, i) => {
    const from = i * PROGRESS_BUCKET;
    const status = from >= RULES.progress.certificate ? "certificate" : from >= RULES.progress.passed ? "passed" : "not_completed";
    return { from, to: from + PROGRESS_BUCKET, count, status };
  });
}

export function progressChart(a: CourseAnalysis, t: T, lang: Locale): ChartSpec {
  const p = plainT(t);
  const statusLabel = {
    not_completed: p("report.chart.status_not_completed"),
    passed: p("report.chart.status_passed"),
    certificate: p("report.chart.status_certificate"),
  };
  const data = progressData(a).map((b) => ({ ...b, statusLabel: statusLabel[b.status] }));
  const title = p("report.chart.progress_title");
  const rules = [
    { x: RULES.progress.passed, label: `${RULES.progress.passed}%` },
    { x: RULES.progress.certificate, label: `${RULES.progress.certificate}%` },
  ];
  return {
    id: "progress",
    caption: `${title} · ${courseTitle(a.course, lang)}`,
    spec: {
      ...base(lang, [title], p("report.chart.progress_subtitle", { n: num(a.enrollment.enrolled, lang) })),
      width: WIDTH,
      height: 280,
      layer: [
        {
          data: { values: data },
          mark: { type: "bar", binSpacing: 1 },
          encoding: {
            x: {
              field: "from",
              type: "quantitative",
              bin: { binned: true, step: PROGRESS_BUCKET },
              title: p("report.chart.progress_axis"),
              scale: { domain: [0, 100] },
            },
            x2: { field: "to" },
            y: { field: "count", type: "quantitative", title: p("report.chart.learners"), axis: COUNT_AXIS },
            color: {
              field: "statusLabel",
              type: "nominal",
              title: null,
              scale: { domain: [statusLabel.not_completed, statusLabel.passed, statusLabel.certificate], range: [GREY, BLUE, GREEN] },
            },
          },
        },
        {
          data: { values: rules },
          mark: { type: "rule", color: ORANGE, strokeDash: [6, 4], strokeWidth: 2 },
          encoding: { x: { field: "x", type: "quantitative" } },
        },
        {
          data: { values: rules },
          mark: { type: "text", color: ORANGE, dy: -6, dx: 4, align: "left", baseline: "bottom", fontWeight: "bold", y: 0 },
          encoding: { x: { field: "x", type: "quantitative" }, text: { field: "label" } },
        },
      ],
    } as TopLevelSpec,
  };
}

// ---------------------------------------------------------------- modules

export function modulesData(a: CourseAnalysis, t: T): { module: string; measure: string; value: number }[] {
  const p = plainT(t);
  return a.quizzes.flatMap((m) => {
    const module = p("report.chart.module_label", { n: m.module.position + 1 });
    return [
      { module, measure: p("report.chart.pass_rate"), value: pct(m.passed, m.takers) },
      { module, measure: p("report.chart.average_score"), value: m.average ?? 0 },
    ];
  });
}

export function modulesChart(a: CourseAnalysis, t: T, lang: Locale): ChartSpec {
  const p = plainT(t);
  const title = p("report.chart.modules_title");
  return {
    id: "modules",
    caption: `${title} · ${courseTitle(a.course, lang)}`,
    spec: {
      ...base(lang, [title], p("report.chart.modules_subtitle")),
      width: WIDTH,
      height: 260,
      data: { values: modulesData(a, t).map((d) => ({ ...d, text: `${num(d.value, lang, 1)}%` })) },
      encoding: {
        x: { field: "module", type: "nominal", title: null, axis: { labelAngle: 0 }, sort: null },
        xOffset: { field: "measure", sort: null },
        y: { field: "value", type: "quantitative", title: "%", scale: { domain: [0, 100] } },
        color: { field: "measure", type: "nominal", title: null, sort: null, scale: { range: [GREEN, BLUE] } },
      },
      layer: [
        { mark: { type: "bar", cornerRadiusEnd: 2 } },
        { mark: { type: "text", dy: -6, fontSize: 11 }, encoding: { text: { field: "text" } } },
      ],
    } as TopLevelSpec,
  };
}

// ---------------------------------------------------------------- questionnaires

function answerLabel(q: Question, key: string, t: T, lang: Locale, languages: readonly string[]): string {
  const p = plainT(t);
  if (q.type === "yes_no") return p(key === "yes" ? "survey.yes" : "survey.no");
  if (q.type === "single" || q.type === "multiple") {
    const o = q.options.find((x) => x.id === key);
    return short(o ? pickText(o.text, lang, languages) : key, 40);
  }
  return key;
}

/** A histogram's bins for number answers: about 10 bins of a round width; each value's count lands in its bin. */
export function histogramBins(
  values: readonly { value: number; count: number }[],
  maxBins = 10,
): { from: number; to: number; count: number }[] {
  if (values.length === 0) return [];
  const min = values[0]!.value;
  const max = values[values.length - 1]!.value;
  if (min === max) return [{ from: min, to: min + 1, count: values.reduce((s, v) => s + v.count, 0) }];
  const raw = (max - min) / maxBins;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const start = Math.floor(min / step) * step;
  const count = Math.floor((max - start) / step) + 1;
  const bins = Array.from({ length: count }, (_, i) => ({ from: start + i * step, to: start + (i + 1) * step, count: 0 }));
  for (const v of values) bins[Math.min(count - 1, Math.floor((v.value - start) / step))]!.count += v.count;
  return bins;
}

export function questionChart(
  a: CourseAnalysis,
  kind: string,
  kindLabel: string,
  number: number,
  qa: QuestionAnalysis,
  t: T,
  lang: Locale,
): ChartSpec | null {
  const p = plainT(t);
  const q = qa.question;
  if (q.type === "text" || qa.answered === 0) return null;
  const text = pickText(q.text, lang, a.course.languages);
  const title = wrap(`${number}. ${text}`);
  const subtitle = p("report.chart.question_subtitle", { kind: kindLabel, answered: num(qa.answered, lang) });
  const caption = short(`${kindLabel} · ${number}. ${text}`, 1000);
  const id = `q-${kind}-${q.id}`;
  if (q.type === "number") {
    const bins = histogramBins(qa.values);
    return {
      id,
      caption,
      spec: {
        ...base(lang, title, subtitle + (qa.mean !== null ? ` · ${p("report.chart.mean", { mean: num(qa.mean, lang, 2) })}` : "")),
        width: WIDTH,
        height: 240,
        data: { values: bins },
        mark: { type: "bar", color: BLUE, binSpacing: 1 },
        encoding: {
          x: { field: "from", type: "quantitative", bin: { binned: true }, title: p("report.chart.answer"), axis: { format: "~g" } },
          x2: { field: "to" },
          y: { field: "count", type: "quantitative", title: p("report.chart.learners"), axis: COUNT_AXIS },
        },
      } as TopLevelSpec,
    };
  }
  const data = qa.distribution.map((d, i) => ({
    label: answerLabel(q, d.key, t, lang, a.course.languages),
    order: i,
    count: d.count,
    text: `${num(d.count, lang)} (${num(pct(d.count, qa.answered), lang, 1)}%)`,
  }));
  return {
    id,
    caption,
    spec: {
      ...base(
        lang,
        title,
        subtitle + (q.type === "rating" && qa.mean !== null ? ` · ${p("report.chart.mean", { mean: num(qa.mean, lang, 2) })}` : ""),
      ),
      width: WIDTH - 200,
      height: { step: 30 },
      data: { values: data },
      encoding: {
        y: { field: "label", type: "nominal", sort: { field: "order", op: "min" }, title: null, axis: { labelLimit: 260 } },
        x: { field: "count", type: "quantitative", title: p("report.chart.learners"), axis: COUNT_AXIS },
      },
      layer: [
        { mark: { type: "bar", color: BLUE, cornerRadiusEnd: 3 } },
        { mark: { type: "text", align: "left", dx: 4, fontSize: 12 }, encoding: { text: { field: "text" } } },
      ],
    } as TopLevelSpec,
  };
}

/** Before/after: each answer's share among those who answered, pre next to post. */
export function comparisonData(pre: QuestionAnalysis, post: QuestionAnalysis, t: T, lang: Locale, languages: readonly string[]) {
  const p = plainT(t);
  const q = post.question;
  const before = p("report.chart.before");
  const after = p("report.chart.after");
  if (q.type === "number" || pre.question.type === "number") {
    return [
      { label: p("report.chart.mean_label"), when: before, value: pre.mean === null ? 0 : Math.round(pre.mean * 100) / 100 },
      { label: p("report.chart.mean_label"), when: after, value: post.mean === null ? 0 : Math.round(post.mean * 100) / 100 },
    ];
  }
  const keys = [...new Set([...post.distribution.map((d) => d.key), ...pre.distribution.map((d) => d.key)])];
  return keys.flatMap((key) => [
    {
      label: answerLabel(q, key, t, lang, languages),
      when: before,
      value: pct(pre.distribution.find((d) => d.key === key)?.count ?? 0, pre.answered),
    },
    {
      label: answerLabel(q, key, t, lang, languages),
      when: after,
      value: pct(post.distribution.find((d) => d.key === key)?.count ?? 0, post.answered),
    },
  ]);
}

export function comparisonChart(a: CourseAnalysis, pre: QuestionAnalysis, post: QuestionAnalysis, t: T, lang: Locale): ChartSpec | null {
  if (pre.answered === 0 && post.answered === 0) return null;
  const p = plainT(t);
  const numeric = post.question.type === "number" || pre.question.type === "number";
  const text = pickText(post.question.text, lang, a.course.languages);
  const data = comparisonData(pre, post, t, lang, a.course.languages);
  return {
    id: `cmp-${post.question.id}`,
    caption: short(`${p("report.chart.compare_caption")} · ${text}`, 1000),
    spec: {
      ...base(lang, wrap(text), p("report.chart.compare_subtitle", { pre: num(pre.answered, lang), post: num(post.answered, lang) })),
      width: WIDTH - 200,
      height: { step: numeric ? 30 : 18 },
      data: { values: data.map((d) => ({ ...d, text: numeric ? num(d.value, lang, 2) : `${num(d.value, lang, 1)}%` })) },
      encoding: {
        y: { field: "label", type: "nominal", sort: null, title: null, axis: { labelLimit: 260 } },
        yOffset: { field: "when", sort: null },
        x: { field: "value", type: "quantitative", title: numeric ? p("report.chart.mean_label") : "%" },
        color: { field: "when", type: "nominal", title: null, sort: null, scale: { range: [GREY, BLUE] } },
      },
      layer: [
        { mark: { type: "bar" } },
        {
          mark: { type: "text", align: "left", dx: 3, fontSize: 11 },
          transform: [{ filter: "datum.value > 0" }],
          encoding: { text: { field: "text" } },
        },
      ],
    } as TopLevelSpec,
  };
}

/** Every chart of the report, in the order of the album. */
export function reportCharts(a: CourseAnalysis, t: T, lang: Locale): ChartSpec[] {
  const p = plainT(t);
  const charts: ChartSpec[] = [];
  if (a.enrollment.enrolled > 0) {
    charts.push(funnelChart(a, t, lang));
    if (a.quizzes.length > 0) charts.push(progressChart(a, t, lang), modulesChart(a, t, lang));
  }
  for (const qn of a.questionnaires) {
    const kindLabel = p(`survey.results.kind_${qn.kind}`);
    qn.questions.forEach((qa, i) => {
      const c = questionChart(a, qn.kind, kindLabel, i + 1, qa, t, lang);
      if (c) charts.push(c);
    });
  }
  for (const c of a.comparisons) {
    const chart = comparisonChart(a, c.pre, c.post, t, lang);
    if (chart) charts.push(chart);
  }
  return charts;
}
