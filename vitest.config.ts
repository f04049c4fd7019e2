import { defineConfig } from "vitest/config";

const conditions = ["source", "module", "node", "development|production"];

// Tests run on the TypeScript sources (the "source" export condition) so that editing a package
// needs no rebuild; tests that start real processes use the built dist/ output instead.
export default defineConfig({
  resolve: { conditions: conditions },
  ssr: { resolve: { conditions: conditions } },
  test: {
    include: [
      "{packages,services,examples,bots,bench}/*/test/**/*.test.ts",
      "bench/test/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    // test/compose-stack/ needs docker and root: `npm run test:compose` (vitest.compose.config.ts).
    exclude: ["**/node_modules/**", "**/dist/**", "test/compose-stack/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    globalSetup: ["./test-support/global-setup.ts"],
    reporters: ["default", "./test-support/summary-reporter.ts"],
  },
});
