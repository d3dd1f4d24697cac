/**
 * The URL a client uses to reach an MQTT listener. A wildcard listen address (0.0.0.0, ::) is
 * reached on loopback; IPv6 literals get brackets.
 */
export function mqttUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `mqtt://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
