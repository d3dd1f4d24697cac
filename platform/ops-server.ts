import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.ts';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency is usable; rejects (or throws) with the reason otherwise. */
  check(): Promise<void>;
}

export interface OpsServerOptions {
  readonly metrics: Registry;
  readonly checks: readonly ReadinessCheck[];
  readonly logger: Logger;
}

/**
 * The operations endpoints every service exposes: `/healthz` (the process is alive), `/readyz`
 * (its dependencies answer: 503 names the ones that do not), `/metrics` (Prometheus text format).
 * Services without their own HTTP API (gateway, ingest) serve it on a small port of its own.
 */
export function registerOpsRoutes<T extends FastifyInstance>(
  app: T,
  options: Omit<OpsServerOptions, 'logger'>,
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(
      options.checks.map(async (c) => {
        try {
          await c.check();
          return { name: c.name, ok: true as const };
        } catch (error) {
          return {
            name: c.name,
            ok: false as const,
            reason: error instanceof Error ? error.message : String(error),
          };
        }
      }),
    );
    const ready = results.every((r) => r.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results });
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await options.metrics.metrics();
    return reply.type(options.metrics.contentType).send(body);
  });
}

export function createOpsServer(options: OpsServerOptions): FastifyInstance {
  const logger: FastifyBaseLogger = options.logger.child({ component: 'ops-http' });
  // Probes and scrapes come every few seconds: no per-request log lines here.
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  registerOpsRoutes(app, options);
  return app;
}
