# syntax=docker/dockerfile:1
# The production image: the API built to JavaScript (apps/api/dist: the bundle and the PGlite cluster
# template) with its production dependencies only (pnpm deploy), the built admin console and H5 app, the
# SQL migrations; runs as the unprivileged `node` user. See docs/operations.md.

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION=10.34.8
RUN npm install -g pnpm@${PNPM_VERSION}
WORKDIR /src
# Manifests first, so that the dependency layer is reused while only sources change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY apps/api/package.json apps/api/
COPY apps/admin/package.json apps/admin/
COPY apps/h5/package.json apps/h5/
COPY packages/shared/package.json packages/shared/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm build \
 && pnpm --filter @ys/api deploy --prod --legacy /out/apps/api

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
# The monorepo's layout, so that the defaults find the migrations and the two front ends.
COPY --from=build /out/apps/api apps/api
COPY --from=build /src/drizzle drizzle
COPY --from=build /src/apps/admin/dist apps/admin/dist
COPY --from=build /src/apps/h5/dist apps/h5/dist
RUN mkdir -p /data && chown node:node /data
USER node
WORKDIR /app/apps/api
EXPOSE 3000 9464
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server.js"]
