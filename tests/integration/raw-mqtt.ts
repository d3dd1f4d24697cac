import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';

/** Hand-built MQTT 3.1.1 packets, for what a client library refuses to send. */
export interface RawConnect {
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  readonly clean?: boolean;
  readonly keepalive?: number;
}

const utf8 = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}

/** MQTT 3.1.1 §3.1 CONNECT. */
export function connectPacket(c: RawConnect): Buffer {
  const flags =
    (c.username === undefined ? 0 : 0x80) |
    (c.password === undefined ? 0 : 0x40) |
    (c.clean === false ? 0 : 0x02);
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(c.keepalive ?? 60);
  const body = Buffer.concat([
    utf8('MQTT'),
    Buffer.from([4, flags]),
    keepalive,
    utf8(c.clientId),
    ...(c.username === undefined ? [] : [utf8(c.username)]),
    ...(c.password === undefined ? [] : [utf8(c.password)]),
  ]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

export interface RawOutcome {
  /** CONNACK return code, or undefined when the gateway closed without one. */
  readonly returnCode: number | undefined;
  readonly sessionPresent: boolean;
  readonly socket: Socket;
}

/** Opens a TCP connection (optionally from another loopback address), sends CONNECT, awaits CONNACK or close. */
export function rawConnect(
  port: number,
  packet: Buffer,
  options: { localAddress?: string; timeoutMs?: number } = {},
): Promise<RawOutcome> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: options.localAddress });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no CONNACK and no close within ${options.timeoutMs ?? 10_000} ms`));
    }, options.timeoutMs ?? 10_000);
    const finish = (outcome: RawOutcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.write(packet));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received[0] === 0x20)
        finish({ returnCode: received[3], sessionPresent: ((received[2] ?? 0) & 1) === 1, socket });
    });
    socket.on('close', () => finish({ returnCode: undefined, sessionPresent: false, socket }));
  });
}

export interface FloodResult {
  /** How many of the attempts got each CONNACK return code ("closed" without one). */
  readonly codes: Record<string, number>;
}

/**
 * Sends `count` copies of a CONNECT packet at once, each on its own connection from
 * `localAddress`, from a separate Node process (as an attacker would: the test process only
 * runs the gateway and the legitimate client). `onSent` fires once every packet is written.
 */
export function floodFromChild(
  port: number,
  packet: Buffer,
  count: number,
  localAddress: string,
  onSent: () => void,
): Promise<FloodResult> {
  const script = `
    const net = require('node:net');
    const [port, hex, count, localAddress] = process.argv.slice(1);
    const packet = Buffer.from(hex, 'hex');
    const codes = {};
    let done = 0, sent = 0;
    for (let i = 0; i < Number(count); i++) {
      const s = net.connect({ host: '127.0.0.1', port: Number(port), localAddress });
      let code;
      s.on('error', () => {});
      s.on('connect', () => s.write(packet, () => { if (++sent === Number(count)) process.stdout.write('sent\\n'); }));
      s.on('data', (d) => { if (d[0] === 0x20 && d.length >= 4) { code = d[3]; s.destroy(); } });
      s.on('close', () => {
        const key = code === undefined ? 'closed' : String(code);
        codes[key] = (codes[key] || 0) + 1;
        if (++done === Number(count)) process.stdout.write(JSON.stringify(codes) + '\\n');
      });
    }`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      '-e',
      script,
      String(port),
      packet.toString('hex'),
      String(count),
      localAddress,
    ]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('sent\n') && !out.includes('{')) onSent();
    });
    child.on('error', reject);
    child.on('close', () => {
      const last = out.trim().split('\n').at(-1) ?? '{}';
      resolve({ codes: JSON.parse(last.startsWith('{') ? last : '{}') as Record<string, number> });
    });
  });
}
