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
    // Generous: the suite must pass on a busy 2-core machine. Tests wait for conditions rather
    // than for time, so a limit is only reached when something is really stuck.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["./test-support/global-setup.ts"],
    reporters: ["default", "./test-support/summary-reporter.ts"],
  },
});
