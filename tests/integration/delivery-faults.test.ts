import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Deployment, type DeploymentOptions, startDeployment } from '../../bench/load/deployments.ts';
import { DeviceFleet } from '../../bench/load/device-fleet.ts';
import { describeLosses, lossReport } from '../../bench/load/loss-report.ts';
import { DEFAULT_CITIES } from '../../bench/load/provision-devices.ts';
import { waitStored } from '../../bench/load/wait-stored.ts';
import { type RunningInfluxd, startInfluxd } from '../setup/influxd.ts';

// Faults under load, with real processes, counted device by device: whatever breaks, a reading the
// gateway acknowledged is stored, and stored once (the embedded store has no unique index, so a
// reading written twice would count twice). Rates are moderate and no timing is asserted.
const DEVICES = 60;
const RATE = 600;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function start(options: Omit<DeploymentOptions, 'dataDir'> & { dataDir?: string }) {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'ucap-faults-')));
  if (options.dataDir === undefined) cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const deployment = await startDeployment({ ...options, dataDir });
  cleanups.push(() => deployment.stop());
  const fleet = await DeviceFleet.provisionAndConnect(
    { registryPath: deployment.registryPath, count: DEVICES },
    { mqttUrl: deployment.mqttUrl, reconnectPeriodMs: 200 },
  );
  cleanups.push(() => fleet.close());
  return { deployment, fleet };
}

/** Publishes for `durationMs` and runs the fault `faultAtMs` into it. */
async function loadWithFault(
  fleet: DeviceFleet,
  durationMs: number,
  faultAtMs: number,
  fault: () => Promise<void>,
) {
  const publishing = fleet.publishAtRate({ rate: RATE, durationMs });
  await new Promise((resolve) => setTimeout(resolve, faultAtMs));
  await fault();
  await publishing;
}

/** Every QoS 1 message was acknowledged in the end, and each acknowledged reading is stored exactly once. */
async function expectEveryAcknowledgedReadingStoredOnce(deployment: Deployment, fleet: DeviceFleet) {
  expect(await fleet.settle(180_000)).toBe(0);
  const totals = fleet.totals();
  expect(totals.failed).toBe(0);
  expect(totals.acked).toBe(totals.sentQos1);
  const drained = await waitStored({
    count: () =>
      deployment.countStored({
        from: fleet.firstTs - 60_000,
        to: Date.now() + 60_000,
        cities: DEFAULT_CITIES,
      }),
    target: totals.acked,
    quietMs: 5000,
    timeoutMs: 120_000,
  });
  const report = lossReport(fleet.tallies(), drained.counts);
  expect(describeLosses(report, DEVICES), `${report.lost} acknowledged readings lost`).toEqual([]);
  expect(report.unexpected).toBe(0);
  expect(report.stored).toBe(report.acked);
}

async function status(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line === undefined ? Number.NaN : Number(line.split(' ').pop());
}

function opsUrlOf(deployment: Deployment, name: 'gateway' | 'ingest'): string {
  return String(deployment.service(name)?.readyLine.ops);
}

describe('delivery through faults (real processes)', () => {
  it('npm start killed with SIGKILL mid-stream and started again: devices resend, nothing acknowledged is lost', async () => {
    const { deployment, fleet } = await start({ kind: 'all-in-one' });
    await loadWithFault(fleet, 8000, 3000, async () => {
      await deployment.restart('app', 'SIGKILL');
    });
    await fleet.waitConnected(60_000);
    await expectEveryAcknowledgedReadingStoredOnce(deployment, fleet);
  }, 400_000);

  describe('gateway + ingest on InfluxDB', () => {
    let influxd: RunningInfluxd | undefined;

    async function startSeparate(env: DeploymentOptions['env'] = {}) {
      const server = await startInfluxd();
      influxd = server;
      cleanups.push(() => server.stop());
      return start({ kind: 'separate', influxUrl: server.url, influxDatabase: 'faults', env });
    }

    it('ingest killed with SIGKILL mid-stream and restarted: the gateway re-sends what it had not confirmed', async () => {
      const { deployment, fleet } = await startSeparate();
      await loadWithFault(fleet, 8000, 3000, async () => {
        await deployment.restart('ingest', 'SIGKILL');
      });
      await expectEveryAcknowledgedReadingStoredOnce(deployment, fleet);
    }, 400_000);

    it('gateway killed with SIGKILL mid-stream and restarted: devices reconnect and resend what was not acknowledged', async () => {
      const { deployment, fleet } = await startSeparate();
      await loadWithFault(fleet, 8000, 3000, async () => {
        await deployment.restart('gateway', 'SIGKILL');
      });
      await fleet.waitConnected(60_000);
      await expectEveryAcknowledgedReadingStoredOnce(deployment, fleet);
    }, 400_000);

    it('InfluxDB away for 30 s under load: PUBACKs wait, memory stays within its limits, readiness says why and recovers', async () => {
      const maxUnconfirmed = 3000;
      const maxBuffered = 6000;
      const { deployment, fleet } = await startSeparate({
        gateway: { GATEWAY_RELAY_MAX_UNCONFIRMED: String(maxUnconfirmed) },
        ingest: { INGEST_MAX_BUFFERED: String(maxBuffered) },
      });
      const gatewayOps = opsUrlOf(deployment, 'gateway');
      const ingestOps = opsUrlOf(deployment, 'ingest');
      const running = influxd as RunningInfluxd;
      const samples: Array<{ unconfirmed: number; buffered: number }> = [];
      let ingestNotReady: { status: number; body: string } | undefined;
      await loadWithFault(fleet, 40_000, 3000, async () => {
        await running.pause();
        const outageEnds = Date.now() + 30_000;
        while (Date.now() < outageEnds) {
          samples.push({
            unconfirmed: await metricValue(
              `${gatewayOps}/metrics`,
              'ucap_gateway_relay_unconfirmed_messages',
            ),
            buffered: await metricValue(`${ingestOps}/metrics`, 'ucap_ingest_buffered_items{'),
          });
          ingestNotReady ??= await status(`${ingestOps}/readyz`);
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        await running.resume();
      });
      // The devices were held: the backlog reached the limits and stayed within them.
      expect(Math.max(...samples.map((s) => s.unconfirmed))).toBeLessThanOrEqual(maxUnconfirmed);
      expect(Math.max(...samples.map((s) => s.unconfirmed))).toBeGreaterThan(maxUnconfirmed / 2);
      expect(Math.max(...samples.map((s) => s.buffered).filter(Number.isFinite))).toBeLessThanOrEqual(
        maxBuffered,
      );
      expect(ingestNotReady?.status).toBe(503);
      expect(ingestNotReady?.body).toMatch(/store/);
      await expectEveryAcknowledgedReadingStoredOnce(deployment, fleet);
      expect((await status(`${ingestOps}/readyz`)).status).toBe(200);
    }, 400_000);
  });

  it.runIf(process.getuid?.() === 0)(
    'embedded store on a disk that fills up (a real tmpfs): PUBACKs wait, readiness says why, all is stored once space is back',
    async () => {
      const mount = await mkdtemp(join(tmpdir(), 'ucap-small-disk-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mount]);
      cleanups.push(async () => {
        execFileSync('umount', ['-l', mount]);
        await rm(mount, { recursive: true, force: true });
      });
      const dataDir = join(mount, 'data');
      await mkdir(dataDir);
      const { deployment, fleet } = await start({ kind: 'all-in-one', dataDir });
      const filler = join(mount, 'filler');
      let notReady: { status: number; body: string } | undefined;
      let ackedWhileFull = 0;
      await loadWithFault(fleet, 20_000, 3000, async () => {
        // Fill what is left; the write stops at ENOSPC, which is the point.
        await writeFile(filler, Buffer.alloc(48 * 1024 * 1024)).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const ackedBefore = fleet.totals().acked;
        const fullUntil = Date.now() + 8000;
        while (Date.now() < fullUntil) {
          const ready = await status(`${deployment.apiUrl}/readyz`);
          if (ready.status !== 200) notReady ??= ready;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        ackedWhileFull = fleet.totals().acked - ackedBefore;
        await unlink(filler);
      });
      expect(notReady?.status).toBe(503);
      expect(notReady?.body).toMatch(/No space left on device/);
      // A full disk acknowledges nothing (a few in-flight writes may finish before it is noticed).
      expect(ackedWhileFull).toBeLessThan(RATE);
      await expectEveryAcknowledgedReadingStoredOnce(deployment, fleet);
      expect((await status(`${deployment.apiUrl}/readyz`)).status).toBe(200);
    },
    400_000,
  );
});
