import { HttpError } from '@influxdata/influxdb-client';
import { isUcapError, UcapError } from '../../domain/errors.ts';

export type StoreErrorCode = 'STORE_WRITE_FAILED' | 'STORE_QUERY_FAILED' | 'STORE_UNAVAILABLE';

/** InfluxDB answered 200 but refused the statement (its `results[].error`). */
export class InfluxStatementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InfluxStatementError';
  }
}

export interface FailureContext {
  /** The code for failures of the operation itself (HTTP 4xx/5xx, refused statements). */
  readonly code: StoreErrorCode;
  /** What was being done, e.g. "writing readings". */
  readonly action: string;
  /** Where, without credentials: describeInfluxTarget(). */
  readonly target: string;
  readonly credentialsHint: string;
  readonly destinationHint: string;
  readonly timeoutMs: number;
}

// Errors of the connection itself: the server is down, unreachable, or dropped the connection.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
]);

/**
 * InfluxDB 1.x's shard states that pass (tsdb.ErrEngineClosed, tsdb.ErrShardDisabled): a shard still
 * opening while influxd starts, or closed for a moment while a database or shard is dropped beside
 * it. The same statement succeeds when tried again.
 */
const TRANSIENT_STATEMENT_ERROR = /engine is closed|shard is disabled/;

/**
 * Turns whatever a request threw into a UcapError that decides its own retry (CONVENTIONS: the
 * ingest writer asks canRetry()/retryAfter(), the adapter never loops): network faults, timeouts,
 * 408, 429, 5xx and a shard closed for a moment may pass if tried again; other 4xx and statement
 * errors (bad line protocol, credentials, a missing database) will not, and the message says what to fix.
 */
export function storeFailure(error: unknown, ctx: FailureContext): UcapError {
  if (isUcapError(error)) return error;
  if (error instanceof HttpError) return httpFailure(error, ctx);
  if (error instanceof InfluxStatementError) {
    return new UcapError(ctx.code, `${ctx.target} refused the query while ${ctx.action}: ${error.message}`, {
      cause: error,
      retryable: TRANSIENT_STATEMENT_ERROR.test(error.message),
    });
  }
  const name = error instanceof Error ? error.name : '';
  if (name === 'RequestTimedOutError' || name === 'AbortError' || name === 'TimeoutError') {
    return new UcapError(
      ctx.code,
      `${ctx.target} did not answer within ${ctx.timeoutMs} ms while ${ctx.action}`,
      {
        cause: error,
        retryable: true,
      },
    );
  }
  const code = errnoCode(error);
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return new UcapError(
      'STORE_UNAVAILABLE',
      `cannot reach ${ctx.target} (${code}) while ${ctx.action}: is it running?`,
      {
        cause: error,
        retryable: true,
      },
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new UcapError(ctx.code, `${ctx.target} gave an unexpected answer while ${ctx.action}: ${detail}`, {
    cause: error,
  });
}

function httpFailure(error: HttpError, ctx: FailureContext): UcapError {
  const status = error.statusCode;
  const said = serverMessage(error);
  const prefix = `${ctx.target} answered ${status} while ${ctx.action}: ${said}`;
  const retryAfterMs = parseRetryAfter(error.headers?.['retry-after']);
  const retry = { cause: error, retryable: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  if (status === 503) return new UcapError('STORE_UNAVAILABLE', prefix, retry);
  if (status === 408 || status === 429 || status >= 500) return new UcapError(ctx.code, prefix, retry);
  const fix = FIXES[status]?.(ctx);
  return new UcapError(ctx.code, fix === undefined ? prefix : `${prefix}; ${fix}`, { cause: error });
}

const FIXES: Readonly<Record<number, (ctx: FailureContext) => string | undefined>> = {
  400: (ctx) =>
    ctx.code === 'STORE_WRITE_FAILED'
      ? 'the batch was refused (part of it may be stored) and will be refused again if resent'
      : undefined,
  401: (ctx) => `the credentials were refused: ${ctx.credentialsHint}`,
  403: (ctx) => `the credentials lack the permission: ${ctx.credentialsHint}`,
  404: (ctx) => ctx.destinationHint,
  413: () => 'the request is larger than the server accepts (max-body-size): write smaller batches',
};

/**
 * InfluxDB 1.x says `{"error": "..."}`, 2.x/3.x `{"code": "...", "message": "..."}`. A MessagePack
 * answer's body is not text: its X-Influxdb-Error header says the same.
 */
function serverMessage(error: HttpError): string {
  const body = error.contentType?.includes('msgpack') === true ? '' : (error.body ?? '');
  try {
    const json: unknown = JSON.parse(body);
    if (typeof json === 'object' && json !== null) {
      const { error: text, message } = json as { error?: unknown; message?: unknown };
      if (typeof text === 'string') return text;
      if (typeof message === 'string') return message;
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  const headerText = error.headers?.['x-influxdb-error'];
  const text = body.trim() || (typeof headerText === 'string' ? headerText : '') || error.statusMessage || '';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Retry-After is delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function errnoCode(error: unknown): string | undefined {
  const own = (error as { code?: unknown } | null)?.code;
  if (typeof own === 'string') return own;
  // fetch-style wrappers keep the socket error as the cause
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof cause === 'string' ? cause : undefined;
}
