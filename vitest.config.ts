import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Whole-process tests start the bot through tsx: on a loaded 2-core machine that alone can take 15 s.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    coverage: {
      // Only when asked (`npm run coverage`, CI): v8's own counters, no instrumentation step.
      provider: "v8",
      include: ["src/**/*.ts"],
      reporter: ["text-summary", "json-summary", "html"],
    },
  },
});
