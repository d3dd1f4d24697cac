import { readFileSync } from 'node:fs';
import { DeviceFleet } from './device-fleet.ts';

const [registryPath, mqttUrl, rateS, secS, pidS] = process.argv.slice(2);
const cpu = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) * 10;
};
const fleet = await DeviceFleet.provisionAndConnect(
  { registryPath: registryPath as string, count: 200 },
  { mqttUrl: mqttUrl as string },
);
const pid = Number(pidS);
const c0 = cpu(pid);
const out = await fleet.publishAtRate({ rate: Number(rateS), durationMs: Number(secS) * 1000 });
const c1 = cpu(pid);
console.log(
  'offered',
  out.offeredRate.toFixed(0),
  JSON.stringify(fleet.totals()),
  'cpu us/msg',
  (((c1 - c0) / out.published) * 1000).toFixed(1),
);
await new Promise((r) => setTimeout(r, 3000));
console.log(JSON.stringify(fleet.totals()));
await fleet.close();
process.exit(0);
