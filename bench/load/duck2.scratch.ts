import { DuckDBInstance } from '@duckdb/node-api';

const variant = process.argv[2] ?? 'pk-upsert';
const B = Number(process.argv[3] ?? 800),
  N = Number(process.argv[4] ?? 200);
const inst = await DuckDBInstance.create(`/tmp/duck2-${variant}-${Date.now()}.duckdb`);
const c = await inst.connect();
const pk = variant.startsWith('pk') ? ', PRIMARY KEY (city, device_id, metric, ts)' : '';
await c.run(
  `CREATE TABLE readings (city VARCHAR NOT NULL, device_id VARCHAR NOT NULL, metric VARCHAR NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL, time_source VARCHAR${pk})`,
);
await c.run(
  `CREATE TEMP TABLE st (city VARCHAR, device_id VARCHAR, metric VARCHAR, ts BIGINT, value DOUBLE, time_source VARCHAR)`,
);
const metrics = ['pm25', 'pm10', 'no2', 'temperature'];
let ts = Date.now() - 3_600_000;
const sql: Record<string, string> = {
  'pk-upsert': `INSERT INTO readings SELECT * FROM st ON CONFLICT DO UPDATE SET value = excluded.value, time_source = excluded.time_source`,
  'pk-ignore': `INSERT OR IGNORE INTO readings SELECT * FROM st`,
  nopk: `INSERT INTO readings SELECT * FROM st`,
  'nopk-del': `DELETE FROM readings r USING st s WHERE r.ts BETWEEN (SELECT min(ts) FROM st) AND (SELECT max(ts) FROM st) AND r.ts = s.ts AND r.device_id = s.device_id AND r.metric = s.metric AND r.city = s.city; INSERT INTO readings SELECT * FROM st QUALIFY row_number() OVER (PARTITION BY city, device_id, metric, ts ORDER BY rowid DESC) = 1`,
  'nopk-del2': `DELETE FROM readings r USING st s WHERE r.ts BETWEEN (SELECT min(ts) FROM st) AND (SELECT max(ts) FROM st) AND r.ts = s.ts AND r.device_id = s.device_id AND r.metric = s.metric AND r.city = s.city; INSERT INTO readings SELECT * FROM st`,
};
async function one() {
  await c.run('DELETE FROM st');
  const a = await c.createAppender('st', 'main', 'temp');
  for (let i = 0; i < B / 4; i++) {
    ts += 1;
    for (const m of metrics) {
      a.appendVarchar('nice');
      a.appendVarchar(`dev-${i % 200}`);
      a.appendVarchar(m);
      a.appendBigInt(BigInt(ts));
      a.appendDouble(Math.random());
      a.appendVarchar('device');
      a.endRow();
    }
  }
  a.flushSync();
  a.closeSync();
  await c.run(sql[variant] as string);
}
for (let i = 0; i < 5; i++) await one();
const c0 = process.cpuUsage();
const e0 = performance.now();
const elu0 = performance.eventLoopUtilization();
for (let i = 0; i < N; i++) await one();
const cu = process.cpuUsage(c0);
const el = performance.now() - e0;
const elu = performance.eventLoopUtilization(elu0);
const rows = B * N;
console.log(
  `${variant} batch ${B}: ${((rows / el) * 1000).toFixed(0)} rows/s; cpu ${((cu.user + cu.system) / rows).toFixed(2)} us/row; main ${((elu.active * 1000) / rows).toFixed(2)} us/row`,
);
