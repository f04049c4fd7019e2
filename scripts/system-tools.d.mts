// Types of scripts/system-tools.mjs, for the tests (test-support/system-tools.ts).
export interface SystemTool {
  name: string;
  commands: string[];
  packages: string[];
  recommends?: boolean;
  neededFor: string;
}

export interface ToolStatus {
  name: string;
  available: boolean;
  paths: Record<string, string | undefined>;
  missing: string[];
  neededFor: string;
  install: string;
  line: string;
}

export const SYSTEM_TOOLS: readonly SystemTool[];
export function findCommand(command: string, path?: string): string | undefined;
export function installCommand(tool: SystemTool): string;
export function toolStatus(name: string): ToolStatus;
export function missingTools(): ToolStatus[];
export function ensureSystemTools(log?: (line: string) => void): ToolStatus[];
