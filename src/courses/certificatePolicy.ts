import type { CourseFile } from "./format.js";

export type CertificateIssue = "after_end" | "at_threshold";

export interface CertificatePolicy {
  issue: CertificateIssue;
  /** The course's learning hours (the modules' hours, else hours_per_week each), null when the file gives none. */
  hours: number | null;
}

/** What a course file says about certificates (`content` is the validated course file kept in the db). */
export function certificatePolicy(content: unknown): CertificatePolicy {
  const file = content as Partial<CourseFile> | null;
  const modules = file?.modules ?? [];
  const hours = modules.reduce((sum, m) => sum + (m.hours ?? file?.hours_per_week ?? 0), 0);
  return { issue: file?.certificate?.issue ?? "after_end", hours: hours > 0 ? hours : null };
}
