# Headframe pool server image. Build: docker build -t headframe .
# Run with a config directory (config.json, coins/, pool_configs/) mounted at /config; see docker-compose.yml.

# ---- build: compile TypeScript with the dev dependencies, then keep only production ones ----
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json && npm prune --omit=dev --no-audit --no-fund --loglevel=error

# ---- runtime: compiled code, production modules, Lua scripts and static pages; runs as the unprivileged node user ----
FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# The Redis scripts are read from the source tree at run time (tsc does not copy .lua files).
COPY --chown=root:root src/redis/scripts ./src/redis/scripts
COPY --chown=root:root website ./website
COPY --chown=root:root coins ./coins
COPY --chown=root:root scripts/blocknotify scripts/cli ./scripts/
USER node
# Stratum (per pool file), website, metrics. Publish only what each network needs (see docker-compose.yml).
EXPOSE 3333 8080 9101
# Healthy when the master answers on its metrics port: that proves the master and its collection loop are alive.
# Five tries at 30 s cover a slow start (--start-period is left out: dockerfilelint 1.8 misparses hyphenated options).
HEALTHCHECK --interval=30s --timeout=5s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9101/metrics',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/init.js"]
CMD ["--config", "/config"]
