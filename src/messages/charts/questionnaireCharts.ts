/**
 * The questionnaires' charts: each question's answers (bars for ratings and choices, a histogram
 * for numbers) and the before/after comparison of the questions both questionnaires ask.
 */
import type { TopLevelSpec } from "vega-lite";
import { pickText } from "../../domain/course.js";
import type { Locale } from "../../domain/locale.js";
import type { Question } from "../../domain/questionnaire.js";
import { shorten } from "../../domain/text.js";
import type { CourseAnalysis, QuestionAnalysis } from "../../db/courseAnalysis.js";
import type { T } from "../i18n.js";
import { base, BLUE, COUNT_AXIS, GREY, num, pct, plainT, WIDTH, wrap, type ChartSpec } from "./chartBase.js";

function answerLabel(q: Question, key: string, t: T, lang: Locale, languages: readonly string[]): string {
  const p = plainT(t);
  if (q.type === "yes_no") return p(key === "yes" ? "survey.yes" : "survey.no");
  if (q.type === "single" || q.type === "multiple") {
    const o = q.options.find((x) => x.id === key);
    return shorten(o ? pickText(o.text, lang, languages) : key, 40);
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
  const caption = shorten(`${kindLabel} · ${number}. ${text}`, 1000);
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
    caption: shorten(`${p("report.chart.compare_caption")} · ${text}`, 1000),
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
