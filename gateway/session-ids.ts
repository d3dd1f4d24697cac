/**
 * MQTT sessions are keyed by client id, and a new connection with a client id in use takes the
 * old session over. So that no device can take over, block or attach to another's session
 * whatever id it sends, the gateway keys each device's sessions under its own id: client id
 * `x` sent by device `nice-a` is session `nice-a/x`. A device id never contains "/", so the
 * namespaces cannot overlap. The device keeps sending whatever client id it likes (a fixed one,
 * or mosquitto_pub's and mqtt.js' random defaults).
 */
export function deviceSessionId(deviceId: string, clientId: string): string {
  return `${deviceId}/${clientId}`;
}
