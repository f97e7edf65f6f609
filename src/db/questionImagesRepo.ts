import { eq } from "drizzle-orm";
import type { Db } from "./client.js";
import { questionImages, type QuestionImageRow } from "./schema/index.js";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Stores the photos of a course's questions (inside importCourse's transaction); known ones are kept as they are. */
export function saveQuestionImages(
  tx: Tx,
  images: readonly { sha256: string; mime: string; name: string; bytes: Buffer }[],
  now: number,
): void {
  for (const img of images) {
    tx.insert(questionImages)
      .values({ sha256: img.sha256, mime: img.mime, name: img.name, bytes: img.bytes, createdAt: now })
      .onConflictDoNothing()
      .run();
  }
}

/** A question's photo: the bytes to upload the first time, or the file_id Telegram gave it since. */
export function questionImage(db: Db, sha256: string): QuestionImageRow | undefined {
  return db.select().from(questionImages).where(eq(questionImages.sha256, sha256)).get();
}

/** Remembers Telegram's file_id after the first upload of a photo. */
export function rememberImageFileId(db: Db, sha256: string, fileId: string): void {
  db.update(questionImages).set({ fileId }).where(eq(questionImages.sha256, sha256)).run();
}
