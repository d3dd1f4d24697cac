import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { millisSchema, positiveIntSchema } from '../platform/config.ts';

const countSchema = z.coerce.number({ message: 'must be a whole number' }).int().min(0);

/**
 * How much work one client may make the API do. Every field has a default that suits a laptop and
 * a public deployment alike; `npm run api` and `npm start` read them from the environment.
 */
export const apiLimitFields = {
  /** A socket with no byte in either direction for this long is closed (idle attackers, dead peers). */
  API_IDLE_TIMEOUT_MS: millisSchema.min(1000, 'must be at least 1000 ms').default(30_000),
  /** Idle keep-alive sockets between requests are closed after this long. */
  API_KEEP_ALIVE_TIMEOUT_MS: millisSchema.min(100, 'must be at least 100 ms').default(5_000),
  /** The request line and headers must arrive within this time (slowloris). */
  API_HEADERS_TIMEOUT_MS: millisSchema.min(1000, 'must be at least 1000 ms').default(10_000),
  /** Open sockets the API port accepts; further ones are refused at once. */
  API_MAX_CONNECTIONS: positiveIntSchema.default(10_000),
  /** A store query or computation still running after this long is cancelled and answered 503. */
  API_REQUEST_DEADLINE_MS: millisSchema.min(100, 'must be at least 100 ms').default(15_000),
  /**
   * Heavy requests (/v1/series, /v1/aqi, /v1/exceedances, /v1/rejections) running at once. One per
   * core by default: more only adds contention (in `npm start`, with the devices' writes).
   */
  API_HEAVY_CONCURRENCY: positiveIntSchema.default(availableParallelism()),
  /** Heavy requests waiting for a slot; beyond that they are answered 503 with Retry-After. */
  API_HEAVY_QUEUE: countSchema.default(16),
  /** Worker threads for the air-quality calculations (/v1/aqi, /v1/exceedances). */
  API_COMPUTE_THREADS: positiveIntSchema.max(16, 'must be at most 16').default(1),
  /** Requests per client (IP address) per window; 0 turns rate limiting off. */
  API_RATE_LIMIT_MAX: countSchema.default(600),
  API_RATE_LIMIT_WINDOW_MS: millisSchema.min(1000, 'must be at least 1000 ms').default(60_000),
  /** Origins browsers may call the API from: `*`, or a comma-separated list of origins; `none` for none. */
  CORS_ORIGINS: z
    .string()
    .default('*')
    .refine((text) => text === '*' || text === 'none' || text.split(',').every(isOrigin), {
      message: 'must be *, none, or a comma-separated list of origins such as https://notebooks.example.org',
    }),
};

export const apiLimitsSchema = z.object(apiLimitFields);
export type ApiLimitsConfig = z.infer<typeof apiLimitsSchema>;

export interface ApiLimits {
  readonly idleTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly maxConnections: number;
  readonly requestDeadlineMs: number;
  readonly heavyConcurrency: number;
  readonly heavyQueue: number;
  readonly computeThreads: number;
  /** 0 = off. */
  readonly rateLimitMax: number;
  readonly rateLimitWindowMs: number;
  /** '*' for any origin, or the origins allowed (empty: no cross-origin access). */
  readonly corsOrigins: '*' | readonly string[];
}

export function apiLimitsFrom(config: ApiLimitsConfig): ApiLimits {
  return {
    idleTimeoutMs: config.API_IDLE_TIMEOUT_MS,
    keepAliveTimeoutMs: config.API_KEEP_ALIVE_TIMEOUT_MS,
    headersTimeoutMs: config.API_HEADERS_TIMEOUT_MS,
    maxConnections: config.API_MAX_CONNECTIONS,
    requestDeadlineMs: config.API_REQUEST_DEADLINE_MS,
    heavyConcurrency: config.API_HEAVY_CONCURRENCY,
    heavyQueue: config.API_HEAVY_QUEUE,
    computeThreads: config.API_COMPUTE_THREADS,
    rateLimitMax: config.API_RATE_LIMIT_MAX,
    rateLimitWindowMs: config.API_RATE_LIMIT_WINDOW_MS,
    corsOrigins: parseOrigins(config.CORS_ORIGINS),
  };
}

/** The defaults, from the one schema above. */
export const DEFAULT_API_LIMITS: ApiLimits = apiLimitsFrom(apiLimitsSchema.parse({}));

function parseOrigins(text: string): '*' | readonly string[] {
  if (text === '*') return '*';
  if (text === 'none') return [];
  return text.split(',').map((origin) => origin.trim());
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text.trim();
  } catch {
    return false;
  }
}
