import { describe, expect, it } from 'vitest';
import { isUcapError } from '../../domain/errors.ts';
import { DEFAULT_BATCH_LIMITS } from '../../ingest/batch-writer.ts';
import { batchOptionsFrom, ingestConfigSchema, timePolicyFrom } from '../../ingest/ingest-config.ts';
import { parseConfig } from '../../platform/config.ts';

function configError(env: Record<string, string>): string {
  try {
    parseConfig(ingestConfigSchema, env);
  } catch (error) {
    if (isUcapError(error, 'CONFIG_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('ingest configuration', () => {
  it('needs only the service password; everything else has a working default', () => {
    const config = parseConfig(ingestConfigSchema, { MQTT_SERVICE_PASSWORD: 'from-the-gateway' });
    expect(config).toMatchObject({
      MQTT_HOST: '127.0.0.1',
      MQTT_PORT: 1883,
      MQTT_SERVICE_USERNAME: 'ucap-ingest',
      INGEST_CLIENT_ID: 'ucap-ingest',
      INGEST_HTTP_PORT: 9102,
      BIND_HOST: '127.0.0.1',
      DATA_DIR: './data',
    });
    expect(batchOptionsFrom(config)).toEqual(DEFAULT_BATCH_LIMITS);
    expect(timePolicyFrom(config)).toEqual({ maxFutureMs: 300_000, maxAgeMs: 30 * 24 * 3_600_000 });
  });

  it('keeps raw readings at least as long as ingest accepts old ones (RAW_RETENTION_DAYS)', () => {
    const base = { MQTT_SERVICE_PASSWORD: 'from-the-gateway' };
    expect(configError({ ...base, RAW_RETENTION_DAYS: '7' })).toMatch(
      /RAW_RETENTION_DAYS: must keep raw readings at least as long as ingest accepts them \(INGEST_MAX_AGE_MS: 30 days\)/,
    );
    expect(parseConfig(ingestConfigSchema, { ...base, RAW_RETENTION_DAYS: '30' }).RAW_RETENTION_DAYS).toBe(
      30,
    );
    const shortAge = { ...base, RAW_RETENTION_DAYS: '7', INGEST_MAX_AGE_MS: String(7 * 24 * 3_600_000) };
    expect(parseConfig(ingestConfigSchema, shortAge).RAW_RETENTION_DAYS).toBe(7);
  });

  it('says where the missing service password comes from', () => {
    expect(configError({})).toMatch(
      /MQTT_SERVICE_PASSWORD: required: set it to the gateway's MQTT_SERVICE_PASSWORD/,
    );
  });

  it('reads the tuning variables and names each bad one', () => {
    const config = parseConfig(ingestConfigSchema, {
      MQTT_SERVICE_PASSWORD: 'x',
      INGEST_BATCH_SIZE: '100',
      INGEST_FLUSH_INTERVAL_MS: '250',
      INGEST_MAX_BUFFERED: '1000',
      INGEST_MAX_FUTURE_MS: '0',
      INGEST_MAX_AGE_MS: '86400000',
    });
    expect(batchOptionsFrom(config)).toEqual({
      batchSize: 100,
      flushIntervalMs: 250,
      maxBufferedItems: 1000,
    });
    expect(timePolicyFrom(config)).toEqual({ maxFutureMs: 0, maxAgeMs: 86_400_000 });
    const message = configError({
      MQTT_SERVICE_PASSWORD: 'x',
      INGEST_BATCH_SIZE: '0',
      INGEST_HTTP_PORT: 'http',
    });
    expect(message).toMatch(/INGEST_BATCH_SIZE: .*\(got "0"\)/);
    expect(message).toMatch(/INGEST_HTTP_PORT: must be a TCP port number/);
  });
});
