/**
 * The course's own charts: the enrollment funnel, the distribution of progress with the 40% and
 * 85% lines, and each module's pass rate and average score (data exported for the tests).
 */
import type { TopLevelSpec } from "vega-lite";
import type { Locale } from "../../domain/locale.js";
import { RULES } from "../../domain/rules.js";
import { PROGRESS_BUCKET } from "../../db/analysisRepo.js";
import type { CourseAnalysis } from "../../db/courseAnalysis.js";
import { courseTitle } from "../courseViews.js";
import type { T } from "../i18n.js";
import { base, BLUE, COUNT_AXIS, GREEN, GREY, num, ORANGE, pct, plainT, WIDTH, type ChartSpec } from "./chartBase.js";

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
