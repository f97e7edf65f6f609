/** Bot tokens appear in API URLs; nothing we log may carry one. */
const TOKEN_RE = /\d{5,}:[A-Za-z0-9_-]{20,}/g;

export function redact(text: string): string {
  return text.replace(TOKEN_RE, "<token>");
}
