# One image for every ucap-monitor service; docker-compose.yml picks the service by command.
# Node 22 LTS in containers (Node 20 is end-of-life; the code still supports >= 20).
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    LOG_FORMAT=json \
    BIND_HOST=0.0.0.0 \
    DATA_DIR=/data
COPY package.json package-lock.json ./
# tsx runs the TypeScript sources directly; dev tooling (vitest, biome, typescript) is left out.
RUN npm ci --omit=dev && npm cache clean --force
COPY domain ./domain
COPY platform ./platform
COPY store ./store
COPY devices ./devices
COPY gateway ./gateway
COPY ingest ./ingest
COPY api ./api
COPY aqi ./aqi
COPY simulators ./simulators
COPY dashboards ./dashboards
COPY cli ./cli
COPY bin ./bin
COPY app ./app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
CMD ["npm", "start"]
