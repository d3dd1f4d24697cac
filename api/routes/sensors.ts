import { z } from 'zod';
import type { Device } from '../../devices/device.ts';
import type { PresenceSnapshot } from '../../devices/presence-file.ts';
import type { CityCatalog } from '../../domain/cities.ts';
import type { SensorActivity } from '../../store/time-series-store.ts';
import type { ApiApp, RouteDeps } from '../api-deps.ts';
import { toLocalRfc3339, toUtcRfc3339 } from '../local-time.ts';
import { cityParameter } from '../schemas/query-parameters.ts';
import { errorResponses, localTime, metricIdSchema, utcTime } from '../schemas/response-parts.ts';

const sensorSchema = z.object({
  id: z.string().describe('Device id.'),
  city: z.string().describe('City id the device belongs to.'),
  registered: z
    .boolean()
    .describe('False for a device that has stored readings but is no longer in the device registry.'),
  format: z.string().nullable().describe('Payload format the device publishes (null when not registered).'),
  location: z
    .object({
      lat: z.number().describe('Latitude, WGS 84 degrees.'),
      lon: z.number().describe('Longitude, WGS 84 degrees.'),
      name: z.string().optional().describe('Name of the site, e.g. the monitoring station.'),
    })
    .nullable()
    .describe('Where the device stands, from the registry (null when unknown).'),
  meta: z
    .record(z.string(), z.string())
    .describe('Hardware facts from the registry: model, firmware, calibration.'),
  registeredAt: utcTime('When the device was registered (null when not registered).').nullable(),
  metrics: z
    .array(metricIdSchema)
    .describe('Metrics the device has reported, sorted by id; empty if none yet.'),
  lastSeen: z
    .object({
      ts: utcTime(),
      localTime: localTime(
        'Local time in the device city (null if the city is no longer configured).',
      ).nullable(),
    })
    .nullable()
    .describe('Time of the latest stored reading; null when the device never reported.'),
  presence: z
    .object({
      connected: z
        .boolean()
        .nullable()
        .describe(
          'Connected to the gateway now; null when the gateway is not reporting (stopped, or not running here).',
        ),
      lastConnectedAt: utcTime('When the device last connected (null if not seen).').nullable(),
      lastDisconnectedAt: utcTime('When the device last disconnected (null if not seen).').nullable(),
    })
    .describe('MQTT connection state, from the gateway.'),
});

type Sensor = z.infer<typeof sensorSchema>;

function describeSensor(
  key: { id: string; city: string },
  device: Device | undefined,
  activity: SensorActivity | undefined,
  cities: CityCatalog,
  presence: PresenceSnapshot,
): Sensor {
  const seen = presence.devices.get(key.id);
  const at = (ms: number | undefined) => (ms === undefined ? null : toUtcRfc3339(ms));
  const timeZone = cities.get(key.city)?.timeZone;
  const location = device?.location;
  return {
    id: key.id,
    city: key.city,
    registered: device !== undefined,
    format: device?.format ?? null,
    location:
      location === undefined
        ? null
        : {
            lat: location.lat,
            lon: location.lon,
            ...(location.name === undefined ? {} : { name: location.name }),
          },
    meta: { ...device?.meta },
    registeredAt: device === undefined ? null : device.createdAt,
    metrics: activity === undefined ? [] : [...activity.metrics],
    lastSeen:
      activity === undefined
        ? null
        : {
            ts: toUtcRfc3339(activity.lastSeen),
            localTime: timeZone === undefined ? null : toLocalRfc3339(activity.lastSeen, timeZone),
          },
    presence: {
      connected: presence.live ? (seen?.connections ?? 0) > 0 : null,
      lastConnectedAt: at(seen?.lastConnectedAt),
      lastDisconnectedAt: at(seen?.lastDisconnectedAt),
    },
  };
}

const NO_PRESENCE: PresenceSnapshot = { live: false, devices: new Map() };

/** Registered devices and devices with stored readings, merged; sorted by city then id. */
export function listSensors(
  devices: readonly Device[],
  activity: readonly SensorActivity[],
  cities: CityCatalog,
  presence: PresenceSnapshot = NO_PRESENCE,
): Sensor[] {
  const keyOf = (city: string, id: string) => `${city}\u0000${id}`;
  const byKey = new Map<string, { id: string; city: string; device?: Device; activity?: SensorActivity }>();
  for (const device of devices)
    byKey.set(keyOf(device.city, device.id), { id: device.id, city: device.city, device });
  for (const a of activity) {
    const key = keyOf(a.city, a.deviceId);
    byKey.set(key, { ...(byKey.get(key) ?? { id: a.deviceId, city: a.city }), activity: a });
  }
  return [...byKey.values()]
    .sort((a, b) => (a.city === b.city ? compare(a.id, b.id) : compare(a.city, b.city)))
    .map((entry) => describeSensor(entry, entry.device, entry.activity, cities, presence));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function registerSensorsRoute(app: ApiApp, deps: RouteDeps): void {
  app.get(
    '/v1/sensors',
    {
      schema: {
        summary: 'List the sensors',
        description:
          'Every registered device (including those that never reported) and every device with stored readings, with the metrics it reports, when it was last seen, and whether it is connected to the gateway now.',
        tags: ['catalog'],
        querystring: z.strictObject({
          city: cityParameter(deps.cities)
            .optional()
            .describe('Only devices of this city (default: all cities).'),
        }),
        response: { 200: z.object({ sensors: z.array(sensorSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const filter = request.query.city === undefined ? {} : { city: request.query.city };
      const [devices, activity, presence] = await Promise.all([
        deps.registry.list(filter),
        deps.store.sensors(filter),
        deps.presence?.snapshot().catch(() => NO_PRESENCE) ?? NO_PRESENCE,
      ]);
      return { sensors: listSensors(devices, activity, deps.cities, presence) };
    },
  );
}
