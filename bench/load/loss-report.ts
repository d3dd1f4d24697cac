import type { DeviceTally } from './device-fleet.ts';
import type { StoredCounts } from './stored-counts.ts';

export interface DeviceLoss {
  readonly id: string;
  readonly sentQos1: number;
  readonly acked: number;
  readonly stored: number;
  /** Acknowledged QoS 1 messages missing from the store (at least this many). */
  readonly lost: number;
  /** Stored readings beyond the QoS 1 messages sent: never sent, or stored twice. Must be 0. */
  readonly unexpected: number;
}

export interface LossReport {
  readonly sentQos1: number;
  readonly acked: number;
  readonly stored: number;
  readonly lost: number;
  readonly unexpected: number;
  /** Devices with a loss or an unexpected reading, worst first. */
  readonly devices: readonly DeviceLoss[];
  /** Devices (ids) the store holds readings for that the fleet does not know. */
  readonly strangers: readonly string[];
  /**
   * True when every sent QoS 1 message was acknowledged: then `lost` is exact (both stores keep one
   * reading per device, metric and ts, and every message has its own ts). With messages in flight
   * or failed, a stored-but-unacknowledged one can hide an acknowledged loss: `lost` is a lower bound.
   */
  readonly exact: boolean;
}

/**
 * Compares, per device, what the gateway acknowledged with what the store holds. The fleet's QoS 1
 * messages are the only ones carrying the counted metric, so stored = stored QoS 1 messages.
 */
export function lossReport(tallies: readonly DeviceTally[], stored: StoredCounts): LossReport {
  const devices: DeviceLoss[] = [];
  let totals = { sentQos1: 0, acked: 0, stored: 0, lost: 0, unexpected: 0 };
  let settled = true;
  const known = new Set<string>();
  for (const tally of tallies) {
    known.add(tally.id);
    const count = stored.get(tally.id) ?? 0;
    const lost = Math.max(0, tally.acked - count);
    const unexpected = Math.max(0, count - tally.sentQos1);
    if (tally.acked !== tally.sentQos1) settled = false;
    totals = {
      sentQos1: totals.sentQos1 + tally.sentQos1,
      acked: totals.acked + tally.acked,
      stored: totals.stored + count,
      lost: totals.lost + lost,
      unexpected: totals.unexpected + unexpected,
    };
    if (lost > 0 || unexpected > 0) {
      devices.push({
        id: tally.id,
        sentQos1: tally.sentQos1,
        acked: tally.acked,
        stored: count,
        lost,
        unexpected,
      });
    }
  }
  devices.sort((a, b) => b.lost + b.unexpected - (a.lost + a.unexpected) || a.id.localeCompare(b.id));
  const strangers = [...stored.keys()].filter((id) => !known.has(id));
  return { ...totals, devices, strangers, exact: settled };
}

/** One line per device with a problem, e.g. "load-0007: 412 acknowledged, 398 stored, 14 lost". */
export function describeLosses(report: LossReport, limit = 20): string[] {
  const lines = report.devices.slice(0, limit).map((d) => {
    const parts = [`${d.acked} acknowledged`, `${d.stored} stored`];
    if (d.lost > 0) parts.push(`${d.lost} lost`);
    if (d.unexpected > 0) parts.push(`${d.unexpected} stored but never sent (or stored twice)`);
    return `${d.id}: ${parts.join(', ')}`;
  });
  if (report.devices.length > limit) lines.push(`… and ${report.devices.length - limit} more devices`);
  if (report.strangers.length > 0)
    lines.push(`readings from unknown devices: ${report.strangers.join(', ')}`);
  return lines;
}
