import { readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * The page's HTML, CSS and JS live in `packages/emulator/static/chat/`. This file sits at the
 * same depth in `src/chat/` and `dist/chat/`, so one relative path works from both.
 */
export const STATIC_DIR = fileURLToPath(new URL("../../static/chat/", import.meta.url));

/** The files the page is made of, by the name the browser asks for, with their content type. */
const FILES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "view.js": "text/javascript; charset=utf-8",
  "state.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
  "conversation.css": "text/css; charset=utf-8",
  "log.css": "text/css; charset=utf-8",
  "cards.js": "text/javascript; charset=utf-8",
  "cards.css": "text/css; charset=utf-8",
  "members.js": "text/javascript; charset=utf-8",
  "log.js": "text/javascript; charset=utf-8",
  "icon.svg": "image/svg+xml",
  "adaptivecards.js": "text/javascript; charset=utf-8",
};

/**
 * Files served from npm packages rather than `static/chat/`: Microsoft's Adaptive Cards
 * renderer (its self-contained browser build, which sets `window.AdaptiveCards`).
 */
const PACKAGE_FILES: Record<string, () => string> = {
  "adaptivecards.js": () =>
    createRequire(import.meta.url).resolve("adaptivecards/dist/adaptivecards.min.js"),
};

/** Headers that keep the page from running anything it did not ship itself. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** Whether `name` is one of the page's files. */
export function isStaticFile(name: string): boolean {
  return Object.hasOwn(FILES, name);
}

/** Sends one of the page's files (no-cache: the emulator is a dev tool, edits show at once). */
export async function sendStaticFile(res: ServerResponse, name: string): Promise<void> {
  const type = FILES[name];
  if (type === undefined) {
    sendText(res, 404, "Not found");
    return;
  }
  const fromPackage = PACKAGE_FILES[name];
  const content = await readFile(fromPackage ? fromPackage() : `${STATIC_DIR}${name}`);
  res.writeHead(200, {
    "content-type": type,
    "content-length": content.length,
    "cache-control": "no-cache",
    ...SECURITY_HEADERS,
  });
  res.end(content);
}

/** Sends a short plain-text answer. */
export function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(body);
}

/** Sends a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
  });
  res.end(payload);
}
