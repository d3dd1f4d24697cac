import { describe, expect, it } from 'vitest';
import { apiConfigSchema } from '../../api/api-config.ts';
import { appConfigSchema } from '../../app/app-config.ts';
import { isUcapError } from '../../domain/errors.ts';
import { gatewayConfigSchema, gatewayLimitsFrom } from '../../gateway/gateway-config.ts';
import { DEFAULT_GATEWAY_LIMITS } from '../../gateway/gateway-limits.ts';
import { parseConfig } from '../../platform/config.ts';

const base = { MQTT_SERVICE_PASSWORD: 'a-long-service-secret' };

describe('gateway limit variables', () => {
  it('default to gateway-limits.ts, in the gateway and in the all-in-one process alike', () => {
    expect(gatewayLimitsFrom(parseConfig(gatewayConfigSchema, base))).toEqual(DEFAULT_GATEWAY_LIMITS);
    expect(gatewayLimitsFrom(parseConfig(appConfigSchema, {}))).toEqual(DEFAULT_GATEWAY_LIMITS);
    // The load tests' 50 msgs/s per device from one address stay far inside the defaults.
    expect(DEFAULT_GATEWAY_LIMITS.publishesPerDeviceSecond).toBeGreaterThanOrEqual(200);
    expect(DEFAULT_GATEWAY_LIMITS.maxConnectionsPerAddress).toBeGreaterThanOrEqual(10_000);
  });

  it('are read from the environment, and a bad value names its variable', () => {
    const config = parseConfig(gatewayConfigSchema, {
      ...base,
      GATEWAY_MAX_CONNECTIONS_PER_DEVICE: '2',
      GATEWAY_MAX_PUBLISH_PER_DEVICE_S: '1000',
    });
    expect(gatewayLimitsFrom(config)).toMatchObject({
      maxConnectionsPerDevice: 2,
      publishesPerDeviceSecond: 1000,
    });
    let caught: unknown;
    try {
      parseConfig(gatewayConfigSchema, {
        ...base,
        GATEWAY_MAX_KEEPALIVE_S: '70000',
        GATEWAY_LOGIN_BACKOFF_MAX_MS: '10',
      });
    } catch (error) {
      caught = error;
    }
    expect(isUcapError(caught, 'CONFIG_INVALID')).toBe(true);
    expect(String(caught)).toMatch(/GATEWAY_MAX_KEEPALIVE_S: must be at most 65535/);
    expect(String(caught)).toMatch(/GATEWAY_LOGIN_BACKOFF_MAX_MS: must be at least 1000/);
  });

  it('ADMIN_TOKEN is optional, and too short a token stops start-up without echoing it', () => {
    expect(parseConfig(apiConfigSchema, {}).ADMIN_TOKEN).toBeUndefined();
    expect(() => parseConfig(apiConfigSchema, { ADMIN_TOKEN: 'short' })).toThrow(
      /ADMIN_TOKEN: must be at least 24/,
    );
    expect(() => parseConfig(apiConfigSchema, { ADMIN_TOKEN: 'short' })).not.toThrow(/"short"/);
  });
});
