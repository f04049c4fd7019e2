# One image for SparkBot: the receiver (the default command), the worker, the local Webex emulator
# and the `sparkbot` command line. docker-compose.yml picks the command of each service:
#   node services/receiver/dist/main.js | node services/worker/dist/main.js
#   node packages/emulator/dist/cli.js  | node packages/cli/dist/bin.js config check
#
# Build: docker build -t sparkbot .   (Compose v2 or v1, with BuildKit or the classic builder:
# no `# syntax=` line, so no frontend image is fetched, and no RUN --mount.)
# Build arguments:
#   NODE_IMAGE     the Node.js 20 base image (a mirror's copy on air-gapped hosts)
#   EXTRA_CA_CERT  PEM text of CA certificates to trust besides Node's own, for builds (and the
#                  running services) behind a TLS-intercepting proxy:
#                  docker build --build-arg EXTRA_CA_CERT="$(cat corp-ca.pem)" -t sparkbot .
#   HTTP(S)_PROXY, NO_PROXY are Docker's predefined build arguments and reach npm and pnpm.
# A bot of your own (a .js or .ts module exporting `bot`; it imports "@sparkbot/core"):
#  - mounted: a volume at /app/bots/<name> and BOT_MODULE=/app/bots/<name>/index.js (docker-compose.yml);
#  - built in: FROM sparkbot, COPY it to /app/bots/<name> (npm install its own dependencies
#    there, if any), ENV BOT_MODULE=/app/bots/<name>/index.js.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- base: node, the pinned pnpm, and the extra CA certificates (empty by default) -------------
FROM ${NODE_IMAGE} AS base
ARG EXTRA_CA_CERT=""
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true NODE_EXTRA_CA_CERTS=/etc/sparkbot/extra-ca.pem \
    npm_config_update_notifier=false
RUN mkdir -p /etc/sparkbot \
 && printf '%s\n' "$EXTRA_CA_CERT" > /etc/sparkbot/extra-ca.pem \
 && npm install --global --no-fund --no-audit pnpm@10.34.8
WORKDIR /app

# --- deps: every locked package fetched into pnpm's store. Only the lockfile and the workspace
# settings are copied, so this layer is rebuilt only when they change, not on a source edit.
FROM base AS deps
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch --store-dir /pnpm/store

# --- build: the sources, linked offline from the store, compiled to dist/ -----------------------
FROM deps AS build
COPY . .
RUN pnpm install --frozen-lockfile --offline --store-dir /pnpm/store \
 && pnpm --recursive --filter "@sparkbot/cli..." run build

# --- prod: production dependencies of what the image runs, and nothing the runtime does not
# need (sources, tests, TypeScript declarations, source maps, docs of dependencies).
FROM build AS prod
RUN rm -rf node_modules packages/*/node_modules services/*/node_modules \
      examples/*/node_modules bench/node_modules \
 && pnpm install --frozen-lockfile --offline --prod --store-dir /pnpm/store \
      --filter "@sparkbot/cli..." \
 && rm -rf bench packages/testkit packages/*/src services/*/src examples/*/src \
 && find . -name 'tsconfig*.json' -not -path './node_modules/*' -delete \
 && find . -name '*.tsbuildinfo' -delete \
 && find node_modules/.pnpm -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' \
      -o -name '*.d.cts' -o -iname '*.md' -o -iname '*.markdown' \) -delete \
 && mkdir -p node_modules/@sparkbot bots \
 && ln -sfn ../../packages/core node_modules/@sparkbot/core

# --- runtime: node, production node_modules and dist/ only, as the unprivileged `node` user ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production RECEIVER_PORT=8080 WORKER_PORT=9464 \
    NODE_EXTRA_CA_CERTS=/etc/sparkbot/extra-ca.pem
WORKDIR /app
COPY --from=base /etc/sparkbot/extra-ca.pem /etc/sparkbot/extra-ca.pem
# A bot mounted or copied under /app/bots/ imports "@sparkbot/core" from node_modules/@sparkbot
# (ln -sfn ../../packages/core node_modules/@sparkbot/core, in the prod stage).
COPY --from=prod /app /app
COPY docker/healthcheck.mjs docker/local-webex.mjs docker/entrypoint.sh docker/
# The receiver's journal (JOURNAL_DIR in docker-compose.yml): a volume mounted here starts owned
# by `node`, as this directory is.
RUN mkdir -p /var/lib/sparkbot/journal && chown node:node /var/lib/sparkbot/journal
USER node
EXPOSE 8080 9464 8900
# HEALTHCHECK_PORT picks the service: 8080 for the receiver (the default), 9464 for a worker.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "docker/healthcheck.mjs"]
# Without WEBEX_ACCESS_TOKEN the entry point looks for the local profile's emulator
# (SPARKBOT_LOCAL_WEBEX); with it, it runs the command unchanged.
ENTRYPOINT ["sh", "/app/docker/entrypoint.sh"]
CMD ["node", "services/receiver/dist/main.js"]
