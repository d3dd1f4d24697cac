import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Deployment, type DeploymentKind, startDeployment } from '../../bench/load/deployments.ts';
import { DeviceFleet } from '../../bench/load/device-fleet.ts';
import { describeLosses, lossReport } from '../../bench/load/loss-report.ts';
import { DEFAULT_CITIES } from '../../bench/load/provision-devices.ts';
import { waitStored } from '../../bench/load/wait-stored.ts';

// The promise of the project, tried as users run it: a reading the gateway acknowledged (PUBACK)
// is a reading the store keeps. Real processes with default settings, 100 registered devices on
// their own connections, >= 20,000 QoS 1 messages with QoS 0 mixed in, compared per device.
// The rate is moderate so a busy machine does not change the outcome; no timing is asserted.
const DEVICES = 100;
const RATE = 2000;
const DURATION_MS = 11_000;
const QOS0_SHARE = 0.05;

const deployments: Array<{ kind: DeploymentKind; name: string }> = [
  { kind: 'all-in-one', name: 'npm start (all-in-one, embedded store)' },
  { kind: 'separate', name: 'gateway + ingest + api processes on InfluxDB 1.x' },
];

describe.each(deployments)('delivery under load: $name', ({ kind }) => {
  let dataDir: string;
  let deployment: Deployment | undefined;
  let fleet: DeviceFleet | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ucap-delivery-load-'));
    deployment = await startDeployment({
      kind,
      dataDir,
      ...(kind === 'separate'
        ? { influxUrl: inject('influxUrl'), influxDatabase: `delivery_load_${process.pid}_${Date.now()}` }
        : {}),
    });
    fleet = await DeviceFleet.provisionAndConnect(
      { registryPath: deployment.registryPath, count: DEVICES },
      { mqttUrl: deployment.mqttUrl },
    );
  }, 180_000);

  afterAll(async () => {
    await fleet?.close();
    await deployment?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stores every reading the gateway acknowledged, device by device', async () => {
    if (!fleet || !deployment) throw new Error('not started');
    const running = deployment;
    const published = await fleet.publishAtRate({
      rate: RATE,
      durationMs: DURATION_MS,
      qos0Share: QOS0_SHARE,
    });
    expect(published.published + published.skipped).toBe(RATE * (DURATION_MS / 1000));
    // Every QoS 1 message is acknowledged in the end (mqtt.js resends what was not).
    expect(await fleet.settle(120_000)).toBe(0);
    const totals = fleet.totals();
    expect(totals.failed).toBe(0);
    expect(totals.sentQos1).toBeGreaterThanOrEqual(20_000);
    expect(totals.sentQos0).toBeGreaterThan(0);
    expect(totals.acked).toBe(totals.sentQos1);

    const firstTs = fleet.firstTs;
    const drained = await waitStored({
      count: () =>
        running.countStored({ from: firstTs - 60_000, to: Date.now() + 60_000, cities: DEFAULT_CITIES }),
      target: totals.acked,
      quietMs: 5000,
      timeoutMs: 120_000,
    });
    const report = lossReport(fleet.tallies(), drained.counts);
    const summary = `${report.lost} of ${report.acked} acknowledged readings not stored, on ${report.devices.length} of ${DEVICES} devices`;
    expect(report.exact).toBe(true);
    expect(describeLosses(report, DEVICES), summary).toEqual([]);
    expect(report.stored).toBe(report.acked);
  }, 300_000);
});
