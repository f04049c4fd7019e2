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

# --- manifests: what pnpm installs from, and nothing else: the lockfile (every locked package is
# fetched into pnpm's store, rebuilt only when the lockfile changes), then every workspace
# package's package.json (test/compose.test.ts checks this list against the workspace), so that
# the install layers below are rebuilt only when the lockfile or a manifest changes.
FROM base AS manifests
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch --store-dir /pnpm/store
COPY package.json ./
COPY packages/cli/package.json packages/cli/
COPY packages/core/package.json packages/core/
COPY packages/emulator/package.json packages/emulator/
COPY packages/emulator/bin packages/emulator/bin
COPY packages/testkit/package.json packages/testkit/
COPY services/receiver/package.json services/receiver/
COPY services/worker/package.json services/worker/
COPY examples/example-bot/package.json examples/example-bot/
COPY bench/package.json bench/

# --- deps: every dependency, for the TypeScript build --------------------------------------------
FROM manifests AS deps
RUN pnpm install --frozen-lockfile --offline --store-dir /pnpm/store

# --- prod-deps: production dependencies of what the image runs, without what the runtime never
# reads (TypeScript declarations, source maps, docs, React Native's mobile projects).
FROM manifests AS prod-deps
# (pnpm fetch also filled node_modules/.pnpm with every package: start from the store alone.)
RUN rm -rf node_modules \
 && pnpm install --frozen-lockfile --offline --prod --store-dir /pnpm/store \
      --filter "@sparkbot/cli..." \
 && rm -rf bench packages/testkit \
 && find node_modules/.pnpm -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' \
      -o -name '*.d.cts' -o -iname '*.md' -o -iname '*.markdown' \) -delete \
 && find node_modules/.pnpm -mindepth 4 -maxdepth 4 -type d \( -name android -o -name ios \
      -o -name windows \) -path '*/node_modules/react-native*' -exec rm -rf {} + \
 && mkdir -p node_modules/@sparkbot bots \
 && ln -sfn ../../packages/core node_modules/@sparkbot/core

# --- build: the sources compiled to dist/; only this stage runs again after a source edit -------
FROM deps AS build
COPY . .
RUN pnpm --recursive --filter "@sparkbot/cli..." run build \
 && mkdir /out \
 && cp -r --parents packages/cli/dist packages/core/dist packages/emulator/dist \
      packages/emulator/static services/receiver/dist services/worker/dist \
      examples/example-bot/dist /out \
 && find /out -name '*.tsbuildinfo' -delete

# --- runtime: node, production node_modules and dist/ only, as the unprivileged `node` user ----
FROM ${NODE_IMAGE} AS runtime
# NODE_OPTIONS: the services' Node flags (SERVICE_NODE_FLAGS in packages/core/src/config/node-flags.ts).
ENV NODE_ENV=production RECEIVER_PORT=8080 WORKER_PORT=9464 \
    NODE_EXTRA_CA_CERTS=/etc/sparkbot/extra-ca.pem NODE_OPTIONS=--max-semi-space-size=4
WORKDIR /app
COPY --from=base /etc/sparkbot/extra-ca.pem /etc/sparkbot/extra-ca.pem
# A bot mounted or copied under /app/bots/ imports "@sparkbot/core" from node_modules/@sparkbot
# (ln -sfn ../../packages/core node_modules/@sparkbot/core, in the prod-deps stage).
COPY --from=prod-deps /app /app
COPY --from=build /out /app
COPY docker/healthcheck.mjs docker/local-webex.mjs docker/entrypoint.sh docker/
# The receiver's journal (JOURNAL_DIR in docker-compose.yml): a volume mounted here starts owned
# by `node`, as this directory is.
RUN mkdir -p /var/lib/sparkbot/journal && chown node:node /var/lib/sparkbot/journal
USER node
EXPOSE 8080 9464 8900
# HEALTHCHECK_PORT picks the service: 8080 for the receiver (the default), 9464 for a worker.
HEALTHCHECK --interval=10s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "docker/healthcheck.mjs"]
# Without WEBEX_ACCESS_TOKEN the entry point looks for the local profile's emulator
# (SPARKBOT_LOCAL_WEBEX); with it, it runs the command unchanged.
ENTRYPOINT ["sh", "/app/docker/entrypoint.sh"]
CMD ["node", "services/receiver/dist/main.js"]
