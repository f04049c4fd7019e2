# syntax=docker/dockerfile:1
# One image for both services; docker-compose.yml picks the entry point:
#   node services/receiver/dist/main.js   |   node services/worker/dist/main.js
# Build: docker build -t sparkbot .
# A bot of your own (a .js or .ts module exporting `bot`; it imports "@sparkbot/core"):
#  - mounted: a volume at /app/bots/<name> and BOT_MODULE=/app/bots/<name>/index.js (docker-compose.yml);
#  - built in: FROM sparkbot, COPY it to /app/bots/<name> (npm install its own dependencies
#    there, if any), ENV BOT_MODULE=/app/bots/<name>/index.js.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- base: node plus the pinned pnpm -----------------------------------------------------------
FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN npm install --global --no-fund --no-audit pnpm@10.34.8
WORKDIR /app

# --- build: every dependency, compile every package to dist/ -----------------------------------
FROM base AS build
COPY . .
RUN --mount=type=cache,id=pnpm,target=/pnpm/store \
    pnpm install --frozen-lockfile --store-dir /pnpm/store \
 && pnpm run build

# --- prod-deps: the built tree again, with production dependencies of the services only ------
FROM build AS prod-deps
RUN --mount=type=cache,id=pnpm,target=/pnpm/store \
    rm -rf node_modules packages/*/node_modules services/*/node_modules examples/*/node_modules \
      bench/node_modules \
 && pnpm install --frozen-lockfile --prod --prefer-offline --store-dir /pnpm/store \
      --filter "@sparkbot/receiver..." --filter "@sparkbot/worker..." \
      --filter "@sparkbot/example-bot..."

# --- runtime: node, production node_modules and dist/ only, as a non-root user -----------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production RECEIVER_PORT=8080 WORKER_PORT=9464
WORKDIR /app
COPY --from=prod-deps /app/package.json /app/pnpm-workspace.yaml ./
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=prod-deps /app/packages/core packages/core
COPY --from=prod-deps /app/services/receiver services/receiver
COPY --from=prod-deps /app/services/worker services/worker
COPY --from=prod-deps /app/examples/example-bot examples/example-bot
COPY docker/healthcheck.mjs docker/healthcheck.mjs
# A bot mounted or copied under /app/bots/ imports "@sparkbot/core" from here.
RUN mkdir -p node_modules/@sparkbot bots \
 && ln -sfn ../../packages/core node_modules/@sparkbot/core
USER node
EXPOSE 8080 9464
# HEALTHCHECK_PORT picks the service: 8080 for the receiver (the default), 9464 for a worker.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "docker/healthcheck.mjs"]
CMD ["node", "services/receiver/dist/main.js"]
