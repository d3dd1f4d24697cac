#!/usr/bin/env node
// Runs before the test suite: makes sure the real components the tests use are installed.
// On a Debian machine as root it installs what is missing; anywhere else it stops with a message
// naming the missing tool and how to install it. Tests never skip silently for lack of a tool.
import { execFileSync, spawnSync } from 'node:child_process';

const REQUIRED = [
  { command: 'influxd', debianPackage: 'influxdb', why: 'real InfluxDB 1.x server for the store tests' },
  {
    command: 'influx',
    debianPackage: 'influxdb-client',
    why: 'InfluxDB CLI (not required by tests, installed with the server)',
    optional: true,
  },
  {
    command: 'mosquitto_pub',
    debianPackage: 'mosquitto-clients',
    why: "Debian's MQTT client, used by gateway tests",
  },
  {
    command: 'mosquitto_sub',
    debianPackage: 'mosquitto-clients',
    why: "Debian's MQTT client, used by gateway tests",
  },
];

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const missing = REQUIRED.filter((tool) => !tool.optional && !has(tool.command));
if (missing.length === 0) process.exit(0);

const packages = [...new Set(missing.map((tool) => tool.debianPackage))];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && has('apt-get')) {
  console.log(
    `[preflight] installing ${packages.join(', ')} with apt-get (missing: ${missing.map((t) => t.command).join(', ')})`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
      stdio: 'inherit',
      env,
    });
  } catch (error) {
    console.error(`[preflight] apt-get failed: ${error.message}`);
  }
  const still = missing.filter((tool) => !has(tool.command));
  if (still.length === 0) process.exit(0);
  missing.splice(0, missing.length, ...still);
}

console.error('[preflight] the test suite needs tools that are not installed:');
for (const tool of missing) {
  console.error(
    `  - ${tool.command} (${tool.why}): install it with  sudo apt-get install -y ${tool.debianPackage}`,
  );
}
console.error('Tests run against real components and are never skipped for a missing tool.');
process.exit(1);
