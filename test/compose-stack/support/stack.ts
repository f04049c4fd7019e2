import { waitFor } from "../../../packages/testkit/src/index.js";
import { run } from "../../support/processes.js";
import type { Compose } from "./compose.js";
import type { DockerEngine } from "./docker-engine.js";

/** The seeded people and rooms of the local profile's emulator, found through its control API. */
export interface LocalWorld {
  emulatorUrl: string;
  botId: string;
  userId: string;
  direct: string;
  group: string;
}

interface ControlItem {
  id: string;
  type: string;
  emails?: string[];
}

async function controlItems(url: string, path: string): Promise<ControlItem[]> {
  const response = await fetch(`${url}/_emulator/${path}`);
  if (!response.ok) throw new Error(`GET /_emulator/${path}: ${response.status}`);
  return ((await response.json()) as { items: ControlItem[] }).items;
}

/** Reads the seeded world from the emulator published at `emulatorUrl`. */
export async function localWorld(emulatorUrl: string): Promise<LocalWorld> {
  const people = await controlItems(emulatorUrl, "people");
  const rooms = await controlItems(emulatorUrl, "rooms");
  const find = (items: ControlItem[], test: (item: ControlItem) => boolean, what: string) => {
    const found = items.find(test);
    if (found === undefined) throw new Error(`the emulator has no ${what}`);
    return found.id;
  };
  return {
    emulatorUrl,
    botId: find(people, (p) => p.type === "bot", "bot"),
    userId: find(people, (p) => p.type === "person", "user"),
    direct: find(rooms, (r) => r.type === "direct", "direct room"),
    group: find(rooms, (r) => r.type === "group", "group room"),
  };
}

/** One message of a room as the emulator's control API lists it (oldest first). */
export interface RoomMessage {
  id: string;
  personId: string;
  text?: string;
  markdown?: string;
  parentId?: string;
}

/** Every message of a room, oldest first. */
export async function roomMessages(world: LocalWorld, roomId: string): Promise<RoomMessage[]> {
  const response = await fetch(`${world.emulatorUrl}/_emulator/rooms/${roomId}/messages`);
  return ((await response.json()) as { items: RoomMessage[] }).items;
}

/** The user writes `text` in a room (mentioning the bot in the group room); resolves its id. */
export async function say(
  world: LocalWorld,
  text: string,
  room: "direct" | "group" = "direct",
): Promise<string> {
  const response = await fetch(`${world.emulatorUrl}/_emulator/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      personId: world.userId,
      roomId: world[room],
      text,
      ...(room === "group" ? { mentions: [world.botId] } : {}),
    }),
  });
  if (!response.ok) throw new Error(`POST /_emulator/messages: ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}

/** The bot's replies that came after message `afterId` in a room, oldest first. */
export async function repliesAfter(
  world: LocalWorld,
  roomId: string,
  afterId: string,
): Promise<string[]> {
  const messages = await roomMessages(world, roomId);
  const start = messages.findIndex((message) => message.id === afterId);
  return messages
    .slice(start + 1)
    .filter((message) => message.personId === world.botId)
    .map((message) => message.markdown ?? message.text ?? "");
}

/** Waits until the bot has replied `count` times after `afterId`; resolves the replies. */
export async function waitForReplies(
  world: LocalWorld,
  roomId: string,
  afterId: string,
  count: number,
  timeoutMs = 60_000,
): Promise<string[]> {
  let replies: string[] = [];
  await waitFor(
    async () => {
      replies = await repliesAfter(world, roomId, afterId);
      return replies.length >= count;
    },
    { timeoutMs, intervalMs: 100, what: `${count} replies after ${afterId}` },
  );
  return replies;
}

/** A container of the project: its id, service, state and health. */
export interface ContainerState {
  id: string;
  service: string;
  status: string;
  health: string;
  exitCode: number;
}

/** The project's containers (running or not), from `compose ps -q` and `docker inspect`. */
export async function containers(
  compose: Compose,
  engine: DockerEngine,
): Promise<ContainerState[]> {
  const ids = (await compose.ok(["ps", "-q"])).split("\n").filter((id) => id.trim() !== "");
  if (ids.length === 0) return [];
  const format =
    '{{.Id}} {{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} ' +
    "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.ExitCode}}";
  const inspect = await run("docker", ["inspect", "--format", format, ...ids], { env: engine.env });
  return inspect.stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [id = "", service = "", status = "", health = "", exitCode = "0"] = line.split(" ");
      return { id, service, status, health, exitCode: Number(exitCode) };
    });
}

/** Waits until the running containers are `counts` per service, each healthy. */
export async function waitHealthy(
  compose: Compose,
  engine: DockerEngine,
  counts: Record<string, number>,
  timeoutMs = 120_000,
): Promise<void> {
  let last: ContainerState[] = [];
  await waitFor(
    async () => {
      last = (await containers(compose, engine)).filter((c) => c.status === "running");
      return Object.entries(counts).every(
        ([service, count]) =>
          last.filter((c) => c.service === service && c.health === "healthy").length === count &&
          last.filter((c) => c.service === service).length === count,
      );
    },
    { timeoutMs, intervalMs: 1000, what: `healthy containers ${JSON.stringify(counts)}` },
  ).catch((error: unknown) => {
    const states = last.map((c) => `${c.service}:${c.status}/${c.health}`).join(" ");
    throw new Error(`${String(error)}; containers: ${states}`);
  });
}

/** Prometheus' active targets that are up, by job. */
export async function targetsUp(prometheusUrl: string): Promise<Record<string, number>> {
  const response = await fetch(`${prometheusUrl}/api/v1/targets?state=active`);
  const body = (await response.json()) as {
    data: { activeTargets: { labels: { job: string }; health: string }[] };
  };
  const up: Record<string, number> = {};
  for (const target of body.data.activeTargets) {
    if (target.health === "up") up[target.labels.job] = (up[target.labels.job] ?? 0) + 1;
  }
  return up;
}
