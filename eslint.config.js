// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "drizzle/", "coverage/", "node_modules/"] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // With noUncheckedIndexedAccess every `xs[i]` is `T | undefined`; after a length check or a
      // lookup the compiler cannot follow, `!` is the codebase's way to say so (300+ places).
      "@typescript-eslint/no-non-null-assertion": "off",
      // Counts and ids in log lines, CSV cells and messages are numbers; String(n) everywhere is noise.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // `[...text]` is deliberate: it counts characters by code point, as Telegram's limits do.
      "@typescript-eslint/no-misused-spread": "off",
      // `(ctx) => showList(ctx)` in a handler returns the promise on purpose.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      // `!x || x.field !== v` reads as the two cases it handles; `x?.field !== v` hides that x may be missing.
      "@typescript-eslint/prefer-optional-chain": "off",
      // Handlers and hooks are async to fit grammY's and our Promise-returning signatures, whether or
      // not today's body awaits anything.
      "@typescript-eslint/require-await": "off",
      // `const { id, ...rest } = row` is how a field is left out of a copy.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true, argsIgnorePattern: "^_" }],
      // `env.X?.trim() || default`: an empty string means "not set", so `||` is meant for strings.
      "@typescript-eslint/prefer-nullish-coalescing": ["error", { ignorePrimitives: { string: true } }],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts"],
    rules: {
      // The fake Bot API records payloads as untyped JSON (`Record<string, any>`), as Telegram sends
      // them; tests read fields out of them freely.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // No-op callbacks (`kick: () => {}`, `sleep: async () => {}`) are what a fake is.
      "@typescript-eslint/no-empty-function": "off",
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { console: "readonly", process: "readonly", Buffer: "readonly" } },
  },
);
