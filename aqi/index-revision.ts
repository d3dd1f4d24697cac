import { createHash } from 'node:crypto';
import { AQ_POLLUTANTS, type PollutantSeries } from '../domain/air-quality/index.ts';
import { HOUR_MS } from '../domain/air-quality/local-calendar.ts';
import { INDEX_STANDARDS, indexRows } from './index-rows.ts';

/**
 * A fingerprint of the index code's answers, stamped on each stored day: /v1/aqi trusts a stored
 * day only when it was computed by code that gives the same answers as its own. After an upgrade
 * that changes a number (a corrected table, a rounding rule), days stored before it are computed
 * again by the API until the maintainer rewrites them, instead of being served with old numbers.
 * The answers are those of every standard, hourly and daily, on a probe: three days of each
 * pollutant sweeping from clean to hazardous, before and after the dates where versions change
 * (EPA 2024 PM2.5 table, HJ 633-2026), in a zone with a DST change. Nothing is read or written.
 */
const PROBE_STARTS = ['2023-03-24T00:00:00Z', '2026-10-23T00:00:00Z'];
const PROBE_HOURS = 72;
/** Peak of each pollutant's sweep, in the store's units (µg/m³, CO mg/m³): above every table. */
const PEAK: Readonly<Record<string, number>> = {
  pm25: 600,
  pm10: 700,
  no2: 3000,
  o3: 1200,
  so2: 3000,
  co: 60,
};

function probe(start: number): PollutantSeries {
  return Object.fromEntries(
    AQ_POLLUTANTS.map((p, k) => [
      p,
      Array.from({ length: PROBE_HOURS }, (_, h) => ({
        ts: start + h * HOUR_MS,
        // Each pollutant on its own phase, so primary pollutants change across the probe.
        value: Math.round((PEAK[p] ?? 100) * (((h * 7 + k * 11) % PROBE_HOURS) / PROBE_HOURS) ** 2 * 10) / 10,
      })),
    ]),
  );
}

let revision: string | undefined;

export function indexRevision(): string {
  if (revision !== undefined) return revision;
  const hash = createHash('sha256');
  for (const iso of PROBE_STARTS) {
    const start = Date.parse(iso);
    const rows = indexRows({
      city: 'probe',
      timeZone: 'Europe/Paris',
      series: probe(start),
      hours: { from: start + 24 * HOUR_MS, to: start + PROBE_HOURS * HOUR_MS },
      days: { from: start + 24 * HOUR_MS - 2 * HOUR_MS, to: start + PROBE_HOURS * HOUR_MS - 2 * HOUR_MS },
      standards: INDEX_STANDARDS,
    });
    for (const row of rows) hash.update(JSON.stringify([row.standard, row.every, row.ts, row.result]));
  }
  revision = hash.digest('base64url').slice(0, 16);
  return revision;
}
