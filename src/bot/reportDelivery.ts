import { InputFile } from "grammy";
import { RULES } from "../domain/rules.js";
import { shorten } from "../domain/text.js";
import { HTML, htmlToPlain } from "../messages/html.js";
import type { BotContext } from "./context.js";

/**
 * Sends an author's report: one message when it fits, otherwise one .txt document (the text as
 * the reader would see it), never a stream of messages.
 */
export async function sendReport(ctx: BotContext, lines: readonly string[], file: { filename: string; title: string }): Promise<void> {
  const text = lines.join("\n").trim();
  if (text.length <= RULES.telegramMaxMessageLength) {
    await ctx.reply(text, HTML);
    return;
  }
  const content = Buffer.from(`${htmlToPlain(text)}\n`, "utf8");
  await ctx.replyWithDocument(new InputFile(content, file.filename), {
    caption: ctx.t("report.as_file", { title: shorten(file.title, 200) }),
    parse_mode: "HTML",
  });
}
