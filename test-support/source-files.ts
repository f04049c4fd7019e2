import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The `.ts` files below `dir`, leaving out node_modules, dist and test folders. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "dist" || name === "test") return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}
