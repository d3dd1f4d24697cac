import { Readable } from 'node:stream';
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import { UcapError } from '../domain/errors.ts';
import type { Reading } from '../domain/reading.ts';
import { closePagesWhenDone } from './readings-export.ts';

/**
 * Rows per Parquet row group. A group is encoded in one synchronous call on the event loop (25,000
 * readings: median 24 ms, 90 % under 37 ms on this 2-core machine): larger groups would hold other
 * requests past ~50 ms. Readers fetch and decode a group at a time; the writer holds one.
 */
export const ROW_GROUP_ROWS = 25_000;

/**
 * Parquet exports written at once: each encodes its row groups on the event loop, so a few at once
 * must not take all of its time from the other requests.
 */
export const MAX_PARQUET_EXPORTS = 2;
/** A refused export is told to come back after this: long enough for a small export to end. */
const BUSY_RETRY_AFTER_MS = 5_000;
let running = 0;

/** The CSV export's columns; ts a UTC instant in milliseconds (TIMESTAMP WITH TIME ZONE to DuckDB). */
const SCHEMA: SchemaElement[] = [
  { name: 'schema', num_children: 5 },
  {
    name: 'ts',
    type: 'INT64',
    repetition_type: 'REQUIRED',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
  },
  ...['city', 'device', 'metric'].map(
    (name): SchemaElement => ({
      name,
      type: 'BYTE_ARRAY',
      converted_type: 'UTF8',
      repetition_type: 'REQUIRED',
    }),
  ),
  { name: 'value', type: 'DOUBLE', repetition_type: 'REQUIRED' },
];

/** A Parquet export being written: `body` streams the file's bytes as its row groups are encoded. */
export interface ParquetExport {
  readonly body: Readable;
  /** Settles once the file is complete, failed or abandoned by its reader; rejects on a failure. */
  readonly done: Promise<void>;
}

/**
 * Streams the pages of an export as a Parquet file with the CSV export's columns: ts (timestamp
 * with time zone, UTC, millisecond precision), city, device, metric, value; snappy-compressed,
 * strings dictionary-encoded.
 *
 * The file is written front to back in this process (hyparquet-writer, no native engine): magic,
 * then each row group as soon as it is full, the footer last. A group's bytes go out before the
 * next is read from the store, and only when the client has taken the previous ones, so memory
 * stays one row group whatever the size of the export and a slow client slows the store reads.
 *
 * Destroy `body` to abandon the export: the pages are closed (their store read ends).
 */
export async function streamParquetExport(
  /** Opens the pages (reading the first): called once the export has its place. */
  openPages: () => Promise<AsyncGenerator<readonly Reading[]>>,
  city: string,
): Promise<ParquetExport> {
  if (running >= MAX_PARQUET_EXPORTS) {
    throw new UcapError(
      'API_BUSY',
      `${MAX_PARQUET_EXPORTS} Parquet exports are being written, the most this server writes at once; retry shortly, or export as csv`,
      { retryable: true, retryAfterMs: BUSY_RETRY_AFTER_MS },
    );
  }
  running += 1;
  let release = () => {
    running -= 1;
    release = () => {};
  };
  try {
    const pages = await openPages();
    const body = Readable.from(parquetBytes(pages, city), { objectMode: false, highWaterMark: 0 });
    const done = new Promise<void>((resolve, reject) => {
      closePagesWhenDone(body, pages, (error) => {
        release();
        // A reader leaving early is not a failure of the export.
        if (error === undefined || error === null || isPrematureClose(error)) resolve();
        else reject(error);
      });
    });
    return { body, done };
  } catch (error) {
    release();
    throw error;
  }
}

/** The file's bytes, a row group at a time. */
async function* parquetBytes(
  pages: AsyncGenerator<readonly Reading[]>,
  city: string,
): AsyncGenerator<Buffer> {
  const writer = new ByteWriter(1 << 20);
  const parquet = new ParquetWriter({ writer, schema: SCHEMA, createdBy: 'ucap-monitor' });
  const group = new RowGroupColumns(city);
  for await (const page of pages) {
    for (let at = 0; at < page.length; ) {
      at = group.add(page, at);
      if (group.size < ROW_GROUP_ROWS) continue;
      parquet.write({ columnData: group.take(), rowGroupSize: ROW_GROUP_ROWS });
      yield takeBytes(writer);
    }
  }
  if (group.size > 0) parquet.write({ columnData: group.take(), rowGroupSize: ROW_GROUP_ROWS });
  parquet.finish();
  yield takeBytes(writer);
}

/** The columns of the row group being filled, as hyparquet-writer takes them. */
class RowGroupColumns {
  private ts: number[] = [];
  private devices: string[] = [];
  private metrics: string[] = [];
  private values: number[] = [];
  private readonly city: string;

  constructor(city: string) {
    this.city = city;
  }

  get size(): number {
    return this.ts.length;
  }

  /** Adds the page's readings from `from` until the group is full; where it stopped. */
  add(page: readonly Reading[], from: number): number {
    const end = Math.min(page.length, from + ROW_GROUP_ROWS - this.ts.length);
    for (let i = from; i < end; i++) {
      const reading = page[i] as Reading;
      this.ts.push(Math.round(reading.ts));
      this.devices.push(reading.deviceId);
      this.metrics.push(reading.metric);
      this.values.push(reading.value);
    }
    return end;
  }

  take() {
    const columnData = [
      { name: 'ts', data: this.ts },
      { name: 'city', data: new Array<string>(this.ts.length).fill(this.city) },
      { name: 'device', data: this.devices },
      { name: 'metric', data: this.metrics },
      { name: 'value', data: this.values },
    ];
    this.ts = [];
    this.devices = [];
    this.metrics = [];
    this.values = [];
    return columnData;
  }
}

/** What the writer holds since the last take, copied out; the writer starts over at its start. */
function takeBytes(writer: ByteWriter): Buffer {
  const bytes = Buffer.from(writer.getBuffer());
  writer.index = 0;
  return bytes;
}

function isPrematureClose(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
}
