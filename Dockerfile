# One image for every GridCloud app. In docker-compose.yml every application container runs a host agent
# (apps/cluster/src/agent-main.ts) with the processes apps/cluster/compose-desired-state.yaml places on it; the
# agent bundles their entries once into .gridcloud/build (esbuild, from tsx's dependencies) and runs them with node,
# falling back to tsx. With no command the image runs `npm start`'s embedded cluster.

# Stage 1: the production dependencies, installed from the lock file.
FROM node:20.19-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Stage 2: the runtime: dependencies, the sources the apps load, and the vendored MATPOWER cases (GRIDCLOUD_CASE).
FROM node:20.19-bookworm-slim AS runtime
ENV NODE_ENV=production \
    TSX_TSCONFIG_PATH=/app/tsconfig.json
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY libs ./libs
COPY apps ./apps
COPY data/cases ./data/cases
# /run/gridcloud, /data/filestore: the vsync-secret and filestore-data volumes (a new named volume takes its folder's
# owner, so `node` may write it).
RUN mkdir -p /data/exports /data/filestore /app/.gridcloud /run/gridcloud \
    && chown node:node /data/exports /data/filestore /app/.gridcloud /run/gridcloud
USER node
# vsync ports are set per service (GRIDCLOUD_VSYNC_PORT); /health and /metrics on GRIDCLOUD_HTTP_PORT.
EXPOSE 8080
CMD ["node_modules/.bin/tsx", "apps/cluster/src/main.ts"]
