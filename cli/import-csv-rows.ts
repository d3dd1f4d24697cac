import { createReadStream } from 'node:fs';
import { CliError } from './cli-io.ts';
import type { ImportBatch, ImportRow, ImportSource } from './import-readings.ts';
import { columnIndex, type ImportColumn } from './import-rows.ts';

/** Bytes read at a time: one chunk of lines is one batch of rows. */
const CHUNK_BYTES = 1 << 20;
/** A row of five short fields is far shorter: a longer line is not a readings file (or has no line breaks). */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * The rows of an import CSV: a header line naming the columns (any order), then one reading a line,
 * comma-separated (the fields `ucap import` reads never hold commas or quotes). Read a megabyte at
 * a time and split by hand: a readline iteration per line was a third of an import's time.
 */
export function csvImportSource(file: string): ImportSource {
  return { label: file, unit: 'line', batches: csvBatches(file) };
}

async function* csvBatches(file: string): AsyncGenerator<ImportBatch> {
  let columns: Record<ImportColumn, number> | undefined;
  let rest = '';
  let line = 0;
  const take = (text: string, rows: ImportRow[]) => {
    line += 1;
    if (text.length > MAX_LINE_CHARS) {
      throw new CliError(
        `${file} line ${line}: longer than ${MAX_LINE_CHARS} characters; is this a CSV file with one reading per line?`,
      );
    }
    const content = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (content.trim() === '') return;
    if (columns !== undefined) {
      rows.push({ at: line, fields: content.split(',') });
      return;
    }
    try {
      columns = columnIndex(content);
    } catch (error) {
      throw new CliError(`${file} line ${line}: ${(error as Error).message}`);
    }
  };
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK_BYTES })) {
    const text = rest + (chunk as string);
    const rows: ImportRow[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      take(text.slice(start, end), rows);
      start = end + 1;
    }
    rest = text.slice(start);
    if (rest.length > MAX_LINE_CHARS) {
      throw new CliError(
        `${file} line ${line + 1}: longer than ${MAX_LINE_CHARS} characters; is this a CSV file with one reading per line?`,
      );
    }
    if (columns !== undefined && rows.length > 0) yield { columns, rows };
  }
  const rows: ImportRow[] = [];
  if (rest !== '') take(rest, rows);
  if (columns !== undefined && rows.length > 0) yield { columns, rows };
}
