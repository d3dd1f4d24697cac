import { z } from 'zod';
import { MAX_KEPT_PAYLOAD_CHARS, MAX_KEPT_REASON_CHARS, truncateText } from '../../domain/reading.ts';
import type { ApiApp, RouteDeps } from '../api-deps.ts';
import { mayReadPayloads } from '../api-keys.ts';
import { badParameter } from '../api-request-error.ts';
import { toLocalRfc3339, toUtcRfc3339 } from '../local-time.ts';
import {
  cityParameter,
  deviceParameter,
  limitParameter,
  timeParameter,
} from '../schemas/query-parameters.ts';
import { errorResponses, localTime, utcTime } from '../schemas/response-parts.ts';

export const DEFAULT_REJECTIONS_LIMIT = 100;
export const MAX_REJECTIONS_LIMIT = 1000;

const rejectionSchema = z.object({
  ts: utcTime('When the message reached ingest.'),
  localTime: localTime(
    "The same instant in the city's time zone (null when the topic named an unknown city).",
  ).nullable(),
  city: z.string().describe('City named by the topic.'),
  deviceId: z.string().describe('Device named by the topic.'),
  topic: z.string().describe('MQTT topic the message was published on.'),
  code: z.string().describe('Error code of the first problem (e.g. INGEST_OUT_OF_RANGE).'),
  reason: z
    .string()
    .describe(
      `Every problem found, for the device owner (truncated to ${MAX_KEPT_REASON_CHARS} characters).`,
    ),
  payload: z
    .string()
    .nullable()
    .describe(
      `The payload as received (UTF-8, truncated to ${MAX_KEPT_PAYLOAD_CHARS} characters); null unless the API key has the operator role (when keys are on).`,
    ),
});

export function registerRejectionsRoute(app: ApiApp, deps: RouteDeps): void {
  app.get(
    '/v1/rejections',
    {
      schema: {
        summary: 'Messages ingest refused',
        description: 'Refused messages with the reason, newest first, so device owners can see what to fix.',
        tags: ['readings'],
        querystring: z.strictObject({
          city: cityParameter(deps.cities).optional().describe('Only this city (default: all cities).'),
          device: deviceParameter.optional().describe('Only this device.'),
          from: timeParameter(
            'Only messages received at or after this time, RFC 3339 with offset.',
          ).optional(),
          to: timeParameter('Only messages received before this time, RFC 3339 with offset.').optional(),
          limit: limitParameter(DEFAULT_REJECTIONS_LIMIT, MAX_REJECTIONS_LIMIT).default(
            DEFAULT_REJECTIONS_LIMIT,
          ),
        }),
        response: { 200: z.object({ rejections: z.array(rejectionSchema) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { city, device, from, to, limit } = request.query;
      if (from !== undefined && to !== undefined && from >= to) {
        throw badParameter('from', `${toUtcRfc3339(from)} is not before to (${toUtcRfc3339(to)})`);
      }
      const rejections = await deps.heavy.run(reply, (signal) =>
        deps.store.rejections({
          limit,
          ...(city === undefined ? {} : { city }),
          ...(device === undefined ? {} : { deviceId: device }),
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
          signal,
        }),
      );
      const payloads = mayReadPayloads(request, deps.keysOn);
      return {
        rejections: rejections.map((r) => {
          const timeZone = deps.cities.get(r.city)?.timeZone;
          return {
            ts: toUtcRfc3339(r.receivedAt),
            localTime: timeZone === undefined ? null : toLocalRfc3339(r.receivedAt, timeZone),
            city: r.city,
            deviceId: r.deviceId,
            topic: r.topic,
            code: r.code,
            // Bounded whatever the store holds, so a page stays a few megabytes at most.
            reason: truncateText(r.reason, MAX_KEPT_REASON_CHARS),
            payload: payloads ? truncateText(r.payload, MAX_KEPT_PAYLOAD_CHARS) : null,
          };
        }),
      };
    },
  );
}
