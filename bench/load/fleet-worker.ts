import { parentPort, workerData } from 'node:worker_threads';
import { DeviceFleet } from './device-fleet.ts';
import type {
  FleetReply,
  FleetRequest,
  FleetWorkerData,
  PublishSample,
  TallySnapshot,
} from './fleet-protocol.ts';

// One worker thread of a ThreadedFleet: a DeviceFleet for its share of the devices.
const port = parentPort;
if (port === null) throw new Error('fleet-worker.ts runs as a worker thread (see threaded-fleet.ts)');
const reply = (message: FleetReply) => port.postMessage(message);

const { connect } = workerData as FleetWorkerData;
const fleet = await DeviceFleet.connect(connect).catch((error: unknown) => {
  reply({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  return undefined;
});

if (fleet !== undefined) {
  port.on('message', (request: FleetRequest) => {
    handle(fleet, request).then(
      (result) => reply({ kind: 'result', id: request.id, result }),
      (error: unknown) =>
        reply({
          kind: 'error',
          id: request.id,
          message: error instanceof Error ? error.message : String(error),
        }),
    );
  });
  reply({ kind: 'ready' });
}

async function handle(fleet: DeviceFleet, request: FleetRequest) {
  switch (request.op) {
    case 'publish': {
      // Sample one QoS 1 message per device per sampleEveryMs; send samples every 100 ms.
      const lastSampled = new Map<string, number>();
      let batch: PublishSample[] = [];
      const flush = () => {
        if (batch.length === 0) return;
        reply({ kind: 'samples', samples: batch });
        batch = [];
      };
      const timer = setInterval(flush, 100);
      try {
        return await fleet.publishAtRate({
          rate: request.rate,
          durationMs: request.durationMs,
          qos0Share: request.qos0Share,
          onPublish: (device, ts, qos, at) => {
            if (qos !== 1 || request.sampleEveryMs <= 0) return;
            const last = lastSampled.get(device.id);
            if (last !== undefined && at - last < request.sampleEveryMs) return;
            lastSampled.set(device.id, at);
            batch.push({ deviceId: device.id, ts, sentAt: performance.timeOrigin + at });
          },
        });
      } finally {
        clearInterval(timer);
        flush();
      }
    }
    case 'settle':
      return fleet.settle(request.timeoutMs);
    case 'totals':
      return fleet.totals();
    case 'tallies':
      return fleet.tallies().map(
        (t): TallySnapshot => ({
          id: t.id,
          city: t.city,
          sentQos1: t.sentQos1,
          sentQos0: t.sentQos0,
          acked: t.acked,
          failed: t.failed,
          nextSeq: t.nextSeq,
          ackedRuns: t.ackedSeqs.runs(),
        }),
      );
    case 'ackLatencies':
      return Float64Array.from(fleet.takeAckLatencies());
    case 'close':
      await fleet.close();
      setImmediate(() => port?.close());
      return null;
  }
}
