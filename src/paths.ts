import { fileURLToPath } from "node:url";

/** Project root, whether running from src/ (tsx, tests) or dist/ (npm start): both sit one level down. */
export const projectRoot = fileURLToPath(new URL("..", import.meta.url));
export const migrationsFolder = fileURLToPath(new URL("../drizzle", import.meta.url));
export const localesFolder = fileURLToPath(new URL("../locales", import.meta.url));
