import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One Prometheus registry per process. Services register their own counters on it; the all-in-one
 * process shares it, so a single /metrics shows gateway, ingest and API together.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
