import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UcapError } from '../domain/errors.ts';

/**
 * Optional API keys. Off by default (a laptop, a trusted network); when keys are configured, every
 * /v1 route wants `Authorization: Bearer <key>`. A key has a role — `reader`, or `operator`, who
 * may see the raw payloads of rejected messages — and may have its own rate limit.
 */
export const API_ROLES = ['reader', 'operator'] as const;
export type ApiRole = (typeof API_ROLES)[number];

const keySchema = z.object({
  key: z.string().min(16, 'a key must be at least 16 characters'),
  name: z.string().min(1).max(64).optional(),
  role: z.enum(API_ROLES).default('reader'),
  /** Requests per rate-limit window for this key (default: API_RATE_LIMIT_MAX). */
  rateLimitMax: z.number().int().min(1).optional(),
});
export const apiKeysFileSchema = z.array(keySchema).min(1, 'lists no key');

export interface ApiKey {
  readonly name: string;
  readonly role: ApiRole;
  readonly rateLimitMax?: number;
  /** sha256 of the key: compared in constant time, the key itself is not kept. */
  readonly digest: Buffer;
}

export const apiKeyFields = {
  /** JSON file: [{ "key": "…", "name": "…", "role": "reader" | "operator", "rateLimitMax": 1200 }]. */
  API_KEYS_FILE: z.string().min(1).optional(),
  /** Comma-separated keys, each `key` (reader) or `key:operator`. */
  API_KEYS: z.string().min(1).optional(),
};

const digestOf = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/** The configured keys, or undefined when API keys are off. Throws a message naming the variable. */
export function loadApiKeys(config: {
  readonly API_KEYS_FILE?: string | undefined;
  readonly API_KEYS?: string | undefined;
}): ApiKey[] | undefined {
  const keys: ApiKey[] = [];
  if (config.API_KEYS_FILE !== undefined) {
    let entries: z.infer<typeof apiKeysFileSchema>;
    try {
      entries = apiKeysFileSchema.parse(JSON.parse(readFileSync(config.API_KEYS_FILE, 'utf8')));
    } catch (error) {
      const why = error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message;
      throw new UcapError('CONFIG_INVALID', `API_KEYS_FILE: ${config.API_KEYS_FILE} cannot be used: ${why}`);
    }
    entries.forEach((entry, i) => {
      keys.push({
        name: entry.name ?? `file-key-${i + 1}`,
        role: entry.role,
        digest: digestOf(entry.key),
        ...(entry.rateLimitMax === undefined ? {} : { rateLimitMax: entry.rateLimitMax }),
      });
    });
  }
  if (config.API_KEYS !== undefined) {
    config.API_KEYS.split(',').forEach((item, i) => {
      const [key = '', role = 'reader'] = item.trim().split(':');
      const parsed = keySchema.safeParse({ key, role });
      if (!parsed.success) {
        throw new UcapError(
          'CONFIG_INVALID',
          `API_KEYS: entry ${i + 1} must be a key of at least 16 characters, optionally followed by :reader or :operator`,
        );
      }
      keys.push({ name: `env-key-${i + 1}`, role: parsed.data.role, digest: digestOf(key) });
    });
  }
  return keys.length === 0 ? undefined : keys;
}

/** `{ apiKeys }` for buildApi when keys are configured, `{}` otherwise. */
export function apiKeysFrom(config: Parameters<typeof loadApiKeys>[0]): { apiKeys?: readonly ApiKey[] } {
  const keys = loadApiKeys(config);
  return keys === undefined ? {} : { apiKeys: keys };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The key the request presented, when API keys are on. */
    apiKey: ApiKey | undefined;
  }
}

/** Whether this request may see raw rejected payloads: anyone without keys, operators with them. */
export function mayReadPayloads(request: FastifyRequest, keysOn: boolean): boolean {
  return !keysOn || request.apiKey?.role === 'operator';
}

/** Requires a known Bearer key on /v1 routes; probes, /docs and /openapi.json stay open. */
export function registerApiKeys(app: FastifyInstance, keys: readonly ApiKey[] | undefined): void {
  app.decorateRequest('apiKey', undefined);
  if (keys === undefined) return;
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/')) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const digest = match?.[1] === undefined ? undefined : digestOf(match[1]);
    const key = digest === undefined ? undefined : keys.find((k) => timingSafeEqual(k.digest, digest));
    if (key === undefined) {
      reply.header('www-authenticate', 'Bearer realm="ucap"');
      throw new UcapError(
        'API_UNAUTHORIZED',
        header === ''
          ? 'this API needs a key: send Authorization: Bearer <key> (ask the operators for one)'
          : 'the key in Authorization is not valid',
      );
    }
    request.apiKey = key;
  });
}
