import { defineConfig } from "vitest/config";

const conditions = ["source", "module", "node", "development|production"];

// `npm run test:compose`: docker-compose.yml run for real (test/compose-stack/). Separate from
// `npm test`, which needs no docker; .ci/run runs both. One file, its steps in order.
export default defineConfig({
  resolve: { conditions: conditions },
  ssr: { resolve: { conditions: conditions } },
  test: {
    include: ["test/compose-stack/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 1_800_000,
    pool: "forks",
    fileParallelism: false,
    reporters: ["default", "./test-support/summary-reporter.ts"],
  },
});
