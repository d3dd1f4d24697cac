import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/run-cli.ts';

// The same code path as the spawned CLI (cli/ucap.ts only forwards argv, env and stdio), run in
// process so the table of mistakes stays fast; cli.test.ts covers the real executable.
let dataDir: string;

async function ucap(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (t: string) => {
      stdout += t;
    },
    stderr: (t: string) => {
      stderr += t;
    },
    stderrIsTty: false,
  };
  const code = await runCli(args, { DATA_DIR: dataDir }, io);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ucap-cli-validation-'));
  expect((await ucap('devices', 'add', '--city', 'nice', '--id', 'taken')).code).toBe(0);
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('ucap argument validation', () => {
  it.each([
    [
      ['devices', 'add', '--city', 'paris', '--id', 'p-1'],
      /unknown city "paris" \(known: nice, zhengzhou; more cities come from CITIES_FILE\)/,
    ],
    [
      ['devices', 'add', '--city', 'nice', '--id', 'f-1', '--format', 'xml'],
      /payload format "xml" is unknown \(supported: native/,
    ],
    [['devices', 'add', '--city', 'nice'], /--id is required/],
    [['devices', 'add', '--id', 'x-1'], /--city is required/],
    [['devices', 'add', '--city', 'nice', '--id', 'bad/id'], /--id: a device id is 1-64 letters/],
    [
      ['devices', 'add', '--city', 'nice', '--id', 'l-1', '--lat', '95', '--lon', '7'],
      /--lat must be between -90 and 90/,
    ],
    [
      ['devices', 'add', '--city', 'nice', '--id', 'l-2', '--lat', 'north', '--lon', '7'],
      /--lat must be a number/,
    ],
    [['devices', 'add', '--city', 'nice', '--id', 'l-3', '--lat', '43.7'], /give both --lat and --lon/],
    [['devices', 'add', '--city', 'nice', '--id', 'l-4', '--site', 'Arson'], /--site needs --lat and --lon/],
    [
      ['devices', 'add', '--city', 'nice', '--id', 'm-1', '--meta', 'model'],
      /--meta "model" must be key=value/,
    ],
    [['devices', 'add', '--city', 'nice', '--id', 'taken'], /device "taken" is already registered/],
    [
      ['devices', 'add', '--city', 'nice', '--id', 'o-1', '--colour', 'red'],
      /devices add: Unknown option '--colour'/,
    ],
    [['devices', 'list', '--city', 'mars'], /unknown city "mars"/],
    [['devices', 'remove'], /--id is required/],
    [['devices', 'remove', '--id', 'ghost'], /no device "ghost" is registered/],
    [['devices', 'frobnicate'], /unknown command "devices frobnicate"/],
    [['gateways'], /unknown command "gateways"/],
  ])('%j → one line saying what to fix, exit 1', async (args, pattern) => {
    const result = await ucap(...args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ucap: [^\n]+\n$/);
    expect(result.stderr).toMatch(pattern);
  });

  it('nothing was registered by the refused commands', async () => {
    const { stdout } = await ucap('devices', 'list', '--json');
    expect((JSON.parse(stdout) as Array<{ id: string }>).map((d) => d.id)).toEqual(['taken']);
  });

  it('reports a bad CITIES_FILE on one line', async () => {
    const io = { stdout: () => undefined, stderr: (t: string) => void lines.push(t), stderrIsTty: false };
    const lines: string[] = [];
    expect(
      await runCli(['devices', 'list'], { DATA_DIR: dataDir, CITIES_FILE: join(dataDir, 'none.json') }, io),
    ).toBe(1);
    expect(lines.join('')).toMatch(/^ucap: CITIES_FILE: cannot read .*none\.json as JSON\n$/);
  });
});
