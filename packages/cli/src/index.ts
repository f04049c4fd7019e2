// Programmatic API of @sparkbot/cli: the commands behind the `sparkbot` bin.
export { runDev, type DevOptions } from "./commands/dev.js";
export { chooseDevMode, resolveBotModule, type DevMode } from "./dev/mode.js";
export { runNew, NewProjectError, type NewOptions, type NewProject } from "./commands/new.js";
export { runSay, type SayOptions, type SayResult } from "./commands/say.js";
export { runWebhooks, syncWebhooks, type WebhooksOptions } from "./commands/webhooks.js";
export {
  runConfigCheck,
  loadAll,
  maskSecret,
  maskUrlPassword,
  type ConfigCheckOptions,
} from "./commands/config-check.js";
export { readSession, writeSession, type DevSession } from "./dev/session.js";
export { ChildSet, type Child } from "./dev/children.js";
export { provideRedis, NoRedisError, NO_REDIS_HINT, type DevRedis } from "./dev/redis.js";
export { choosePort, freePort } from "./lib/ports.js";
export { defaultSessionPath, ENTRY_POINTS, WORKSPACE_ROOT, packageDir } from "./paths.js";
export { probeWebex, type WebexProbe } from "./lib/webex-probe.js";
