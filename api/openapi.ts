import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/**
 * The OpenAPI document is generated from the routes' zod schemas, so it cannot drift from what
 * the API validates. Served as /openapi.json and browsable at /docs. Must be registered before
 * the routes it describes.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ucap-monitor API',
        description:
          'Environmental readings from the partner cities (Nice, Zhengzhou and any configured city) for researchers. Times are RFC 3339: `ts` in UTC and `localTime` in the city time zone. Errors have the shape `{ error: { code, message, requestId, details? } }`.',
        version: '1.0.0',
      },
      tags: [
        { name: 'catalog', description: 'Cities and sensors' },
        { name: 'readings', description: 'Stored measurements and refused messages' },
        { name: 'admin', description: 'Device provisioning; only when the server has ADMIN_TOKEN set' },
        {
          name: 'air quality',
          description:
            'Air-quality indices and limit-value exceedances (EAQI, HJ 633, EPA; WHO, EU, GB 3095)',
        },
      ],
      components: {
        securitySchemes: {
          adminBearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'The ADMIN_TOKEN the API was started with.',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
