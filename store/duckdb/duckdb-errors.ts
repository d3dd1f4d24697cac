import { type ErrorCode, isUcapError, UcapError } from '../../domain/errors.ts';

// DuckDB reports failures as plain Errors whose message starts with its error class.
// These classes can pass on their own (disk freed, memory released), so a later retry may succeed;
// anything else (constraint, conversion, binder errors) would fail the same way again.
const TRANSIENT = /^(IO Error|Out of Memory Error|Interrupt Error|TransactionContext Error)/;
const LOCK_CONFLICT = /Could not set lock on file|Conflicting lock is held/i;

export function isLockConflict(error: unknown): boolean {
  return error instanceof Error && LOCK_CONFLICT.test(error.message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Wraps a DuckDB failure in the catalogue error for what was being done; UcapErrors pass through. */
export function storeError(code: ErrorCode, action: string, error: unknown): UcapError {
  if (isUcapError(error)) return error;
  const detail = messageOf(error).split('\n', 1)[0] ?? '';
  return new UcapError(code, `DuckDB store: ${action} failed: ${detail}`, {
    cause: error,
    retryable: code !== 'STORE_QUERY_FAILED' && TRANSIENT.test(detail),
  });
}

const ONE_PROCESS_ADVICE =
  'DuckDB lets only one process use a file. Run all services in one process with `npm start`, ' +
  'or point every service at InfluxDB with INFLUX_URL.';

export function lockedByProcessError(path: string, cause: unknown): UcapError {
  return new UcapError(
    'STORE_LOCKED',
    `The embedded DuckDB store file ${path} is already open in another process. ${ONE_PROCESS_ADVICE}`,
    { cause },
  );
}

export function openTwiceError(path: string): UcapError {
  return new UcapError(
    'STORE_LOCKED',
    `The embedded DuckDB store file ${path} is already open in this process: ` +
      'share the one store, or close it before opening the file again.',
  );
}

export function closedError(path: string): UcapError {
  return new UcapError('STORE_UNAVAILABLE', `The DuckDB store at ${path} is closed.`);
}
