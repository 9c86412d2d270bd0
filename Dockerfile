# syntax=docker/dockerfile:1
# Both stages run the Node LTS line that .nvmrc names (test/deployment.e2e-spec.ts checks it, .ci/run tests on it).
# The major tag, not a patch: each rebuild takes the line's security releases. Debian 13 (trixie) is the base the
# official images publish for this line; bookworm's regular security support ended in June 2026.
# Build stage: compile with the dev toolchain, then keep production dependencies only.
FROM node:26-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: the lockfile carries no other-platform optional entries (see .ci/run).
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: no compiler, no sources, no root.
FROM node:26-trixie-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The old generation is capped, V8 collects instead of growing; no allocation-site pretenuring (see PRODUCTION_NODE_FLAGS
# in bench/processes.ts).
CMD ["node", "--max-old-space-size=128", "--max-semi-space-size=8", "--no-allocation-site-pretenuring", "dist/main.js"]
