export interface ProgressSnapshot {
  readonly readingsByCity: Readonly<Record<string, number>>;
  readonly rejectionsByCity: Readonly<Record<string, number>>;
  readonly buffered: number;
  readonly published: number;
}

/** e.g. "progress: nice 1200 readings (+48, 4.8/s), zhengzhou 1500 (+60, 6.0/s) | rejections 2 | buffered 0" */
export function formatProgress(
  previous: ProgressSnapshot,
  current: ProgressSnapshot,
  intervalMs: number,
): string {
  const cities = [
    ...new Set([...Object.keys(current.readingsByCity), ...Object.keys(previous.readingsByCity)]),
  ].sort();
  const parts = cities.map((city) => {
    const now = current.readingsByCity[city] ?? 0;
    const delta = now - (previous.readingsByCity[city] ?? 0);
    return `${city} ${now} readings (+${delta}, ${((delta * 1000) / intervalMs).toFixed(1)}/s)`;
  });
  const rejections = Object.values(current.rejectionsByCity).reduce((a, b) => a + b, 0);
  return `progress: ${parts.length > 0 ? parts.join(', ') : 'no readings yet'} | rejections ${rejections} | buffered ${current.buffered}`;
}
