import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isUcapError } from '../../domain/errors.ts';
import { influxFields, parseConfig, portSchema } from '../../platform/config.ts';

const schema = z.object({
  MQTT_PORT: portSchema.default(1883),
  API_PORT: portSchema.default(8080),
  ...influxFields,
});

describe('environment config', () => {
  it('applies laptop defaults and treats empty variables as unset', () => {
    const config = parseConfig(schema, { API_PORT: '' });
    expect(config.MQTT_PORT).toBe(1883);
    expect(config.API_PORT).toBe(8080);
    expect(config.INFLUX_URL).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists every bad variable at once, each by name and with the value given', () => {
    let caught: unknown;
    try {
      parseConfig(schema, { MQTT_PORT: 'abc', API_PORT: '70000', INFLUX_URL: 'not a url', INFLUX_API: 'v3' });
    } catch (error) {
      caught = error;
    }
    expect(isUcapError(caught, 'CONFIG_INVALID')).toBe(true);
    const message = (caught as Error).message;
    expect(message).toMatch(/MQTT_PORT: .*\(got "abc"\)/);
    expect(message).toMatch(/API_PORT: must be 0\.\.65535/);
    expect(message).toMatch(/INFLUX_URL: must be a URL/);
    expect(message).toMatch(/INFLUX_API: must be v1 .* or v2/);
  });
});

describe('environment config errors', () => {
  it('never echo a secret or the credentials inside a URL', () => {
    const schema = z.object({
      INFLUX_URL: z.url().refine((u) => u.startsWith('http'), 'must be http(s)'),
      INFLUX_PASSWORD: z.string().min(12),
    });
    let message = '';
    try {
      parseConfig(schema, {
        INFLUX_URL: 'ftp://ucap:hunter2-secret@db.example:8086',
        INFLUX_PASSWORD: 'short-pw',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/INFLUX_URL: must be http\(s\) \(got "ftp:\/\/\[redacted\]@db\.example:8086"\)/);
    expect(message).toMatch(/INFLUX_PASSWORD: .*\(got "\[redacted\]"\)/);
    expect(message).not.toMatch(/hunter2|short-pw/);
  });
});
