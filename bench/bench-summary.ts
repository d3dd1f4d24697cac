import { type BenchFigures, QUERY_NAMES, type QueryName } from './bench-figures.ts';
import { type BenchTable, formatCount, formatMs, formatRatio } from './bench-format.ts';
import { ratio } from './bench-stats.ts';

type Row = readonly [comparison: string, a: string, b: string, ratio: string];

const QUERY_LABELS: Readonly<Record<QueryName, string>> = {
  latest: 'latest',
  'series-1h': 'series 1 h',
  'series-1d': 'series 1 local day',
};

/** Ratios across benchmarks; a comparison whose inputs did not run is left out (undefined: none left). */
export function summaryTable(figures: BenchFigures): BenchTable | undefined {
  const rows: Row[] = [...writeRatios(figures), ...queryRatios(figures), ...e2eRatios(figures)];
  if (rows.length === 0) return undefined;
  return { title: 'Summary', columns: ['comparison', 'A', 'B', 'A / B'], rows };
}

function writeRatios({ writes }: BenchFigures): Row[] {
  const influx = writes?.influxdb;
  const duck = writes?.duckdb;
  if (influx === undefined || duck === undefined) return [];
  return [...duck.keys()].flatMap((size): Row[] => {
    const a = influx.get(size)?.readingsPerSec;
    const b = duck.get(size)?.readingsPerSec;
    if (a === undefined || b === undefined) return [];
    return [
      [
        `InfluxDB / DuckDB write readings/s, batch ${formatCount(size)}`,
        rate(a),
        rate(b),
        formatRatio(ratio(a, b)),
      ],
    ];
  });
}

function queryRatios({ queries }: BenchFigures): Row[] {
  const influx = queries?.influxdb;
  const duck = queries?.duckdb;
  if (influx === undefined || duck === undefined) return [];
  return QUERY_NAMES.flatMap((name): Row[] => {
    const a = influx[name]?.p50;
    const b = duck[name]?.p50;
    if (a === undefined || b === undefined) return [];
    return [[`InfluxDB / DuckDB p50 latency, ${QUERY_LABELS[name]}`, ms(a), ms(b), formatRatio(ratio(a, b))]];
  });
}

function e2eRatios({ e2e, writes, decode }: BenchFigures): Row[] {
  if (e2e === undefined) return [];
  const rows: Row[] = [];
  const raw = nearestWriteRate(writes?.duckdb, e2e.ingestBatchSize);
  if (raw !== undefined) {
    rows.push([
      `end-to-end / raw DuckDB write readings/s (batch ${formatCount(raw.size)})`,
      rate(e2e.readingsPerSec),
      rate(raw.readingsPerSec),
      formatRatio(ratio(e2e.readingsPerSec, raw.readingsPerSec)),
    ]);
  }
  if (decode !== undefined) {
    rows.push([
      'end-to-end / decode-only messages/s',
      rate(e2e.messagesPerSec),
      rate(decode.messagesPerSec),
      formatRatio(ratio(e2e.messagesPerSec, decode.messagesPerSec)),
    ]);
  }
  return rows;
}

/** The raw write figure at the batch size closest to ingest's. */
function nearestWriteRate(
  byBatch: ReadonlyMap<number, { readonly readingsPerSec: number }> | undefined,
  size: number,
): { size: number; readingsPerSec: number } | undefined {
  if (byBatch === undefined || byBatch.size === 0) return undefined;
  const sizes = [...byBatch.keys()].sort((a, b) => Math.abs(a - size) - Math.abs(b - size) || a - b);
  const nearest = sizes[0] as number;
  const figure = byBatch.get(nearest);
  return figure === undefined ? undefined : { size: nearest, readingsPerSec: figure.readingsPerSec };
}

const rate = (perSec: number) => `${formatCount(perSec)}/s`;
const ms = (value: number) => `${formatMs(value)} ms`;
