import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { apiConfigSchema } from '../../api/api-config.ts';
import { apiLimitsFrom } from '../../api/api-limits.ts';
import { isUcapError } from '../../domain/errors.ts';
import { parseConfig } from '../../platform/config.ts';

describe('API config', () => {
  it('listens on loopback:8080 and reads the embedded store under ./data by default', () => {
    const config = parseConfig(apiConfigSchema, {});
    expect(config).toMatchObject({
      API_PORT: 8080,
      BIND_HOST: '127.0.0.1',
      DATA_DIR: './data',
      LOG_LEVEL: 'info',
    });
    expect(config.INFLUX_URL).toBeUndefined();
    expect(config.CITIES_FILE).toBeUndefined();
  });

  it('names every bad variable with the value given', () => {
    const message = configError({ API_PORT: 'http', LOG_LEVEL: 'loud', BIND_HOST: '' });
    expect(message).toMatch(/API_PORT: .*\(got "http"\)/);
    expect(message).toMatch(/LOG_LEVEL: .*\(got "loud"\)/);
  });

  it('keeps the store rules that span variables', () => {
    const message = configError({ INFLUX_URL: 'http://127.0.0.1:8086', INFLUX_USERNAME: 'ucap' });
    expect(message).toMatch(/INFLUX_PASSWORD: required when INFLUX_USERNAME is set/);
  });

  it('reads the limits, with defaults that serve any origin and rate-limit each client', () => {
    const limits = apiLimitsFrom(parseConfig(apiConfigSchema, {}));
    expect(limits).toMatchObject({
      corsOrigins: '*',
      rateLimitMax: 600,
      heavyConcurrency: availableParallelism(),
    });
    const set = apiLimitsFrom(
      parseConfig(apiConfigSchema, {
        CORS_ORIGINS: 'https://a.example.org,http://localhost:8888',
        API_RATE_LIMIT_MAX: '0',
        API_IDLE_TIMEOUT_MS: '5000',
      }),
    );
    expect(set).toMatchObject({
      corsOrigins: ['https://a.example.org', 'http://localhost:8888'],
      rateLimitMax: 0,
      idleTimeoutMs: 5000,
    });
    expect(apiLimitsFrom(parseConfig(apiConfigSchema, { CORS_ORIGINS: 'none' })).corsOrigins).toEqual([]);
  });

  it('refuses origins that are not origins and timeouts too short to serve anything', () => {
    const message = configError({ CORS_ORIGINS: 'https://a.example.org/path', API_IDLE_TIMEOUT_MS: '10' });
    expect(message).toMatch(/CORS_ORIGINS: must be \*, none, or a comma-separated list of origins/);
    expect(message).toMatch(/API_IDLE_TIMEOUT_MS: must be at least 1000 ms/);
  });
});

function configError(env: Record<string, string>): string {
  try {
    parseConfig(apiConfigSchema, env);
  } catch (error) {
    expect(isUcapError(error, 'CONFIG_INVALID')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}
