/**
 * A course's whole source: the course file and the quiz banks it refers to, by path relative to
 * the course file ("/" separated). What an upload brings, what a version keeps, what a rollback
 * re-imports.
 */
export interface CourseBundle {
  /** The course file's path among `files`. */
  courseFile: string;
  files: Record<string, Uint8Array>;
}
