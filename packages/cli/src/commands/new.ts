import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { projectFiles, type ProjectKind } from "../scaffold/project-files.js";
import { WORKSPACE_ROOT } from "../paths.js";

/** Settings of `sparkbot new <name>`. */
export interface NewOptions {
  /** The package name: `my-bot`, or scoped `@me/my-bot` (the folder is `my-bot`). */
  name: string;
  /** The directory the command runs in (default: the current directory). */
  cwd?: string;
  /** The SparkBot repository this CLI runs from, if any (default: where this CLI is). */
  workspaceRoot?: string | undefined;
  /** After creating a workspace bot, link it with `pnpm install` (default true). */
  install?: boolean;
  write?: (line: string) => void;
}

/** What `runNew` created. */
export interface NewProject {
  kind: ProjectKind;
  directory: string;
  files: string[];
}

const NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/** A name or place `sparkbot new` cannot use; its message is the one line to print. */
export class NewProjectError extends Error {}

/**
 * Creates a bot project: the bot, its unit test, package.json, tsconfig.json and a README.
 * Run inside the SparkBot repository, it is the workspace package `bots/<name>` (on the
 * repository's sources; then linked with `pnpm install`); anywhere else, `<cwd>/<name>`,
 * a project of its own depending on the published `@sparkbot/*` packages.
 */
export function runNew(options: NewOptions): NewProject {
  const writeLine = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const write = (...lines: string[]) => lines.forEach((line) => writeLine(line));
  const name = options.name.trim();
  if (!NAME.test(name) || name.length > 214) {
    throw new NewProjectError(
      `"${name}" is not a package name: use lowercase letters, digits, "-", "." or "_" (e.g. my-bot)`,
    );
  }
  const folder = name.split("/").at(-1) ?? name;
  const cwd = resolve(options.cwd ?? process.cwd());
  const root = "workspaceRoot" in options ? options.workspaceRoot : WORKSPACE_ROOT;
  const kind: ProjectKind = root !== undefined && isInside(cwd, root) ? "workspace" : "standalone";
  const directory = kind === "workspace" ? join(root!, "bots", folder) : join(cwd, folder);
  if (existsSync(directory)) {
    throw new NewProjectError(`${directory} already exists: choose another name, or remove it`);
  }
  const workspacePath = kind === "workspace" ? `bots/${folder}` : undefined;
  const files = projectFiles({ name, kind, workspacePath, sparkbotRange: `^${cliVersion()}` });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), content);
  }
  const shown = relative(cwd, directory) || ".";
  write(`Created ${shown}: ${describeKind(kind)}`);
  for (const path of Object.keys(files)) write(`  ${join(shown, path)}`);
  if (kind === "workspace" && options.install !== false) linkWorkspacePackage(root!, write);
  write("", "Next:", `  cd ${shown}`);
  if (kind === "standalone") write("  npm install");
  write(
    "  npm test              # its unit tests",
    "  npm run dev           # run it locally (Redis, a local Webex, receiver, worker)",
    "  npm run say -- ping   # from another terminal: the bot's replies",
  );
  return { kind, directory, files: Object.keys(files) };
}

function describeKind(kind: ProjectKind): string {
  return kind === "workspace"
    ? "a package of this repository's workspace, on its sources"
    : "a project of its own, depending on the published @sparkbot packages";
}

function isInside(path: string, root: string): boolean {
  const fromRoot = relative(resolve(root), path);
  return fromRoot === "" || (!fromRoot.startsWith("..") && !fromRoot.startsWith(sep));
}

/** The version of this CLI: a new project depends on the @sparkbot packages of that version. */
function cliVersion(): string {
  const manifest = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(manifest) as { version: string }).version;
}

/** `pnpm install` at the repository root, so the new package's dependencies are linked. */
function linkWorkspacePackage(root: string, write: (...lines: string[]) => void): void {
  write("", "Linking it into the workspace (pnpm install)...");
  const result = spawnSync("pnpm", ["install", "--prefer-offline", "--reporter=append-only"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (result.status !== 0) {
    write("pnpm install did not finish: run `npm run setup` at the repository root to link it.");
  }
}
