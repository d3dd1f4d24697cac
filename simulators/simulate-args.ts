import { parseArgs } from 'node:util';
import { UcapError } from '../domain/errors.ts';

export interface SimulateArgs {
  readonly cities: readonly string[];
  readonly intervalMs: number;
  readonly seed?: number;
}

const USAGE = 'usage: npm run simulate -- --city <city>|all [--interval 5s] [--seed <n>]';

/**
 * Parses `--city nice|zhengzhou|all [--interval 5s] [--seed 42]`. `simulatable` lists the cities
 * that have a simulated network; an unknown city is refused with that list, so a typo is fixed at once.
 */
export function parseSimulateArgs(argv: readonly string[], simulatable: readonly string[]): SimulateArgs {
  let values: { city?: string | undefined; interval?: string | undefined; seed?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { city: { type: 'string' }, interval: { type: 'string' }, seed: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UcapError('CONFIG_INVALID', `${(error as Error).message}\n${USAGE}`, { cause: error });
  }
  const city = values.city ?? 'all';
  if (city !== 'all' && !simulatable.includes(city)) {
    throw new UcapError(
      'CONFIG_INVALID',
      `unknown city "${city}"; cities with a simulated network: ${simulatable.join(', ')} (or "all")\n${USAGE}`,
    );
  }
  const args: { cities: readonly string[]; intervalMs: number; seed?: number } = {
    cities: city === 'all' ? [...simulatable] : [city],
    intervalMs: parseInterval(values.interval ?? '5s'),
  };
  if (values.seed !== undefined) args.seed = parseSeed(values.seed);
  return args;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `500ms`, `5s`, `1.5m`, `1h`; a bare number is milliseconds, like every duration in the env. */
export function parseInterval(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = match ? Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1)) : Number.NaN;
  if (!Number.isFinite(ms) || ms < 100) {
    throw new UcapError(
      'CONFIG_INVALID',
      `--interval "${text}" is not a duration of at least 100 ms (e.g. 500ms, 5s, 1m)`,
    );
  }
  return ms;
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw new UcapError('CONFIG_INVALID', `--seed "${text}" is not a whole number in 0..4294967295`);
  return seed;
}
