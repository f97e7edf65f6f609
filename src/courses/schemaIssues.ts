import type { z } from "zod";
import type { CourseIssue } from "./issues.js";

/**
 * A schema error of a course file as an issue code with parameters, so that it is rendered in the
 * reader's language like every other issue (zod's own messages are English sentences). The
 * schemas' own errors are written as codes (`{ error: "date" }` → `validation.schema_date`);
 * zod's built-in checks are mapped by kind. Anything else keeps zod's text (`validation.schema`).
 */
export function schemaIssue(issue: z.core.$ZodIssue, input: unknown): Pick<CourseIssue, "code" | "params"> {
  const missing = valueAt(input, issue.path) === undefined;
  if (/^[a-z_]+$/.test(issue.message)) {
    // A field the schema requires and the file leaves out reads better as "missing" than as its type.
    if (missing && issue.code === "invalid_type") return { code: "schema_required", params: {} };
    return { code: `schema_${issue.message}`, params: {} };
  }
  switch (issue.code) {
    case "invalid_type":
      if (missing) return { code: "schema_required", params: {} };
      if (issue.expected === "int") return { code: "schema_integer", params: {} };
      if (["string", "number", "boolean", "array", "object"].includes(issue.expected))
        return { code: `schema_expected_${issue.expected}`, params: {} };
      break;
    case "unrecognized_keys":
      return { code: "schema_unknown_keys", params: { keys: issue.keys.join(", ") } };
    case "invalid_value":
      return { code: "schema_one_of", params: { values: issue.values.map(String).join(", ") } };
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "array") return { code: "schema_too_few_items", params: { min } };
      if (issue.origin === "string") return { code: "schema_not_empty", params: {} };
      if (issue.origin === "number") return { code: issue.inclusive ? "schema_min" : "schema_above", params: { min } };
      break;
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "array") return { code: "schema_too_many_items", params: { max } };
      if (issue.origin === "number") return { code: issue.inclusive ? "schema_max" : "schema_below", params: { max } };
      break;
    }
    case "invalid_union":
      if ("options" in issue && Array.isArray(issue.options))
        return { code: "schema_one_of", params: { values: issue.options.map(String).join(", ") } };
      return { code: "schema_invalid", params: {} };
    default:
      break;
  }
  return { code: "schema", params: { message: issue.message } };
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}
