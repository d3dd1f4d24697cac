import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { registerOpsRoutes } from '../platform/ops-server.ts';
import type { ApiDeps } from './api-deps.ts';
import { type ApiLimits, DEFAULT_API_LIMITS } from './api-limits.ts';
import { createAirQualityPool } from './compute/air-quality-pool.ts';
import { registerErrorHandling } from './error-handling.ts';
import { releaseConnectionsOnClose } from './graceful-close.ts';
import { HeavyWork } from './heavy-work.ts';
import { registerHttpMetrics } from './http-metrics.ts';
import { registerOpenApi } from './openapi.ts';
import { registerAdminDeviceRoutes } from './routes/admin-devices.ts';
import { registerAqiRoute } from './routes/aqi.ts';
import { registerCitiesRoute } from './routes/cities.ts';
import { registerExceedancesRoute } from './routes/exceedances.ts';
import { registerLatestRoute } from './routes/latest.ts';
import { registerReadingsRoute } from './routes/readings.ts';
import { registerRejectionsRoute } from './routes/rejections.ts';
import { registerSensorsRoute } from './routes/sensors.ts';
import { registerSeriesRoute } from './routes/series.ts';
import { registerStandardsRoute } from './routes/standards.ts';
import { registerServerProtection, serverTimeouts } from './server-protection.ts';

export type { ApiDeps } from './api-deps.ts';

/**
 * The researchers' REST API, built and ready but not listening: `main.ts` (or the all-in-one
 * process, or a test) decides where it listens and when it closes.
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = deps.logger;
  const limits: ApiLimits = { ...DEFAULT_API_LIMITS, ...deps.limits };
  const app = Fastify({
    ...serverTimeouts(limits),
    loggerInstance: logger,
    // Fastify's two lines per request become one, written by registerAccessLog.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  registerHttpMetrics(app, deps.metrics);
  registerAccessLog(app);
  releaseConnectionsOnClose(app);
  await registerServerProtection(app, limits, deps.apiKeys);
  await registerOpenApi(app);
  registerOpsRoutes(app, {
    metrics: deps.metrics,
    checks: [
      { name: `store:${deps.store.kind}`, check: () => deps.store.ping() },
      ...(deps.readinessChecks ?? []),
    ],
  });
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const heavy = new HeavyWork({
    concurrency: limits.heavyConcurrency,
    queue: limits.heavyQueue,
    deadlineMs: limits.requestDeadlineMs,
  });
  const compute = createAirQualityPool(limits.computeThreads);
  app.addHook('onClose', () => compute.close());
  const routeDeps = {
    store: deps.store,
    cities: deps.cities,
    registry: deps.registry,
    ...(deps.presence && { presence: deps.presence }),
    heavy,
    compute,
    keysOn: deps.apiKeys !== undefined,
  };
  registerCitiesRoute(routes, routeDeps);
  registerSensorsRoute(routes, routeDeps);
  registerLatestRoute(routes, routeDeps);
  registerSeriesRoute(routes, { ...routeDeps, now: deps.now ?? Date.now });
  registerRejectionsRoute(routes, routeDeps);
  registerStandardsRoute(routes);
  registerAqiRoute(routes, { ...routeDeps, now: deps.now ?? Date.now });
  registerExceedancesRoute(routes, { ...routeDeps, now: deps.now ?? Date.now });
  if (deps.admin) registerAdminDeviceRoutes(routes, { ...deps.admin, cities: deps.cities });
  registerReadingsRoute(routes, { ...routeDeps, now: deps.now ?? Date.now });
  await app.ready();
  return app;
}

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/** One line per answered request; probes and scrapes only at debug, they come every few seconds. */
function registerAccessLog(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    const entry = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (route !== undefined && PROBES.has(route)) request.log.debug(entry, 'request answered');
    else request.log.info(entry, 'request answered');
  });
}
