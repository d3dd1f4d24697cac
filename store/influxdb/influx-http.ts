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
  ping(): Promise<void>;
  /** Closes idle keep-alive sockets. */
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
  const client = new InfluxDB({
    url: options.url,
    timeout: timeoutMs,
    transportOptions: { agent },
    ...(options.api === 'v2' ? { token: options.token } : {}),
    ...(options.api === 'v1' ? { headers: v1AuthHeaders(options) } : {}),
  });
  const transport: Transport = client.transport;
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

function singleStatement(json: unknown): StatementResult {
  const response = queryResponseSchema.parse(json);
  if (response.error !== undefined) throw new InfluxStatementError(response.error);
  const [result] = response.results;
  if (result === undefined) throw new InfluxStatementError('the answer holds no statement result');
  if (result.error !== undefined) throw new InfluxStatementError(result.error);
  return result;
}
