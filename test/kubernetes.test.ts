import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { DEFAULT_KEY_PREFIX, QUEUE_NAME } from "../packages/core/src/index.js";
import { ROOT, composeCommand } from "./support/repo.js";

// deploy/kubernetes/ cannot be applied here (no cluster): these checks parse every manifest and
// hold it to what the services and docker-compose.yml need, so that the files stay consistent.

const DIR = join(ROOT, "deploy/kubernetes");

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string; port: string } };
  livenessProbe?: { httpGet?: { path: string; port: string } };
}

interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[]; terminationGracePeriodSeconds?: number };
}

const files = readdirSync(DIR).filter((name) => name.endsWith(".yaml"));
const manifests: Manifest[] = files.flatMap((name) =>
  parseAllDocuments(readFileSync(join(DIR, name), "utf8")).map((doc) => doc.toJS() as Manifest),
);
const byKind = (kind: string, name: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (found === undefined) throw new Error(`deploy/kubernetes has no ${kind} ${name}`);
  return found;
};
const template = (workload: Manifest) => workload.spec!["template"] as PodTemplate;
const container = (workload: Manifest) => template(workload).spec.containers[0]!;
const config = () => byKind("ConfigMap", "sparkbot-config").data!;

describe("deploy/kubernetes", () => {
  it("every file is in kustomization.yaml, and every manifest is well formed", () => {
    const kustomization = manifests.find((m) => m.kind === "Kustomization") as unknown as {
      resources: string[];
    };
    expect([...kustomization.resources].sort()).toEqual(
      files.filter((name) => name !== "kustomization.yaml").sort(),
    );
    for (const manifest of manifests.filter((m) => m.kind !== "Kustomization")) {
      expect(manifest.apiVersion, manifest.kind).toMatch(/^[a-z0-9.]+(\/v[0-9a-z]+)?$|^v1$/);
      expect(manifest.metadata.name, manifest.kind).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it("each workload's selector matches its pods, and each Service selects a workload's port", () => {
    const workloads = manifests.filter((m) => ["Deployment", "StatefulSet"].includes(m.kind));
    expect(workloads.map((w) => `${w.kind}/${w.metadata.name}`).sort()).toEqual([
      "Deployment/receiver",
      "Deployment/worker",
      "StatefulSet/redis",
    ]);
    for (const workload of workloads) {
      const selector = (workload.spec!["selector"] as { matchLabels: Record<string, string> })
        .matchLabels;
      expect(template(workload).metadata.labels).toMatchObject(selector);
    }
    for (const service of manifests.filter((m) => m.kind === "Service")) {
      const spec = service.spec as {
        selector: Record<string, string>;
        ports: { targetPort: string }[];
      };
      const target = workloads.find((w) =>
        Object.entries(spec.selector).every(([k, v]) => template(w).metadata.labels[k] === v),
      );
      expect(target, `Service ${service.metadata.name}`).toBeDefined();
      const portNames = container(target!).ports?.map((p) => p.name) ?? [];
      for (const port of spec.ports) expect(portNames).toContain(port.targetPort);
    }
  });

  it("runs the receiver and worker with docker-compose.yml's commands, ports and probes", () => {
    for (const [name, port] of [
      ["receiver", 8080],
      ["worker", 9464],
    ] as const) {
      const workload = byKind("Deployment", name);
      const main = container(workload);
      expect(main.image).toBe("sparkbot");
      expect(main.command).toEqual(composeCommand(name, "command"));
      expect(main.ports?.[0]?.containerPort).toBe(port);
      expect(main.envFrom?.map((e) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual([
        "sparkbot-config",
        "sparkbot-secrets",
      ]);
      for (const probe of [main.readinessProbe, main.livenessProbe]) {
        expect(probe?.httpGet?.port).toBe(main.ports?.[0]?.name);
      }
      const annotations = template(workload).metadata.annotations ?? {};
      expect(annotations).toEqual({
        "prometheus.io/scrape": "true",
        "prometheus.io/port": String(port),
        "prometheus.io/path": "/metrics",
      });
    }
    const receiver = container(byKind("Deployment", "receiver"));
    expect(receiver.readinessProbe?.httpGet?.path).toBe("/readyz");
    expect(receiver.env).toContainEqual({
      name: "JOURNAL_DIR",
      value: "/var/lib/sparkbot/journal",
    });
  });

  it("gives a stopping worker more time than it drains for", () => {
    const worker = byKind("Deployment", "worker");
    const grace = template(worker).spec.terminationGracePeriodSeconds ?? 30;
    expect(grace * 1000).toBeGreaterThan(Number(config()["DRAIN_TIMEOUT_MS"]));
  });

  it("runs Redis with docker-compose.yml's settings, reached at the REDIS_URL the services use", () => {
    const redis = container(byKind("StatefulSet", "redis"));
    expect([...(redis.command ?? []), ...(redis.args ?? [])]).toEqual(
      composeCommand("redis", "command"),
    );
    const url = new URL(config()["REDIS_URL"]!);
    const service = byKind("Service", "redis").spec as { ports: { port: number }[] };
    expect(url.hostname).toBe("redis");
    expect(service.ports[0]!.port).toBe(Number(url.port));
  });

  it("scales the workers on the depth of the queue the receiver fills", () => {
    const scaler = byKind("ScaledObject", "worker").spec as {
      scaleTargetRef: { name: string };
      triggers: { type: string; metadata: Record<string, string> }[];
    };
    expect(scaler.scaleTargetRef.name).toBe("worker");
    const [trigger] = scaler.triggers;
    expect(trigger?.type).toBe("redis");
    expect(trigger?.metadata["listName"]).toBe(`${DEFAULT_KEY_PREFIX}:${QUEUE_NAME}:wait`);
    const namespace = (
      manifests.find((m) => m.kind === "Kustomization") as unknown as {
        namespace: string;
      }
    ).namespace;
    expect(trigger?.metadata["address"]).toBe(`redis.${namespace}.svc.cluster.local:6379`);
    expect(Number(trigger?.metadata["listLength"])).toBeGreaterThan(0);
  });

  it("exposes only the webhook path, at the WEBHOOK_URL's host", () => {
    const ingress = byKind("Ingress", "receiver").spec as {
      rules: { host: string; http: { paths: { path: string; backend: unknown }[] } }[];
    };
    const [rule] = ingress.rules;
    expect(rule?.host).toBe(new URL(config()["WEBHOOK_URL"]!).host);
    expect(rule?.http.paths).toEqual([
      expect.objectContaining({
        path: "/sparkbot",
        backend: { service: { name: "receiver", port: { name: "http" } } },
      }),
    ]);
  });

  it("the Prometheus scrape configuration keeps annotated pods of the namespace", () => {
    const scrape = parse(readFileSync(join(DIR, "prometheus-scrape.yml"), "utf8")) as {
      scrape_configs: {
        kubernetes_sd_configs: { role: string; namespaces: { names: string[] } }[];
        relabel_configs: { source_labels: string[]; action?: string; regex?: string }[];
      }[];
    };
    const [job] = scrape.scrape_configs;
    expect(job?.kubernetes_sd_configs[0]).toEqual({
      role: "pod",
      namespaces: { names: ["sparkbot"] },
    });
    expect(job?.relabel_configs[0]).toEqual({
      source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
      action: "keep",
      regex: "true",
    });
  });
});
