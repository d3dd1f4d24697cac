import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

const REQUESTS = 'api_http_requests_total';
const DURATION = 'api_http_request_duration_seconds';
const LABELS = ['method', 'route', 'status_code'];

/**
 * Counts API requests and their durations by route pattern (not raw URL: query strings and
 * unknown paths would make the label set unbounded) and status code.
 */
export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  // A process that builds the API twice on one registry (tests, in-place restarts) reuses the metrics.
  const knownRequests = registry.getSingleMetric(REQUESTS);
  const requests =
    knownRequests instanceof Counter
      ? knownRequests
      : new Counter({
          name: REQUESTS,
          help: 'HTTP requests answered by the API',
          labelNames: LABELS,
          registers: [registry],
        });
  const knownDuration = registry.getSingleMetric(DURATION);
  const duration =
    knownDuration instanceof Histogram
      ? knownDuration
      : new Histogram({
          name: DURATION,
          help: 'Time to answer an API request, in seconds',
          labelNames: LABELS,
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers: [registry],
        });
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
}
