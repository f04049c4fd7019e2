// Rewrites bench/RESULTS.md from bench/results/latest.json (keeping the hand-written analysis):
// `node bench/dist/render.js`, after editing the analysis or the way results are rendered.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { keptAnalysis, renderResultsMarkdown } from "./lib/markdown.js";
import type { BenchReport } from "./lib/report.js";

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const report = JSON.parse(
  readFileSync(join(benchDir, "results", "latest.json"), "utf8"),
) as BenchReport;
const resultsMd = join(benchDir, "RESULTS.md");
writeFileSync(resultsMd, renderResultsMarkdown(report, keptAnalysis(resultsMd)));
process.stdout.write(`wrote ${resultsMd}\n`);
