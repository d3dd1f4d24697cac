/**
 * The error catalogue. Every error the system raises or reports carries one of these stable
 * codes, a message a person can act on, and (where there is one) the underlying cause.
 * docs/errors.md documents each code; a unit test keeps the two in step.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 'An environment variable has a value the service cannot use.',
  INGEST_INVALID_JSON: 'The MQTT payload is not valid JSON (or not UTF-8).',
  INGEST_INVALID_PAYLOAD: 'The payload does not have the shape of the device contract.',
  INGEST_UNKNOWN_METRIC: 'The payload names a metric that is not in the metric catalog.',
  INGEST_OUT_OF_RANGE: 'A value lies outside the physically possible range of its metric.',
  INGEST_BAD_TIMESTAMP:
    'The timestamp is not an RFC 3339 date-time with offset nor an epoch time the format allows.',
  INGEST_FUTURE_TIMESTAMP: 'The timestamp is further in the future than the allowed clock skew.',
  INGEST_STALE_TIMESTAMP: 'The timestamp is older than the maximum accepted age.',
  INGEST_UNKNOWN_UNIT: 'A value carries a unit that is unknown or cannot measure its metric.',
  INGEST_DEVICE_MISMATCH: 'The payload names a different device than the topic it was published on.',
  INGEST_UNKNOWN_CITY: 'The topic names a city that is not in the city catalog.',
  INGEST_BAD_TOPIC: 'The message was published on a topic outside the topic scheme.',
  STORE_WRITE_FAILED: 'The time-series store did not accept a write.',
  STORE_QUERY_FAILED: 'The time-series store could not answer a query.',
  STORE_UNAVAILABLE: 'The time-series store cannot be reached or opened.',
  STORE_LOCKED: 'The embedded store is already open in another process.',
  DEVICE_EXISTS: 'A device with this id is already registered.',
  DEVICE_NOT_FOUND: 'No device with this id is registered.',
  DEVICE_INVALID: 'A device registration has an invalid id, city or option.',
  REGISTRY_CORRUPT: 'The device registry file cannot be read.',
  REGISTRY_UNAVAILABLE: 'The device registry file or its lock cannot be read or written (permissions, disk).',
  AUTH_BUSY: 'Too many device logins are being checked at once; the client should retry shortly.',
  AQ_INVALID_INPUT:
    'An air-quality calculation got a value it cannot use (negative, not finite, duplicate hour, unknown standard, version or grade).',
  API_BAD_REQUEST: 'A request parameter is missing or has a value that is not allowed.',
  API_NOT_FOUND: 'The requested resource does not exist.',
  API_INTERNAL: 'The server failed while answering; the request itself may be fine.',
  API_UNAUTHORIZED:
    'The request needs `Authorization: Bearer <credential>` (an API key when keys are on; ADMIN_TOKEN for /v1/admin) and had none or a wrong one.',
  API_RATE_LIMITED: 'The client sent more requests than its rate limit allows; retry after the given time.',
  API_BUSY: 'The server is already running as many heavy requests as it allows; retry after the given time.',
  API_DEADLINE: 'The request took longer than the per-request deadline and was cancelled.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface UcapErrorOptions {
  readonly cause?: unknown;
  /** Whether repeating the same operation later may succeed (network faults, overload). */
  readonly retryable?: boolean;
  /** Suggested wait before a retry, in milliseconds. */
  readonly retryAfterMs?: number;
}

export class UcapError extends Error {
  readonly code: ErrorCode;
  readonly #retryable: boolean;
  readonly #retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: UcapErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UcapError';
    this.code = code;
    this.#retryable = options.retryable ?? false;
    this.#retryAfterMs = options.retryAfterMs;
  }

  canRetry(): boolean {
    return this.#retryable;
  }

  retryAfter(): number | undefined {
    return this.#retryAfterMs;
  }
}

export function isUcapError(error: unknown, code?: ErrorCode): error is UcapError {
  return error instanceof UcapError && (code === undefined || error.code === code);
}

/** Errors decide their own retry (`canRetry()`, as UcapError and influxdb-client-js errors do). */
export function isRetryable(error: unknown): boolean {
  const e = error as { canRetry?: unknown } | null;
  return typeof e === 'object' && e !== null && typeof e.canRetry === 'function' && e.canRetry() === true;
}
