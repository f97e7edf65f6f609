/**
 * The charts of the analysis report as Vega-Lite specs, in the order of the album: the course's
 * own (courseCharts.ts), then the questionnaires' (questionnaireCharts.ts). Texts come from the
 * author's language; nothing here draws (render.ts does).
 */
import type { Locale } from "../../domain/locale.js";
import type { CourseAnalysis } from "../../db/courseAnalysis.js";
import type { T } from "../i18n.js";
import { plainT, type ChartSpec } from "./chartBase.js";
import { funnelChart, modulesChart, progressChart } from "./courseCharts.js";
import { comparisonChart, questionChart } from "./questionnaireCharts.js";

export { CHART_FONT, plainT, wrap, type ChartSpec } from "./chartBase.js";
export { funnelChart, funnelData, modulesChart, modulesData, progressChart, progressData } from "./courseCharts.js";
export { comparisonChart, comparisonData, histogramBins, questionChart } from "./questionnaireCharts.js";

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
