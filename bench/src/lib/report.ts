/** One figure of the benchmark, with the baseline it is compared to and its target. */
export interface Row {
  /** Stable key, e.g. `ingest.receiver.rps` (the smoke test checks that every key is present). */
  id: string;
  /** Section of the issue: 1 ingest, 2 end to end, 3 scaling, 4 memory, 5 peer, 6 client. */
  section: string;
  /** What is measured, in words. */
  label: string;
  /** The figure, or null when it could not be measured (then `note` says why). */
  value: number | null;
  unit: string;
  /** The same figure for the baseline, measured in the same run. */
  baseline?: { name: string; value: number | null };
  /** value / baseline value (or the inverse for latencies, where noted in `label`). */
  ratio?: number | null;
  /** The target in words, e.g. `≥ 0.5× bare`. */
  target?: string;
  /** Whether the target is met; undefined when the row has no target. */
  met?: boolean | null;
  note?: string;
}

/** A whole run: rows plus where and how it ran. */
export interface BenchReport {
  mode: "quick" | "full";
  startedAt: string;
  durationSeconds: number;
  machine: Record<string, string | number>;
  settings: Record<string, string | number>;
  rows: Row[];
  /** Profiles of the services, when taken: top frames and per-package CPU shares. */
  profiles: ProfileSummary[];
  /** Raw results of each run, for a closer look than the table gives. */
  details: Record<string, unknown>;
  /** Phases that failed, with their error. */
  failures: { phase: string; error: string }[];
}

/** Where a process spent its CPU, from a `--cpu-prof` profile. */
export interface ProfileSummary {
  process: string;
  workload: string;
  totalMs: number;
  topFrames: { frame: string; selfMs: number; share: number }[];
  packages: { name: string; selfMs: number; share: number }[];
  /** Share of busy samples with the package anywhere on the stack (its calls included). */
  inclusive: { name: string; selfMs: number; share: number }[];
}

/** Formats a figure for the table: `1,234`, `3.45`, or `not measured`. */
export function formatValue(value: number | null | undefined, unit = ""): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString("en-US", {
    maximumFractionDigits: digits,
    minimumFractionDigits: 0,
  });
  return unit === "" ? text : `${text} ${unit}`;
}

function metText(row: Row): string {
  if (row.met === undefined) return "";
  if (row.met === null) return "not measured";
  return row.met ? "met" : "MISSED";
}

function cells(row: Row): string[] {
  return [
    row.label,
    row.value === null
      ? `not measured${row.note ? ` (${row.note})` : ""}`
      : formatValue(row.value, row.unit),
    row.baseline ? `${row.baseline.name}: ${formatValue(row.baseline.value, row.unit)}` : "",
    row.ratio === undefined ? "" : row.ratio === null ? "—" : `${formatValue(row.ratio)}×`,
    row.target ?? "",
    metText(row),
  ];
}

const HEADER = ["Measurement", "Value", "Baseline (same run)", "Ratio", "Target", "Met"];

/** The table printed on stdout: fixed-width columns, one section after another. */
export function renderTextTable(rows: readonly Row[]): string {
  const table = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, column) =>
    Math.min(70, Math.max(...table.map((line) => (line[column] ?? "").length))),
  );
  const line = (values: string[]): string =>
    values
      .map((value, column) => value.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  const out: string[] = [line(HEADER), widths.map((width) => "-".repeat(width)).join("  ")];
  let section = "";
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      out.push(`[${section}]`);
    }
    out.push(line(cells(row)));
  }
  return out.join("\n");
}

/** The same table in Markdown, with a section column and the notes (where the time went). */
export function renderMarkdownTable(rows: readonly Row[]): string {
  const escape = (text: string): string => text.replaceAll("|", "\\|");
  const header = [...HEADER, "Notes"];
  const out = [
    `| Section | ${header.join(" | ")} |`,
    `| --- | ${header.map(() => "---").join(" | ")} |`,
  ];
  for (const row of rows) {
    const notes = row.value === null ? "" : (row.note ?? "");
    out.push(`| ${escape(row.section)} | ${[...cells(row), notes].map(escape).join(" | ")} |`);
  }
  return out.join("\n");
}

/** `value / baseline`, or null when either is missing or the baseline is zero. */
export function ratioOf(value: number | null, baseline: number | null): number | null {
  if (value === null || baseline === null || baseline === 0) return null;
  return value / baseline;
}
