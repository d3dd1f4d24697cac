/** A table printed by a benchmark: a title, column headers and pre-formatted cells. */
export interface BenchTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
  /** Leading columns holding text, left-aligned (default 1); the rest hold figures, right-aligned. */
  readonly textColumns?: number;
  /** Lines printed under the table (sizes used, caveats). */
  readonly notes?: readonly string[];
}

const MISSING = '–';

/** Columns padded to their widest cell; text columns left-aligned, figures right-aligned. */
export function renderTable(table: BenchTable): string {
  const widths = table.columns.map((column, i) =>
    Math.max(column.length, ...table.rows.map((row) => (row[i] ?? MISSING).length)),
  );
  const textColumns = table.textColumns ?? 1;
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i < textColumns ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const cellsOf = (row: readonly string[]) => table.columns.map((_, i) => row[i] ?? MISSING);
  return [
    `== ${table.title}`,
    line(table.columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...table.rows.map((row) => line(cellsOf(row))),
    ...(table.notes ?? []).map((note) => `   ${note}`),
  ].join('\n');
}

/** 1234567 → "1,234,567"; fractions only below 100 so small rates stay readable. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return MISSING;
  const digits = Math.abs(value) < 100 && !Number.isInteger(value) ? 1 : 0;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Milliseconds with precision that suits the magnitude: 0.042, 4.21, 42.1, 421. */
export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return MISSING;
  if (value < 1) return value.toFixed(3);
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return value.toFixed(0);
}

export function formatMiB(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / 1024 / 1024).toFixed(1) : MISSING;
}

/** "×2.35"; a missing ratio (benchmark not run) prints as a dash. */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `×${value.toFixed(2)}` : MISSING;
}
