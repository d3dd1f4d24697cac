import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import type { Device } from '../devices/device.ts';
import type { CityCatalog } from '../domain/cities.ts';
import type { Logger } from '../platform/logger.ts';
import type { ReadinessCheck } from '../platform/ops-server.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';

/** The part of the device registry the API reads. */
export interface DeviceDirectory {
  list(filter?: { city?: string }): Promise<Device[]>;
}

export interface ApiDeps {
  readonly store: TimeSeriesStore;
  readonly cities: CityCatalog;
  readonly registry: DeviceDirectory;
  /** The process's Prometheus registry; the API adds its HTTP request metrics to it. */
  readonly metrics: Registry;
  readonly logger: Logger;
  /** Checked by /readyz besides the store. */
  readonly readinessChecks?: readonly ReadinessCheck[];
  /** Clock for default time ranges (tests pin it); Date.now when absent. */
  readonly now?: () => number;
}

export type RouteDeps = Pick<ApiDeps, 'store' | 'cities' | 'registry'>;

/** The fastify instance routes are registered on: zod schemas validate and type every route. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression<RawServerDefault>,
  RawReplyDefaultExpression<RawServerDefault>,
  FastifyBaseLogger,
  ZodTypeProvider
>;
