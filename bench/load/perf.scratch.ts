import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDeployment } from './deployments.ts';
import { DeviceFleet } from './device-fleet.ts';
import { waitStored } from './wait-stored.ts';

const kind = (process.argv[2] ?? 'all-in-one') as 'all-in-one' | 'separate';
const rate = Number(process.argv[3] ?? 5000);
const seconds = Number(process.argv[4] ?? 10);
const influxUrl = process.argv[5];
const cpu = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) * 10;
};

import { readdirSync } from 'node:fs';

const threads = (pid: number) => {
  const m = new Map<string, number>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const raw = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      const name = raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')'));
      const f = raw.split(') ')[1]?.split(' ') ?? [];
      m.set(name, (m.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) * 10);
    } catch {}
  }
  return m;
};
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const dataDir = await mkdtemp(join(tmpdir(), 'perf-'));
const d = await startDeployment({
  kind,
  dataDir,
  env: { app: { NODE_OPTIONS: process.env.PROF ? '--cpu-prof --cpu-prof-dir=/tmp/prof' : '' } },
  ...(influxUrl ? { influxUrl, influxDatabase: `perf${Date.now()}` } : {}),
});
const fleet = await DeviceFleet.provisionAndConnect(
  { registryPath: d.registryPath, count: 200 },
  { mqttUrl: d.mqttUrl },
);
const before = d.services().map((s) => [s.spec.name, cpu(s.pid)] as const);
const self0 = selfCpu();
const th0 = d.services().map((s) => threads(s.pid));
const out = await fleet.publishAtRate({ rate, durationMs: seconds * 1000 });
const after = d.services().map((s) => [s.spec.name, cpu(s.pid)] as const);
const self1 = selfCpu();
const th1 = d.services().map((s) => threads(s.pid));
th1.forEach((m, i) => {
  for (const [k, v] of m) {
    const dv = v - (th0[i]?.get(k) ?? 0);
    if (dv > 50)
      console.log(
        '  thread',
        d.services()[i]?.spec.name,
        k,
        ((dv / out.published) * 1000).toFixed(1),
        'us/msg',
      );
  }
});
const t = fleet.totals();
const n = out.published;
console.log('offered', out.offeredRate.toFixed(0), 'skipped', out.skipped, 'totals', JSON.stringify(t));
for (let i = 0; i < before.length; i++)
  console.log(
    before[i]?.[0],
    'cpu ms per 1k msgs',
    ((((after[i]?.[1] ?? 0) - (before[i]?.[1] ?? 0)) / n) * 1000).toFixed(1),
  );
console.log('loadgen cpu ms per 1k', (((self1 - self0) / n) * 1000).toFixed(1));
const w = await waitStored({
  count: () =>
    d.countStored({ from: fleet.firstTs, to: fleet.firstTs + 10_000_000, cities: ['nice', 'zhengzhou'] }),
  target: t.acked,
  quietMs: 5000,
});
console.log('stored', w.stored, 'acked', t.acked, 'drainMs', w.drainMs.toFixed(0), w.reason);
await fleet.close();
await d.stop();
process.exit(0);
