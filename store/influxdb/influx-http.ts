import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { InfluxDB, type SendOptions, type Transport } from '@influxdata/influxdb-client';
import { Decoder } from '@msgpack/msgpack';
import { InfluxStatementError } from './influx-errors.ts';
import { DEFAULT_INFLUX_TIMEOUT_MS, type InfluxStoreOptions, queryDatabase } from './influx-options.ts';
import { queryResponseSchema, type StatementResult } from './influx-results.ts';

export type WritePrecision = 'ms' | 'ns';

/** HTTP to one InfluxDB server through @influxdata/influxdb-client's transport; throws raw errors. */
export interface InfluxHttp {
  /** Sends line protocol to the write endpoint of the configured flavour (v1 or v2). */
  write(lines: readonly string[], precision: WritePrecision): Promise<void>;
  /** Runs one InfluxQL statement over `/query`; `database: false` for server-level statements. */
  query(
    influxql: string,
    options?: {
      readonly database?: boolean;
      readonly signal?: AbortSignal | undefined;
      /**
       * The answer's encoding. MessagePack (InfluxDB 1.x only: 2.x/3.x's /query answers JSON or
       * CSV) costs influxd less: a city month of hourly rollups ~200 ms of its CPU instead of ~280.
       */
      readonly format?: QueryFormat;
    },
  ): Promise<StatementResult>;
  /**
   * Runs one InfluxQL statement as a chunked answer (`chunked=true`): its rows come `chunkRows`
   * at a time, and each chunk is read off the socket only when asked for, so a statement over
   * millions of rows costs influxd one query (not one per page) and this process one chunk.
   */
  queryChunks(influxql: string, chunkRows: number): StatementChunks;
  ping(): Promise<void>;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

/** The chunks of one chunked statement, pulled one at a time. */
export interface StatementChunks {
  /**
   * The next chunk, undefined after the last. Waiting for it is bounded by the store's timeout;
   * `signal` (a request's deadline) ends the whole statement, as close() does.
   */
  next(signal?: AbortSignal): Promise<StatementResult | undefined>;
  /** Ends the statement: influxd stops a query whose client has gone. Idempotent. */
  close(): void;
}

export type QueryFormat = 'json' | 'msgpack';

const ACCEPT: Readonly<Record<QueryFormat, string>> = {
  json: 'application/json',
  msgpack: 'application/x-msgpack',
};

// One decoder for every answer (decoding is synchronous): it keeps its cache of key strings.
const msgpack = new Decoder();

export function createInfluxHttp(options: InfluxStoreOptions): InfluxHttp {
  const timeoutMs = options.timeoutMs ?? DEFAULT_INFLUX_TIMEOUT_MS;
  const secure = new URL(options.url).protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const transportWith = (socketTimeoutMs: number): Transport =>
    new InfluxDB({
      url: options.url,
      timeout: socketTimeoutMs,
      transportOptions: { agent },
      ...(options.api === 'v2' ? { token: options.token } : {}),
      ...(options.api === 'v1' ? { headers: v1AuthHeaders(options) } : {}),
    }).transport;
  const transport = transportWith(timeoutMs);
  // The socket timeout counts the time a chunked answer waits for its reader (a slow export
  // client) as silence from influxd: queryChunks times each wait itself, on a transport without
  // one, made when first needed.
  let untimedTransport: Transport | undefined;
  // The client's socket timeout reports but does not end the request: the signal ends it too.
  // A caller's signal (a request deadline) ends it as well: InfluxDB 1.x stops a query whose client
  // has gone, so an abandoned API request does not keep influxd busy.
  const withDeadline = (sendOptions: SendOptions, signal?: AbortSignal): SendOptions => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return { ...sendOptions, signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]) };
  };
  const send = (path: string, body: string, sendOptions: SendOptions): Promise<unknown> =>
    transport.request(path, body, withDeadline(sendOptions));
  // The body's chunks kept and joined once: the transport's request() copies all it has received
  // at every chunk, ~70 MB of copies (and their garbage) for a 3 MB answer such as a city month.
  const receive = async (
    path: string,
    body: string,
    sendOptions: SendOptions,
    signal?: AbortSignal,
  ): Promise<Buffer> => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of transport.iterate(path, body, withDeadline(sendOptions, signal)))
      chunks.push(chunk);
    return Buffer.concat(chunks);
  };

  return {
    async write(lines, precision) {
      await send(writePath(options, precision), lines.join('\n'), {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    },
    async query(influxql, queryOptions = {}) {
      const params = new URLSearchParams();
      if (queryOptions.database !== false) params.set('db', queryDatabase(options));
      params.set('epoch', 'ms');
      const body = new URLSearchParams({ q: influxql }).toString();
      const format = queryOptions.format ?? 'json';
      const answer = await receive(
        `/query?${params}`,
        body,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: ACCEPT[format] },
        },
        queryOptions.signal,
      );
      if (answer.length === 0) return singleStatement(undefined);
      return singleStatement(
        format === 'json' ? JSON.parse(answer.toString('utf8')) : msgpack.decode(answer),
      );
    },
    queryChunks(influxql, chunkRows) {
      const params = new URLSearchParams({ db: queryDatabase(options), epoch: 'ms', chunked: 'true' });
      params.set('chunk_size', String(chunkRows));
      const ended = new AbortController();
      untimedTransport ??= transportWith(0);
      const bytes = untimedTransport
        .iterate(`/query?${params}`, new URLSearchParams({ q: influxql }).toString(), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: ACCEPT.json },
          signal: ended.signal,
        })
        [Symbol.asyncIterator]();
      const lines = splitLines(bytes);
      return {
        async next(signal) {
          if (signal?.aborted === true) ended.abort(signal.reason);
          const onAbort = () => ended.abort(signal?.reason);
          signal?.addEventListener('abort', onAbort, { once: true });
          const timer = setTimeout(
            () => ended.abort(new Error(`no chunk from InfluxDB within ${timeoutMs} ms`)),
            timeoutMs,
          );
          try {
            for (;;) {
              const line = await lines.next();
              if (line.done === true) return undefined;
              if (line.value.length > 0) return singleStatement(JSON.parse(line.value.toString('utf8')));
            }
          } catch (error) {
            // The abort's reason says why (deadline, timeout) better than the transport's AbortError.
            throw ended.signal.aborted && ended.signal.reason instanceof Error ? ended.signal.reason : error;
          } finally {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
          }
        },
        close() {
          ended.abort(new Error('the chunked query was closed'));
          lines.return(undefined).catch(() => undefined);
        },
      };
    },
    async ping() {
      await send('/ping', '', { method: 'GET' });
    },
    close() {
      agent.destroy();
    },
  };
}

export function writePath(options: InfluxStoreOptions, precision: WritePrecision): string {
  if (options.api === 'v2') {
    const params = new URLSearchParams({ org: options.org, bucket: options.bucket, precision });
    return `/api/v2/write?${params}`;
  }
  const params = new URLSearchParams({ db: options.database });
  if (options.retentionPolicy !== undefined) params.set('rp', options.retentionPolicy);
  params.set('precision', precision);
  return `/write?${params}`;
}

/** HTTP Basic keeps the password out of URLs (and so out of proxy and access logs). */
function v1AuthHeaders(options: InfluxStoreOptions & { api: 'v1' }): Record<string, string> {
  if (options.username !== undefined) {
    const basic = Buffer.from(`${options.username}:${options.password ?? ''}`, 'utf8').toString('base64');
    return { authorization: `Basic ${basic}` };
  }
  if (options.token !== undefined) return { authorization: `Token ${options.token}` };
  return {};
}

/** The newline-separated lines of a byte stream (a chunked answer: one JSON object per line). */
async function* splitLines(bytes: AsyncIterator<Uint8Array>): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  for (;;) {
    const received = await bytes.next();
    if (received.done === true) break;
    let piece = Buffer.from(received.value.buffer, received.value.byteOffset, received.value.byteLength);
    for (let at = piece.indexOf(10); at !== -1; at = piece.indexOf(10)) {
      yield Buffer.concat([...parts, piece.subarray(0, at)]);
      parts = [];
      piece = piece.subarray(at + 1);
    }
    if (piece.length > 0) parts.push(piece);
  }
  if (parts.length > 0) yield Buffer.concat(parts);
}

function singleStatement(json: unknown): StatementResult {
  const response = queryResponseSchema.parse(json);
  if (response.error !== undefined) throw new InfluxStatementError(response.error);
  const [result] = response.results;
  if (result === undefined) throw new InfluxStatementError('the answer holds no statement result');
  if (result.error !== undefined) throw new InfluxStatementError(result.error);
  return result;
}
