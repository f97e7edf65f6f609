/** A problem found in a course file, with where it is; rendered for people by messages/courseIssues.ts. */
export type IssuePath = (string | number)[];

export interface CourseIssue {
  /** note: said for information (e.g. a description question skipped, a bank decoded from Windows-1251). */
  level: "error" | "warning" | "note";
  /** Key under `validation.` in the locale files. */
  code: string;
  path: IssuePath;
  line?: number;
  /** Set when the issue is in a file the course file refers to (a quiz bank); the line is in that file. */
  file?: string;
  params: Record<string, string | number>;
}

export function pathToString(path: IssuePath): string {
  return path.reduce<string>((s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${p}` : p), "");
}
