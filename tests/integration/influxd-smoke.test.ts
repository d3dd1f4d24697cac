import { describe, expect, inject, it } from 'vitest';

describe('test InfluxDB server', () => {
  it('answers InfluxQL over the v1 HTTP API', async () => {
    const response = await fetch(`${inject('influxUrl')}/query?q=${encodeURIComponent('SHOW DATABASES')}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: unknown[] };
    expect(body.results).toHaveLength(1);
  });
});
