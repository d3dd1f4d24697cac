import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { deviceIdSchema, type NewDevice } from '../../devices/device.ts';
import type { DeviceRegistry } from '../../devices/device-registry.ts';
import type { CityCatalog } from '../../domain/cities.ts';
import { type ErrorCode, isUcapError } from '../../domain/errors.ts';
import { supportedFormats } from '../../domain/payload-formats/decoder-registry.ts';
import { sameSecret } from '../../platform/same-secret.ts';
import type { ApiApp } from '../api-deps.ts';
import { errorResponseSchema, errorResponses, utcTime } from '../schemas/response-parts.ts';

export interface AdminDeps {
  /** Bearer token every admin request must present (ADMIN_TOKEN). */
  readonly token: string;
  readonly registry: Pick<DeviceRegistry, 'list' | 'add' | 'remove' | 'rotate'>;
  readonly cities: CityCatalog;
}

/** The OpenAPI security scheme admin routes require (declared in openapi.ts). */
export const ADMIN_SECURITY = [{ adminBearer: [] }];

const credentialsSchema = z
  .object({
    id: z.string(),
    city: z.string(),
    username: z.string().describe('MQTT username: the device id.'),
    password: z.string().describe('MQTT password: shown only in this response; the registry keeps a hash.'),
  })
  .describe('MQTT credentials of the device.');

const deviceSchema = z.object({
  id: z.string(),
  city: z.string(),
  format: z.string(),
  location: z.object({ lat: z.number(), lon: z.number(), name: z.string().optional() }).optional(),
  meta: z.record(z.string(), z.string()).optional(),
  createdAt: utcTime('When the device was registered.'),
});

const idParams = z.strictObject({ id: deviceIdSchema.describe('Device id.') });

const adminErrors = {
  ...errorResponses,
  401: errorResponseSchema.describe('Missing or wrong `Authorization: Bearer <ADMIN_TOKEN>`.'),
  404: errorResponseSchema.describe('No such device.'),
  409: errorResponseSchema.describe('A device with this id is already registered.'),
} as const;

/**
 * Remote provisioning for an operator's tooling, on only when ADMIN_TOKEN is set: register,
 * list, remove and rotate devices. Removing a device makes the gateway close its connections.
 */
export function registerAdminDeviceRoutes(app: ApiApp, deps: AdminDeps): void {
  const common = { tags: ['admin'], security: ADMIN_SECURITY };
  const onRequest = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (token !== '' && sameSecret(token, deps.token)) return done();
    reply.header('www-authenticate', 'Bearer realm="ucap-admin"');
    void refuse(
      reply,
      request,
      401,
      'API_UNAUTHORIZED',
      'send Authorization: Bearer <ADMIN_TOKEN> (the token the API was started with)',
    );
  };

  app.post(
    '/v1/admin/devices',
    {
      onRequest,
      schema: {
        ...common,
        summary: 'Register a device',
        description: 'Registers a device and returns its MQTT credentials (the password is shown only here).',
        body: z.strictObject({
          id: deviceIdSchema,
          city: z.string().describe('City id from /v1/cities.'),
          format: z
            .enum(supportedFormats() as [string, ...string[]])
            .optional()
            .describe('Payload format (default native).'),
          lat: z.number().min(-90).max(90).optional(),
          lon: z.number().min(-180).max(180).optional(),
          site: z.string().min(1).max(120).optional().describe('Name of the site; needs lat and lon.'),
        }),
        response: { 201: credentialsSchema, ...adminErrors },
      },
    },
    async (request, reply) => {
      const { id, city, format, lat, lon, site } = request.body;
      const problem = !deps.cities.has(city)
        ? `city: unknown city "${city}" (known: ${deps.cities.ids().join(', ')})`
        : (lat === undefined) !== (lon === undefined)
          ? 'lat, lon: give both or neither'
          : site !== undefined && lat === undefined
            ? 'site: needs lat and lon'
            : undefined;
      if (problem) return refuse(reply, request, 400, 'API_BAD_REQUEST', problem);
      const input: NewDevice = {
        id,
        city,
        ...(format === undefined ? {} : { format: format as NewDevice['format'] }),
        ...(lat === undefined || lon === undefined
          ? {}
          : { location: { lat, lon, ...(site === undefined ? {} : { name: site }) } }),
      };
      return registryCall(reply, request, async () => {
        const { username, password } = await deps.registry.add(input);
        return reply.code(201).send({ id, city, username, password });
      });
    },
  );

  app.get(
    '/v1/admin/devices',
    {
      onRequest,
      schema: {
        ...common,
        summary: 'List registered devices',
        description: 'Every registered device, without secrets.',
        response: { 200: z.object({ devices: z.array(deviceSchema) }), ...adminErrors },
      },
    },
    async () => ({ devices: [...(await deps.registry.list())] }),
  );

  app.delete(
    '/v1/admin/devices/:id',
    {
      onRequest,
      schema: {
        ...common,
        summary: 'Remove a device',
        description: 'Unregisters the device; the gateway closes its open connections at once.',
        params: idParams,
        response: { 204: z.null().describe('Removed.'), ...adminErrors },
      },
    },
    async (request, reply) =>
      registryCall(reply, request, async () => {
        await deps.registry.remove(request.params.id);
        return reply.code(204).send(null);
      }),
  );

  app.post(
    '/v1/admin/devices/:id/rotate',
    {
      onRequest,
      schema: {
        ...common,
        summary: "Rotate a device's secret",
        description:
          'Gives the device a new secret and returns it; the old secret stops working at once and the gateway closes connections made with it.',
        params: idParams,
        response: { 200: credentialsSchema, ...adminErrors },
      },
    },
    async (request, reply) =>
      registryCall(reply, request, async () => {
        const { id, city, username, password } = await deps.registry.rotate(request.params.id);
        return reply.send({ id, city, username, password });
      }),
  );
}

const REGISTRY_STATUS: Partial<Record<ErrorCode, number>> = {
  DEVICE_EXISTS: 409,
  DEVICE_NOT_FOUND: 404,
  DEVICE_INVALID: 400,
};

async function registryCall(
  reply: FastifyReply,
  request: FastifyRequest,
  work: () => Promise<FastifyReply>,
): Promise<FastifyReply> {
  try {
    return await work();
  } catch (error) {
    const status = isUcapError(error) ? REGISTRY_STATUS[error.code] : undefined;
    if (status === undefined || !isUcapError(error)) throw error;
    // The registry's messages name its file path; the API says what matters to the caller.
    const message = error.message.replace(/ in \/\S+/g, '');
    return refuse(reply, request, status, error.code, message);
  }
}

function refuse(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: ErrorCode,
  message: string,
) {
  return reply.code(status).send({ error: { code, message, requestId: request.id } });
}
