import { unlinkSync, writeFileSync } from 'node:fs';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';

const store = await createDuckDbStore({ path: '/tmp/mnt-duck/ucap.duckdb' });
let ts = Date.now() - 3_600_000;
const batch = () =>
  Array.from({ length: 800 }, (_, i) => ({
    city: 'nice',
    deviceId: `d${i % 200}`,
    metric: 'pm25' as const,
    ts: ts + Math.floor(i / 200),
    value: i,
  }));
for (let i = 0; i < 10; i++) {
  ts += 10;
  await store.writeReadings(batch());
}
try {
  writeFileSync('/tmp/mnt-duck/filler', Buffer.alloc(23 * 1024 * 1024));
} catch (e) {
  console.log('filler partial', (e as Error).message);
}
for (let i = 0; i < 30; i++) {
  ts += 10;
  try {
    await store.writeReadings(batch());
  } catch (e) {
    console.log(
      'write failed',
      (e as any).code,
      (e as any).retryable ?? (e as any).canRetry?.(),
      (e as Error).message.slice(0, 200),
    );
    break;
  }
}
unlinkSync('/tmp/mnt-duck/filler');
for (let i = 0; i < 3; i++) {
  ts += 10;
  try {
    await store.writeReadings(batch());
    console.log('after free: ok');
  } catch (e) {
    console.log('after free: failed', (e as Error).message.slice(0, 200));
  }
}
console.log((await store.latest({ city: 'nice' })).length);
await store.close();
