import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UcapError } from '../../domain/errors.ts';
import type { ServiceName } from './deployments.ts';

export const LOAD_USAGE = [
  'usage: npm run bench -- load [--deploy all-in-one|separate|both|none] [--devices 200]',
  '         [--rates 2000,5000,10000] [--step-seconds 20] [--qos0-share 0] [--threads 2] [--no-baseline] [--no-latency]',
  '         [--env [app|gateway|ingest|api:]NAME=VALUE]…   (extra environment for the started processes)',
  '         [--seed-days 30 --api-clients 4]   (a month of research data first; heavy API requests during every step)',
  '       npm run bench -- load --soak-minutes 30 [--rate 2000] [--warmup-minutes 5] [--deploy …] [--devices …]',
].join('\n');

const count = (name: string, min: number) =>
  z.coerce
    .number({ error: `--${name} must be a number` })
    .int({ error: `--${name} must be a whole number` })
    .min(min, { error: `--${name} must be at least ${min}` });

const loadArgsSchema = z
  .object({
    deploy: z.enum(['all-in-one', 'separate', 'both', 'none'], {
      error: '--deploy must be all-in-one, separate, both or none (the Mosquitto baseline alone)',
    }),
    devices: count('devices', 1),
    rates: z
      .string()
      .transform((text) => text.split(',').map((part) => Number(part.trim())))
      .pipe(
        z
          .array(z.number().int().positive(), {
            error: '--rates must list whole numbers, e.g. 2000,5000,10000',
          })
          .min(1),
      ),
    'step-seconds': count('step-seconds', 1),
    'qos0-share': z.coerce
      .number({ error: '--qos0-share must be a number' })
      .min(0, { error: '--qos0-share must be between 0 and 1' })
      .max(1, { error: '--qos0-share must be between 0 and 1' }),
    threads: count('threads', 1).max(16, { error: '--threads must be at most 16' }),
    baseline: z.boolean(),
    latency: z.boolean(),
    'soak-minutes': count('soak-minutes', 1).optional(),
    'seed-days': count('seed-days', 0).max(366, { error: '--seed-days must be at most 366' }),
    'api-clients': count('api-clients', 0).max(64, { error: '--api-clients must be at most 64' }),
    rate: count('rate', 1),
    'warmup-minutes': count('warmup-minutes', 0).optional(),
    help: z.boolean(),
    env: z.array(
      z.string().regex(/^(?:(app|gateway|ingest|api):)?[A-Z_][A-Z0-9_]*=/, {
        error: (issue) =>
          `--env "${String(issue.input)}" is not [app|gateway|ingest|api:]NAME=VALUE (e.g. ingest:INGEST_BATCH_SIZE=2000)`,
      }),
    ),
  })
  .superRefine((args, ctx) => {
    if (args['api-clients'] > 0 && args['seed-days'] === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['api-clients'],
        message: '--api-clients needs --seed-days (the heavy routes need data to read, e.g. --seed-days 30)',
      });
    }
    const minutes = args['soak-minutes'];
    const warmup = args['warmup-minutes'];
    if (minutes !== undefined && warmup !== undefined && warmup >= minutes) {
      ctx.addIssue({
        code: 'custom',
        path: ['warmup-minutes'],
        message: '--warmup-minutes must be less than --soak-minutes',
      });
    }
  });

export type DeployChoice = 'all-in-one' | 'separate';

const DEPLOYMENTS: Readonly<Record<'all-in-one' | 'separate' | 'both' | 'none', readonly DeployChoice[]>> = {
  'all-in-one': ['all-in-one'],
  separate: ['separate'],
  both: ['all-in-one', 'separate'],
  none: [],
};

export interface LoadArgs {
  readonly help: boolean;
  readonly deployments: readonly DeployChoice[];
  readonly devices: number;
  /** Stepped mode: total msgs/s of each step. */
  readonly rates: readonly number[];
  readonly stepSeconds: number;
  readonly qos0Share: number;
  /** Worker threads publishing (the load generator shares the machine's cores). */
  readonly threads: number;
  readonly baseline: boolean;
  /** Measure publish→queryable latency (its polling of GET /v1/latest costs the API some CPU). */
  readonly latency: boolean;
  /** Soak mode when set: one rate for this long, RSS reported each minute. */
  readonly soak?: { readonly minutes: number; readonly rate: number; readonly warmupMinutes: number };
  /** Days of research data (100 devices per city, 4 metrics, every 5 min) written before the start. */
  readonly seedDays: number;
  /** Concurrent clients on the heavy research routes during every step (0: none). */
  readonly apiClients: number;
  /** Extra variables per process (`--env gateway:NAME=VALUE`); without a process name, for all. */
  readonly env: Readonly<Record<ServiceName, NodeJS.ProcessEnv>>;
}

/** Parses the arguments after `load`; problems are CONFIG_INVALID errors ending with the usage. */
export function parseLoadArgs(argv: readonly string[]): LoadArgs {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        deploy: { type: 'string', default: 'both' },
        devices: { type: 'string', default: '200' },
        rates: { type: 'string', default: '2000,5000,10000' },
        'step-seconds': { type: 'string', default: '20' },
        'qos0-share': { type: 'string', default: '0' },
        threads: { type: 'string', default: '2' },
        'no-baseline': { type: 'boolean', default: false },
        'no-latency': { type: 'boolean', default: false },
        'soak-minutes': { type: 'string' },
        rate: { type: 'string', default: '2000' },
        'warmup-minutes': { type: 'string' },
        'seed-days': { type: 'string', default: '0' },
        'api-clients': { type: 'string', default: '0' },
        env: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UcapError('CONFIG_INVALID', `${(error as Error).message}\n${LOAD_USAGE}`, { cause: error });
  }
  const { 'no-baseline': noBaseline, 'no-latency': noLatency, ...rest } = values;
  const parsed = loadArgsSchema.safeParse({
    ...rest,
    baseline: noBaseline !== true,
    latency: noLatency !== true,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message).join('; ');
    throw new UcapError('CONFIG_INVALID', `${problems}\n${LOAD_USAGE}`);
  }
  const args = parsed.data;
  const minutes = args['soak-minutes'];
  return {
    help: args.help,
    deployments: DEPLOYMENTS[args.deploy],
    devices: args.devices,
    rates: args.rates,
    stepSeconds: args['step-seconds'],
    qos0Share: args['qos0-share'],
    threads: args.threads,
    baseline: args.baseline,
    latency: args.latency,
    seedDays: args['seed-days'],
    apiClients: args['api-clients'],
    env: parseEnv(args.env),
    ...(minutes === undefined
      ? {}
      : {
          soak: {
            minutes,
            rate: args.rate,
            warmupMinutes: args['warmup-minutes'] ?? Math.min(5, Math.floor(minutes / 3)),
          },
        }),
  };
}

const SERVICES: readonly ServiceName[] = ['app', 'gateway', 'ingest', 'api'];

function parseEnv(entries: readonly string[]): Record<ServiceName, NodeJS.ProcessEnv> {
  const env: Record<ServiceName, NodeJS.ProcessEnv> = { app: {}, gateway: {}, ingest: {}, api: {} };
  for (const entry of entries) {
    const match = /^(?:(app|gateway|ingest|api):)?([A-Z_][A-Z0-9_]*)=(.*)$/s.exec(entry);
    if (match === null) continue;
    const [, service, name, value] = match as unknown as [string, ServiceName | undefined, string, string];
    for (const target of service === undefined ? SERVICES : [service]) env[target][name] = value;
  }
  return env;
}
