import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { UcapError } from '../domain/errors.ts';
import { type ApiKey, registerApiKeys } from './api-keys.ts';
import type { ApiLimits } from './api-limits.ts';

/** Probes and scrapes come from the platform every few seconds: never rate limited. */
const UNLIMITED_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Node's socket timeouts, as Fastify passes them to `http.createServer`. Node checks the headers
 * and request timeouts on a timer (30 s by default): it runs at a fifth of the headers timeout so a
 * slowloris client is cut off close to the limit.
 */
export function serverTimeouts(limits: ApiLimits): FastifyServerOptions {
  return {
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.headersTimeoutMs * 2,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: Math.max(200, Math.floor(limits.headersTimeoutMs / 5)),
    },
  } as FastifyServerOptions;
}

/**
 * What protects the API from its clients before any route runs: a connection cap, per-client
 * rate limits, security headers, and CORS for browser notebooks.
 */
export async function registerServerProtection(
  app: FastifyInstance,
  limits: ApiLimits,
  keys?: readonly ApiKey[],
): Promise<void> {
  // Sockets beyond the cap are closed on accept, so file descriptors never run out.
  app.server.maxConnections = limits.maxConnections;
  await app.register(helmet, {
    // Swagger UI at /docs loads its own scripts and styles; nothing else serves HTML.
    contentSecurityPolicy: {
      directives: { 'img-src': ["'self'", 'data:', 'validator.swagger.io'] },
    },
  });
  await app.register(cors, {
    origin: limits.corsOrigins === '*' ? '*' : [...limits.corsOrigins],
    methods: ['GET', 'HEAD', 'OPTIONS'],
    exposedHeaders: ['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining'],
    maxAge: 600,
  });
  // Before the rate limiter, so it can count per key.
  registerApiKeys(app, keys);
  if (limits.rateLimitMax > 0) {
    await app.register(rateLimit, {
      // Per key when keys are on (a key's own limit, or the default), per client IP otherwise.
      keyGenerator: (request) => (request.apiKey === undefined ? request.ip : `key:${request.apiKey.name}`),
      max: (request) => request.apiKey?.rateLimitMax ?? limits.rateLimitMax,
      timeWindow: limits.rateLimitWindowMs,
      allowList: (request) => UNLIMITED_ROUTES.has(request.routeOptions.url ?? ''),
      errorResponseBuilder: (_request, context) =>
        new UcapError(
          'API_RATE_LIMITED',
          `at most ${context.max} requests per ${Math.round(limits.rateLimitWindowMs / 1000)} s per client; retry in ${context.after}`,
          { retryable: true, retryAfterMs: context.ttl },
        ),
    });
  }
}
