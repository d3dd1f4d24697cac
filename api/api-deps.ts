import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { PresenceSource } from '../devices/presence-file.ts';
import type { CityCatalog } from '../domain/cities.ts';
import type { Logger } from '../platform/logger.ts';
import type { ReadinessCheck } from '../platform/ops-server.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import type { ApiKey } from './api-keys.ts';
import type { ApiLimits } from './api-limits.ts';
import type { AirQualityCompute } from './compute/air-quality-pool.ts';
import type { HeavyWork } from './heavy-work.ts';

export interface ApiDeps {
  readonly store: TimeSeriesStore;
  readonly cities: CityCatalog;
  /** Only read: the API lists devices, it never registers them. */
  readonly registry: Pick<DeviceRegistry, 'list'>;
  /** The process's Prometheus registry; the API adds its HTTP request metrics to it. */
  readonly metrics: Registry;
  readonly logger: Logger;
  /** Checked by /readyz besides the store. */
  readonly readinessChecks?: readonly ReadinessCheck[];
  /** Whether devices are connected now (the gateway in-process, or its DATA_DIR/presence.json); none when absent. */
  readonly presence?: PresenceSource;
  /** Device provisioning under /v1/admin, only when ADMIN_TOKEN is set (routes/admin-devices.ts). */
  readonly admin?: {
    readonly token: string;
    readonly registry: Pick<DeviceRegistry, 'list' | 'add' | 'remove' | 'rotate'>;
  };
  /** API keys (api-keys.ts); absent: the API is open. */
  readonly apiKeys?: readonly ApiKey[];
  /** Timeouts, caps and rate limits; DEFAULT_API_LIMITS for what is not given. */
  readonly limits?: Partial<ApiLimits>;
  /** Clock for default time ranges (tests pin it); Date.now when absent. */
  readonly now?: () => number;
}

export type RouteDeps = Pick<ApiDeps, 'store' | 'cities' | 'registry' | 'presence'> & {
  /** Admission and deadline of the routes that scan the store or compute (heavy-work.ts). */
  readonly heavy: HeavyWork;
  /** Air-quality calculations in worker threads (compute/air-quality-pool.ts). */
  readonly compute: AirQualityCompute;
  /** Whether API keys are on (raw rejected payloads then need an operator key). */
  readonly keysOn: boolean;
};

/** The fastify instance routes are registered on: zod schemas validate and type every route. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression<RawServerDefault>,
  RawReplyDefaultExpression<RawServerDefault>,
  FastifyBaseLogger,
  ZodTypeProvider
>;
