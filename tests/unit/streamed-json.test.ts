import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { sendJsonWithStreamedList } from '../../api/streamed-json.ts';

const app = Fastify();
const items = Array.from({ length: 5000 }, (_, i) => ({ id: `device-${i}`, points: [i, i / 3, 'µg/m³'] }));
app.get('/with-head', (_request, reply) =>
  sendJsonWithStreamedList(reply, { city: 'nice', unit: 'µg/m³' }, 'series', items, (item) =>
    JSON.stringify({ deviceId: item.id, points: item.points }),
  ),
);
app.get('/no-head', (_request, reply) =>
  sendJsonWithStreamedList(reply, {}, 'series', [], (item) => JSON.stringify(item)),
);
afterAll(() => app.close());

describe('JSON written list item by list item', () => {
  it('gives the bytes JSON.stringify gives for the whole answer, over many slices', async () => {
    const response = await app.inject('/with-head');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    // ~300 kB: more than one slice, so the event loop got turns in between.
    expect(response.body.length).toBeGreaterThan(256 * 1024);
    expect(response.body).toBe(
      JSON.stringify({
        city: 'nice',
        unit: 'µg/m³',
        series: items.map((i) => ({ deviceId: i.id, points: i.points })),
      }),
    );
  });

  it('writes a valid object with no head fields and an empty list', async () => {
    expect((await app.inject('/no-head')).body).toBe('{"series":[]}');
  });
});
