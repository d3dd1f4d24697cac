import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { METRICS } from '../../domain/metrics.ts';
import type { LatestValue } from '../../store/time-series-store.ts';
import type { ApiApp, RouteDeps } from '../api-deps.ts';
import { toLocalRfc3339, toUtcRfc3339 } from '../local-time.ts';
import { cityParameter, deviceParameter, metricParameter } from '../schemas/query-parameters.ts';
import { errorResponses, localTime, metricIdSchema, utcTime } from '../schemas/response-parts.ts';

const latestValueSchema = z.object({
  deviceId: z.string().describe('Device id.'),
  metric: metricIdSchema,
  displayName: z.string().describe('Human name of the metric (e.g. PM2.5).'),
  unit: z.string().describe('Canonical unit of the value (e.g. µg/m³).'),
  value: z.number().describe('The latest value, in the canonical unit.'),
  ts: utcTime('When the value was measured.'),
  localTime: localTime(),
  timeSource: z
    .enum(['device', 'receive'])
    .describe(
      'Where `ts` comes from: "device" when the payload carried its own time, "receive" when it had none and ingest stamped it with the time it received the message.',
    ),
});

const latestResponseSchema = z.object({
  city: z.string().describe('City id.'),
  timeZone: z.string().describe('IANA time zone of `localTime`.'),
  values: z
    .array(latestValueSchema)
    .describe('One entry per device and metric, sorted by device then metric.'),
});

/** A latest answer as sent: encoded once, with the validator a client can revalidate against. */
interface EncodedLatest {
  readonly body: Buffer;
  readonly etag: string;
}

export function registerLatestRoute(app: ApiApp, deps: RouteDeps): void {
  // The in-memory latest values (store/latest-cache.ts) answer a repeated query with the same array
  // until a value changes: the body is serialised and UTF-8 encoded once per array and reused, so a
  // busy dashboard costs a buffer write (encoding 400 values took most of a request), and a client
  // that sends the ETag back gets 304 without the body.
  const encoded = new WeakMap<readonly LatestValue[], EncodedLatest>();
  const encode = (latest: readonly LatestValue[], city: string, timeZone: string): EncodedLatest => {
    const body: z.infer<typeof latestResponseSchema> = {
      city,
      timeZone,
      values: latest.map((v) => ({
        deviceId: v.deviceId,
        metric: v.metric,
        displayName: METRICS[v.metric].displayName,
        unit: METRICS[v.metric].unit,
        value: v.value,
        ts: toUtcRfc3339(v.ts),
        localTime: toLocalRfc3339(v.ts, timeZone),
        timeSource: v.timeSource ?? 'device',
      })),
    };
    const bytes = Buffer.from(JSON.stringify(body));
    return { body: bytes, etag: `"${createHash('sha1').update(bytes).digest('base64url')}"` };
  };
  app.get(
    '/v1/latest',
    {
      schema: {
        summary: 'Latest value per device and metric',
        description:
          'The most recent stored reading of each device and metric of a city. Answers carry an ETag: send it back in `If-None-Match` to get 304 until a value changes.',
        tags: ['readings'],
        querystring: z.strictObject({
          city: cityParameter(deps.cities),
          metric: metricParameter.optional().describe('Only this metric (default: every metric).'),
          device: deviceParameter
            .optional()
            .describe('Only this device (default: every device of the city).'),
        }),
        response: { 200: latestResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { city, metric, device } = request.query;
      const timeZone = deps.cities.get(city)?.timeZone ?? 'UTC';
      const latest = await deps.store.latest({
        city,
        ...(metric === undefined ? {} : { metric }),
        ...(device === undefined ? {} : { deviceId: device }),
      });
      let answer = encoded.get(latest);
      if (answer === undefined) {
        answer = encode(latest, city, timeZone);
        encoded.set(latest, answer);
      }
      // Untyped: the body goes out as the bytes encoded above (the schema documents them).
      const raw: FastifyReply = reply;
      raw.header('etag', answer.etag).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === answer.etag) return raw.code(304).send();
      return raw.type('application/json; charset=utf-8').send(answer.body);
    },
  );
}
