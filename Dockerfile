# One image for every OneVoice service; SERVICE picks which one runs.
# Used by docker-compose.yml; a cluster deployment runs the same image with its own environment.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production LOG_FORMAT=json
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.base.json tsconfig.json .swcrc ./
COPY config ./config
COPY libs ./libs
COPY apps ./apps
USER node
# SERVICE: ingest | behaviour-profiler | coordinator | dispatcher | survey-throttler | provider-simulator
CMD ["sh", "-c", "exec node -r @swc-node/register apps/${SERVICE:?set SERVICE}/src/main.ts"]
