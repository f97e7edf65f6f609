import { GrammyError } from "grammy";
import type { BotContext } from "./context.js";

export type Download = { ok: true; bytes: Buffer } | { ok: false; reason: "too_big" | "failed" };

/**
 * Downloads a file a person sent: getFile, then `<BOT_API_ROOT>/file/bot<token>/<path>`, reading
 * at most `maxBytes` whatever the sizes Telegram reported. The URL holds the token: never logged.
 */
export async function downloadFile(ctx: BotContext, fileId: string, maxBytes: number): Promise<Download> {
  const { config } = ctx.deps;
  let path: string | undefined;
  try {
    const file = await ctx.api.getFile(fileId);
    if (file.file_size !== undefined && file.file_size > maxBytes) return { ok: false, reason: "too_big" };
    path = file.file_path;
  } catch (err) {
    if (err instanceof GrammyError && /too big/i.test(err.description)) return { ok: false, reason: "too_big" };
    ctx.log.warn({ err: err instanceof GrammyError ? err.description : String(err) }, "getFile failed");
    return { ok: false, reason: "failed" };
  }
  if (!path) return { ok: false, reason: "failed" };
  try {
    const response = await (ctx.deps.fetch ?? fetch)(`${config.botApiRoot}/file/bot${config.botToken}/${path}`);
    if (!response.ok || !response.body) {
      ctx.log.warn({ status: response.status }, "file download refused");
      return { ok: false, reason: "failed" };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes) return { ok: false, reason: "too_big" };
      chunks.push(Buffer.from(chunk));
    }
    return { ok: true, bytes: Buffer.concat(chunks) };
  } catch (err) {
    // The error of a failed fetch may carry the URL, and so the token: only its kind is logged.
    ctx.log.warn({ kind: err instanceof Error ? err.name : typeof err }, "file download failed");
    return { ok: false, reason: "failed" };
  }
}
