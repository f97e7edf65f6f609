/** A problem found in a course file, with where it is; rendered for people by messages/courseIssues.ts. */
export type IssuePath = (string | number)[];

export interface CourseIssue {
  level: "error" | "warning";
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
