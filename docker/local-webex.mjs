#!/usr/bin/env node
// The local profile's switch (docker/entrypoint.sh runs it when no WEBEX_ACCESS_TOKEN is set and
// SPARKBOT_LOCAL_WEBEX names an emulator, as docker-compose.yml does):
//  - waits up to SPARKBOT_LOCAL_WAIT_S (default 30) for the emulator at SPARKBOT_LOCAL_WEBEX to
//    accept SPARKBOT_LOCAL_BOT_TOKEN (GET /v1/people/me);
//  - then prints, for the shell to eval, the settings that point the service at it:
//    WEBEX_ACCESS_TOKEN, WEBEX_API_URL and, for the receiver, WEBHOOK_URL (from
//    SPARKBOT_LOCAL_WEBHOOK_URL) and a 10 s WEBHOOK_CHECK_INTERVAL_S (an emulator that restarts
//    forgets its webhooks; they are back within seconds) unless they are set;
//  - or exits 1 with one line saying what to configure.
const base = (process.env.SPARKBOT_LOCAL_WEBEX ?? "").replace(/\/+$/, "");
const token = process.env.SPARKBOT_LOCAL_BOT_TOKEN ?? "";
const waitSeconds = Number(process.env.SPARKBOT_LOCAL_WAIT_S || "30");

function fail(line) {
  process.stderr.write(`sparkbot: ${line}\n`);
  process.exit(1);
}

if (!/^https?:\/\/[^\s'"]+$/.test(base)) {
  fail(`SPARKBOT_LOCAL_WEBEX must be the emulator's http(s) URL, got "${base}"`);
}
if (!/^[A-Za-z0-9_.-]+$/.test(token)) {
  fail(
    "SPARKBOT_LOCAL_BOT_TOKEN must be set to the emulator's --bot-token (letters, digits, _ . -)",
  );
}

/** One attempt: "ok", "refused" (the emulator answered 401/403) or the reason it failed. */
async function probe() {
  try {
    const response = await fetch(`${base}/v1/people/me`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2000),
    });
    if (response.ok) return "ok";
    if (response.status === 401 || response.status === 403) return "refused";
    return `answered ${response.status}`;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    return cause instanceof Error ? cause.message : String(cause);
  }
}

const deadline = Date.now() + waitSeconds * 1000;
let last = "";
for (;;) {
  last = await probe();
  if (last === "ok") break;
  if (last === "refused") {
    fail(
      `the local Webex emulator at ${base} refused SPARKBOT_LOCAL_BOT_TOKEN: give its ` +
        "--bot-token the same value (docker-compose.yml does)",
    );
  }
  if (Date.now() >= deadline) {
    fail(
      `WEBEX_ACCESS_TOKEN is not set, and no local Webex emulator answered at ${base} within ` +
        `${waitSeconds} s (${last}). For real Webex, set WEBEX_ACCESS_TOKEN and WEBHOOK_URL in ` +
        ".env (see .env.example); for a local system with no account, run " +
        "`docker compose --profile local up`.",
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}

const settings = { WEBEX_ACCESS_TOKEN: token, WEBEX_API_URL: `${base}/v1` };
const webhookUrl = process.env.SPARKBOT_LOCAL_WEBHOOK_URL ?? "";
if (webhookUrl !== "" && !process.env.WEBHOOK_URL) {
  settings.WEBHOOK_URL = webhookUrl;
  if (!process.env.WEBHOOK_CHECK_INTERVAL_S) settings.WEBHOOK_CHECK_INTERVAL_S = "10";
}
for (const [name, value] of Object.entries(settings)) {
  if (!/^[^'\n]*$/.test(value)) fail(`${name} would contain a quote or a newline: "${value}"`);
  process.stdout.write(`export ${name}='${value}'\n`);
}
process.stderr.write(
  `sparkbot: no WEBEX_ACCESS_TOKEN: using the local Webex emulator at ${base} ` +
    "(docker compose --profile local); set WEBEX_ACCESS_TOKEN for real Webex\n",
);
