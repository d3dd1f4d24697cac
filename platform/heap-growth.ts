import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full collection, in
 * percent. V8's own factor reaches 4× when collections are cheap: an API exporting millions of
 * readings (short-lived page objects, some promoted while the next page is read) then held ~28 MB
 * live in ~120 MB of heap, RSS +100 MB during a CSV export. At 50 % the export's heap stays within
 * ~1.5× its live size (+25–45 MB RSS), for more, shorter full collections (measured with
 * `npm run bench -- export`; README "Import and export benches").
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Applies HEAP_GROWING_PERCENT to this process. The factor is read at every full collection, so
 * setting it at start-up, before the servers start, applies to the whole run; doing it here rather
 * than on the command line keeps `npm run api`, `npm start`, the container and the benches alike.
 */
export function limitHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
