import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import { readingsTopic } from '../../domain/topics.ts';
import { gatewayConfigSchema } from '../../gateway/gateway-config.ts';
import { pipelineFromConfig } from '../../ingest/pipeline-from-config.ts';
import { loadCityCatalog } from '../../platform/city-config.ts';
import { parseConfig } from '../../platform/config.ts';
import { silentLogger } from '../../platform/logger.ts';
import { openStore } from '../../store/open-store.ts';
import { connectClient, startTestGateway, type TestGateway } from './gateway-fixture.ts';

/**
 * Readings the way devices send them, into real InfluxDB 1.x: `npm run gateway` with
 * GATEWAY_INGEST=embedded, minus the process — the real aedes gateway on a loopback port (device
 * registry, ACL), the pipeline every writing process builds (pipelineFromConfig: decode, validate,
 * batch, store, index-series maintainer) over the store opened from INFLUX_URL/INFLUX_DB, and each
 * device a real mqtt.js client publishing native payloads at QoS 1. A publish resolves on its
 * PUBACK, which the gateway sends once the reading is stored.
 */
export interface InfluxIngest {
  /** Registers a device of a city and connects it (once per id). */
  connect(city: string, deviceId: string): Promise<void>;
  /** One native payload `{ts, values}` from a connected device, at QoS 1; resolves on its PUBACK. */
  publish(city: string, deviceId: string, ts: number, values: Record<string, unknown>): Promise<void>;
  /**
   * Devices disconnect, the gateway stops, the pipeline closes: its last batch is stored and the
   * index series of every day the readings touched are written (the maintainer's final flush).
   */
  finish(): Promise<void>;
}

export async function startInfluxIngest(influxUrl: string, database: string): Promise<InfluxIngest> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ucap-influx-ingest-'));
  const config = parseConfig(gatewayConfigSchema, {
    INFLUX_URL: influxUrl,
    INFLUX_DB: database,
    DATA_DIR: dataDir,
    GATEWAY_INGEST: 'embedded',
    MQTT_SERVICE_PASSWORD: 'test-service-secret-0123',
    INGEST_FLUSH_INTERVAL_MS: '20',
    // Flushed by finish(); a timer flush in between would only do the same work twice.
    INDEX_SERIES_FLUSH_MS: '3600000',
  });
  const logger = silentLogger();
  const registry = openDeviceRegistry(deviceRegistryPath(config.DATA_DIR));
  const cities = loadCityCatalog();
  const store = await openStore(config, logger);
  const pipeline = pipelineFromConfig({ config, store, registry, cities, logger, metrics: new Registry() });
  let gw: TestGateway;
  try {
    gw = await startTestGateway({ intake: { kind: 'embedded', pipeline }, dataDir, registry });
  } catch (error) {
    await pipeline.close();
    await store.close();
    throw error;
  }
  // Connecting, by device id: one registration and one client per device however often asked.
  const devices = new Map<string, Promise<MqttClient>>();
  const clients: MqttClient[] = [];
  let finished: Promise<void> | undefined;
  return {
    async connect(city, deviceId) {
      if (!devices.has(deviceId)) {
        devices.set(
          deviceId,
          registry
            .add({ id: deviceId, city })
            .then((credentials) => connectClient(gw.url, credentials, { clientId: deviceId }, clients)),
        );
      }
      await devices.get(deviceId);
    },
    async publish(city, deviceId, ts, values) {
      const client = await devices.get(deviceId);
      if (!client) throw new Error(`device ${deviceId} is not connected`);
      await client.publishAsync(readingsTopic(city, deviceId), JSON.stringify({ ts, values }), { qos: 1 });
    },
    finish() {
      finished ??= (async () => {
        try {
          await Promise.all(clients.map((c) => c.endAsync()));
          await gw.close();
          await pipeline.close();
        } finally {
          await store.close();
          await rm(dataDir, { recursive: true, force: true });
        }
      })();
      return finished;
    },
  };
}
