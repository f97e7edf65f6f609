import type { Translated } from "../domain/course.js";
import type { Course, Module } from "../db/schema/index.js";
import type { CourseDefinition } from "./validate.js";

/**
 * What importing a course changes, for the author's confirmation: compared with the version
 * imported now (re-validated from its stored source), or with what the database holds when the
 * course has no stored version yet (its quiz banks are then compared by their place in the file).
 */
export interface CourseSnapshot {
  title: Translated;
  startAt: number;
  enrollOpensAt: number;
  enrollClosesAt: number;
  endAt: number;
  modules: { title: Translated; announcement: Translated; opensAt: number; closesAt: number; quiz: string | null; questions: number | null }[];
  questionnaires: { pre: string | null; post: string | null };
}

export type DateField = "start" | "enroll_opens" | "enroll_closes" | "end";

export interface CourseChanges {
  isNew: boolean;
  titleChanged: boolean;
  dates: { field: DateField; from: number | null; to: number }[];
  /** 0-based positions. */
  modulesAdded: number[];
  modulesRemoved: number[];
  modulesChanged: number[];
  quizzesAdded: { position: number; questions: number }[];
  quizzesRemoved: number[];
  quizzesChanged: { position: number; questions: number }[];
  questionnaires: { kind: "pre" | "post"; change: "added" | "removed" | "changed" }[];
}

const json = (v: unknown) => JSON.stringify(v ?? null);

export function snapshotOfDefinition(def: CourseDefinition): CourseSnapshot {
  return {
    title: def.title,
    startAt: def.calendar.startAt,
    enrollOpensAt: def.calendar.enrollOpensAt,
    enrollClosesAt: def.calendar.enrollClosesAt,
    endAt: def.calendar.endAt,
    modules: def.modules.map((m) => ({
      title: m.title,
      announcement: m.announcement,
      opensAt: m.opensAt,
      closesAt: m.closesAt,
      quiz: m.quiz ? json(m.quiz) : null,
      questions: m.quiz?.questions.length ?? null,
    })),
    questionnaires: {
      pre: def.file.questionnaires?.pre ? json(def.file.questionnaires.pre) : null,
      post: def.file.questionnaires?.post ? json(def.file.questionnaires.post) : null,
    },
  };
}

/** A course imported before versions were kept: the database row and its file as stored. */
export function snapshotOfDatabase(course: Course, modules: Module[]): CourseSnapshot {
  const file = course.content as { modules?: { quiz?: unknown }[]; questionnaires?: { pre?: unknown; post?: unknown } };
  return {
    title: course.title,
    startAt: course.startAt,
    enrollOpensAt: course.enrollOpensAt,
    enrollClosesAt: course.enrollClosesAt,
    endAt: course.endAt,
    modules: modules.map((m) => ({
      title: m.title,
      announcement: m.announcement,
      opensAt: m.opensAt,
      closesAt: m.closesAt,
      quiz: file.modules?.[m.position]?.quiz ? `file:${json(file.modules[m.position]!.quiz)}` : null,
      questions: null,
    })),
    questionnaires: {
      pre: file.questionnaires?.pre ? json(file.questionnaires.pre) : null,
      post: file.questionnaires?.post ? json(file.questionnaires.post) : null,
    },
  };
}

export function describeChanges(before: CourseSnapshot | null, def: CourseDefinition): CourseChanges {
  const after = snapshotOfDefinition(def);
  const changes: CourseChanges = {
    isNew: before === null,
    titleChanged: before !== null && json(before.title) !== json(after.title),
    dates: [],
    modulesAdded: [],
    modulesRemoved: [],
    modulesChanged: [],
    quizzesAdded: [],
    quizzesRemoved: [],
    quizzesChanged: [],
    questionnaires: [],
  };
  const dateFields: [DateField, keyof CourseSnapshot][] = [
    ["start", "startAt"],
    ["enroll_opens", "enrollOpensAt"],
    ["enroll_closes", "enrollClosesAt"],
    ["end", "endAt"],
  ];
  for (const [field, key] of dateFields) {
    const from = before ? (before[key] as number) : null;
    const to = after[key] as number;
    if (from !== to) changes.dates.push({ field, from, to });
  }
  const old = before?.modules ?? [];
  after.modules.forEach((m, k) => {
    const o = old[k];
    if (!o) {
      changes.modulesAdded.push(k);
      if (m.quiz) changes.quizzesAdded.push({ position: k, questions: m.questions ?? 0 });
      return;
    }
    if (json([o.title, o.announcement, o.opensAt, o.closesAt]) !== json([m.title, m.announcement, m.opensAt, m.closesAt])) {
      changes.modulesChanged.push(k);
    }
    if (m.quiz && !o.quiz) changes.quizzesAdded.push({ position: k, questions: m.questions ?? 0 });
    else if (!m.quiz && o.quiz) changes.quizzesRemoved.push(k);
    else if (m.quiz && o.quiz && quizDiffers(o.quiz, m.quiz, def, k)) changes.quizzesChanged.push({ position: k, questions: m.questions ?? 0 });
  });
  for (let k = after.modules.length; k < old.length; k++) {
    changes.modulesRemoved.push(k);
    if (old[k]!.quiz) changes.quizzesRemoved.push(k);
  }
  if (before) {
    for (const kind of ["pre", "post"] as const) {
      const o = before.questionnaires[kind];
      const n = after.questionnaires[kind];
      if (o && !n) changes.questionnaires.push({ kind, change: "removed" });
      else if (!o && n) changes.questionnaires.push({ kind, change: "added" });
      else if (o && n && o !== n) changes.questionnaires.push({ kind, change: "changed" });
    }
  } else {
    for (const kind of ["pre", "post"] as const) if (after.questionnaires[kind]) changes.questionnaires.push({ kind, change: "added" });
  }
  return changes;
}

/** A stored-version quiz is compared whole; a database-only one by the quiz part of the course file. */
function quizDiffers(before: string, after: string, def: CourseDefinition, position: number): boolean {
  if (before.startsWith("file:")) return before !== `file:${json(def.file.modules[position]?.quiz)}`;
  return before !== after;
}

export function hasChanges(c: CourseChanges): boolean {
  return (
    c.isNew ||
    c.titleChanged ||
    c.dates.length > 0 ||
    c.modulesAdded.length + c.modulesRemoved.length + c.modulesChanged.length > 0 ||
    c.quizzesAdded.length + c.quizzesRemoved.length + c.quizzesChanged.length > 0 ||
    c.questionnaires.length > 0
  );
}
