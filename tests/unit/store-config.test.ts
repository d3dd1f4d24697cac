import { describe, expect, it } from 'vitest';
import { isUcapError } from '../../domain/errors.ts';
import { type Env, parseConfig } from '../../platform/config.ts';
import { influxOptionsFrom } from '../../store/open-store.ts';
import { describeStore, embeddedStorePath, storeConfigSchema } from '../../store/store-config.ts';

function problemsOf(env: Env): string {
  try {
    parseConfig(storeConfigSchema, env);
  } catch (error) {
    if (isUcapError(error, 'CONFIG_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

const v2 = { INFLUX_URL: 'http://127.0.0.1:8086', INFLUX_API: 'v2' };

describe('store configuration', () => {
  it('uses the embedded store under DATA_DIR when INFLUX_URL is not set', () => {
    const config = parseConfig(storeConfigSchema, { DATA_DIR: '/var/lib/ucap' });
    expect(embeddedStorePath(config)).toBe('/var/lib/ucap/ucap.duckdb');
    expect(describeStore(config)).toBe('embedded DuckDB /var/lib/ucap/ucap.duckdb');
    expect(influxOptionsFrom(config)).toBeUndefined();
  });

  it.each([
    ['not a url', /INFLUX_URL: must be a URL/],
    ['ftp://127.0.0.1:8086', /INFLUX_URL: must be an http:\/\/ or https:\/\/ URL/],
  ])('refuses INFLUX_URL=%s, naming the variable', (value, message) => {
    expect(problemsOf({ INFLUX_URL: value })).toMatch(message);
  });

  it('bounds the memory of the embedded store (256MB unless DUCKDB_MEMORY_LIMIT says otherwise) and names a bad size', () => {
    expect(parseConfig(storeConfigSchema, {}).DUCKDB_MEMORY_LIMIT).toBe('256MB');
    expect(parseConfig(storeConfigSchema, { DUCKDB_MEMORY_LIMIT: '1GB' }).DUCKDB_MEMORY_LIMIT).toBe('1GB');
    expect(problemsOf({ DUCKDB_MEMORY_LIMIT: 'lots' })).toMatch(
      /DUCKDB_MEMORY_LIMIT: must be a size such as 256MB/,
    );
  });

  it('keeps raw readings forever unless RAW_RETENTION_DAYS says otherwise, and names a bad value', () => {
    expect(parseConfig(storeConfigSchema, {}).RAW_RETENTION_DAYS).toBe(0);
    expect(parseConfig(storeConfigSchema, { RAW_RETENTION_DAYS: '90' }).RAW_RETENTION_DAYS).toBe(90);
    for (const bad of ['-1', '1.5', 'a month', '100000']) {
      expect(problemsOf({ RAW_RETENTION_DAYS: bad })).toMatch(/RAW_RETENTION_DAYS: must be/);
    }
    const v2Problems = problemsOf({
      ...v2,
      INFLUX_ORG: 'lab',
      INFLUX_BUCKET: 'ucap',
      INFLUX_TOKEN: 't',
      RAW_RETENTION_DAYS: '30',
    });
    expect(v2Problems).toMatch(/RAW_RETENTION_DAYS: is not applied with INFLUX_API=v2/);
  });

  it('with INFLUX_API=v2 names the missing INFLUX_TOKEN', () => {
    const message = problemsOf({ ...v2, INFLUX_ORG: 'lab', INFLUX_BUCKET: 'ucap' });
    expect(message).toMatch(/INFLUX_TOKEN: required when INFLUX_API=v2/);
    expect(message).not.toMatch(/INFLUX_ORG|INFLUX_BUCKET/);
  });

  it('with INFLUX_API=v2 lists every missing variable at once, INFLUX_URL included', () => {
    const message = problemsOf({ INFLUX_API: 'v2' });
    for (const variable of ['INFLUX_URL', 'INFLUX_ORG', 'INFLUX_BUCKET', 'INFLUX_TOKEN']) {
      expect(message).toMatch(new RegExp(`${variable}: required when INFLUX_API=v2`));
    }
  });

  it('wants INFLUX_USERNAME and INFLUX_PASSWORD together', () => {
    expect(problemsOf({ INFLUX_URL: 'http://h:8086', INFLUX_USERNAME: 'ucap' })).toMatch(
      /INFLUX_PASSWORD: required when INFLUX_USERNAME is set/,
    );
    expect(problemsOf({ INFLUX_URL: 'http://h:8086', INFLUX_PASSWORD: 'pw' })).toMatch(
      /INFLUX_USERNAME: required when INFLUX_PASSWORD is set/,
    );
  });

  it('describes an InfluxDB v1 store by URL and database, never with credentials', () => {
    const config = parseConfig(storeConfigSchema, {
      INFLUX_URL: 'https://admin:url-secret@influx.example.org:8086/?u=admin&p=query-secret',
      INFLUX_RP: 'one_year',
      INFLUX_USERNAME: 'ucap',
      INFLUX_PASSWORD: 'env-secret',
      INFLUX_TOKEN: 'token-secret',
    });
    const text = describeStore(config);
    expect(text).toBe(
      'InfluxDB https://influx.example.org:8086 (v1 API, database "ucap", retention policy "one_year")',
    );
    expect(text).not.toMatch(/secret|admin/);
  });

  it('describes an InfluxDB v2 store by URL, org and bucket, never the token', () => {
    const config = parseConfig(storeConfigSchema, {
      ...v2,
      INFLUX_ORG: 'lab',
      INFLUX_BUCKET: 'ucap',
      INFLUX_TOKEN: 'token-secret',
    });
    expect(describeStore(config)).toBe('InfluxDB http://127.0.0.1:8086 (v2 API, org "lab", bucket "ucap")');
  });

  it('maps v1 settings to the adapter, with database "ucap" by default', () => {
    const config = parseConfig(storeConfigSchema, {
      INFLUX_URL: 'http://127.0.0.1:8086',
      INFLUX_USERNAME: 'ucap',
      INFLUX_PASSWORD: 'pw',
      INFLUX_TIMEOUT_MS: '2500',
    });
    expect(influxOptionsFrom(config)).toEqual({
      api: 'v1',
      url: 'http://127.0.0.1:8086',
      database: 'ucap',
      username: 'ucap',
      password: 'pw',
      timeoutMs: 2500,
    });
  });

  it('refuses v2 settings without a token even when a service schema skipped the refinement', () => {
    // api-config and ingest-config spread storeConfigSchema.shape, which drops the refinement.
    const unrefined = {
      ...v2,
      INFLUX_API: 'v2' as const,
      INFLUX_ORG: 'lab',
      INFLUX_TIMEOUT_MS: 10_000,
      DUCKDB_MEMORY_LIMIT: '256MB',
      RAW_RETENTION_DAYS: 0,
      DATA_DIR: '.',
    };
    expect(() => influxOptionsFrom(unrefined)).toThrow(/INFLUX_API=v2 requires INFLUX_BUCKET, INFLUX_TOKEN/);
  });
});
