# syntax=docker/dockerfile:1
# Dev stage: everything installed (dev dependencies too), TypeScript and the native batch reader compiled
# (python3, make and g++ for node-gyp; the official image has Node's headers), the example snapshot
# built. `devspace dev` runs this stage, as the `node` user who owns /app, so that the src/ it syncs
# compiles into dist/ (devspace.yaml).
FROM node:24-bookworm-slim AS dev
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir /app && chown node:node /app
WORKDIR /app
USER node
COPY --chown=node:node package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY --chown=node:node scripts ./scripts
COPY --chown=node:node native/binding.gyp native/*.c ./native/
COPY --chown=node:node src ./src
COPY --chown=node:node data/example.json ./data/example.json
RUN npm ci --no-audit --no-fund \
 && { [ -f native/build/Release/rokv_lmdb.node ] || npm run build:native; } \
 && node dist/main.js build data/example.json --out data/example-$(node dist/main.js --version).snapshot
ENTRYPOINT ["node", "dist/main.js"]
CMD ["serve"]

# Build stage: the dev stage without its dev dependencies.
FROM dev AS build
RUN npm prune --omit=dev

# Runtime files, shared by the two images below: only the compiled code, production dependencies and
# data; runs as the non-root `node` user and writes nothing, so it runs with `docker run --read-only` and
# a snapshot mounted `:ro` (LMDB opened read-only skips its lock file when it cannot create one;
# snapshots are immutable, so none is needed).
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=8080 HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/native/build/Release/rokv_lmdb.node ./native/build/Release/rokv_lmdb.node
COPY --from=build --chown=root:root /app/data ./data
# `rokv` on PATH, for `docker run --entrypoint rokv`, `kubectl exec ... -- rokv versions` and the like.
RUN ln -s /app/dist/main.js /usr/local/bin/rokv
USER node
EXPOSE 8080
# SIGTERM from `docker stop` drains in-flight requests; the default 10 s stop timeout matches rokv's.
STOPSIGNAL SIGTERM

# Bun variant, `docker build --target bun -t rokv:bun .`: the runtime files with the pinned Bun of the
# dev stage's devDependencies as its runtime, which answers the data routes through Bun.serve
# (src/http/bun-front.ts). The Node image stays the default (last) stage.
FROM runtime AS bun
COPY --from=dev /app/node_modules/bun/bin/bun.exe /usr/local/bin/bun
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["bun", "dist/main.js"]
CMD ["serve"]

# The default image: the runtime files on Node. /readyz answers 200 once a data set is open and the
# server is not draining (Node's fetch needs no extra package in the slim image).
FROM runtime
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/main.js"]
CMD ["serve"]
