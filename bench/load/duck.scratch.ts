import type { Reading } from '../../domain/reading.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';

const store = await createDuckDbStore({ path: `/tmp/duck-${Date.now()}.duckdb` });
const metrics = ['pm25', 'pm10', 'no2', 'temperature'] as const;
let ts = Date.now() - 3_600_000;
const batch = (n: number): Reading[] => {
  const out: Reading[] = [];
  for (let i = 0; i < n / 4; i++) {
    ts += 1;
    for (const m of metrics)
      out.push({ city: 'nice', deviceId: `dev-${i % 200}`, metric: m, ts, value: Math.random() * 50 });
  }
  return out;
};
const B = Number(process.argv[2] ?? 800);
const N = Number(process.argv[3] ?? 200);
for (let i = 0; i < 5; i++) await store.writeReadings(batch(B));
const c0 = process.cpuUsage();
const e0 = performance.now();
const elu0 = performance.eventLoopUtilization();
for (let i = 0; i < N; i++) await store.writeReadings(batch(B));
const c = process.cpuUsage(c0);
const el = performance.now() - e0;
const elu = performance.eventLoopUtilization(elu0);
const rows = B * N;
console.log(
  `batch ${B}: ${((rows / el) * 1000).toFixed(0)} rows/s; process cpu ${((c.user + c.system) / rows).toFixed(2)} us/row; main-thread active ${((elu.active * 1000) / rows).toFixed(2)} us/row`,
);
await store.close();
