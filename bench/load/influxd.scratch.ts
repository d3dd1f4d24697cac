import { startInfluxd } from '../../tests/setup/influxd.ts';

const s = await startInfluxd();
console.log(s.url);
process.on('SIGTERM', async () => {
  await s.stop();
  process.exit(0);
});
setInterval(() => {}, 1 << 30);
