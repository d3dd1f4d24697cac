import v8 from 'node:v8';

process.on('SIGUSR2', () => {
  const m = process.memoryUsage();
  const spaces = v8
    .getHeapSpaceStatistics()
    .map(
      (s) =>
        `${s.space_name}:${(s.space_size / 2 ** 20).toFixed(1)}/${(s.space_used_size / 2 ** 20).toFixed(1)}`,
    );
  console.error(
    JSON.stringify({
      rss: (m.rss / 2 ** 20).toFixed(1),
      heapTotal: (m.heapTotal / 2 ** 20).toFixed(1),
      heapUsed: (m.heapUsed / 2 ** 20).toFixed(1),
      external: (m.external / 2 ** 20).toFixed(1),
      ab: (m.arrayBuffers / 2 ** 20).toFixed(1),
      spaces,
    }),
  );
});
await import('./api/main.ts');
