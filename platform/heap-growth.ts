import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full collection, in
 * percent. V8's own factor reaches 4× when collections are cheap: an API exporting millions of
 * readings (short-lived page objects, some promoted while the next page is read) then held ~28 MB
 * live in ~120 MB of heap, RSS +100 MB during a CSV export. At 100 % the heap stays within 2× its
 * live size. 50 % kept exports ~20 MB smaller still (10M rows: CSV peak 286 vs 306 MiB, Parquet
 * 308 vs 331 MiB), but gave every city month of hourly series (~7 MB of short-lived strings and
 * points, part of them promoted) a full collection: ~25 % more API CPU per request and p99 at
 * 2 clients ~260–370 ms instead of ~230–285 ms (`npm run bench -- export`, `wrk -c2` on
 * `/v1/series`; README "Performance").
 */
export const HEAP_GROWING_PERCENT = 100;

/**
 * Applies HEAP_GROWING_PERCENT to this process. The factor is read at every full collection, so
 * setting it at start-up, before the servers start, applies to the whole run; doing it here rather
 * than on the command line keeps `npm run api`, `npm start`, the container and the benches alike.
 */
export function limitHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
