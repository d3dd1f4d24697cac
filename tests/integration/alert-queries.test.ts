import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ALERT_RULES_FILE } from '../../dashboards/generated-files.ts';
import type { Reading } from '../../domain/reading.ts';
import { type IndexedInfluxStore, openIndexedInfluxStore } from './indexed-influx-store.ts';

/**
 * Grafana is not run here. What its alerting does with a provisioned rule is: run query A over the
 * rule's relative time range, reduce each series (B), compare with the threshold (C). This test does
 * that with the shipped rule file against the real InfluxDB of the test setup, on readings written
 * through the real store just now and index series written by the real maintainer.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const url = inject('influxUrl');
const DB = `ucap_alert_queries_${Math.random().toString(36).slice(2, 8)}`;
const MINUTE = 60_000;

interface Rule {
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  data: {
    refId: string;
    relativeTimeRange?: { from: number; to: number };
    model: {
      query?: string;
      reducer?: string;
      conditions?: { evaluator: { type: 'gt' | 'lt'; params: number[] } }[];
    };
  }[];
}

const rules = (
  parseYaml(readFileSync(join(ROOT, ALERT_RULES_FILE), 'utf8')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);

function rule(uid: string): Rule {
  const found = rules.find((r) => r.uid === uid);
  if (!found) throw new Error(`no rule ${uid}`);
  return found;
}

/** Evaluates a rule as Grafana would; returns the series that fire, by their device tag (or '*'). */
async function firing(r: Rule): Promise<string[]> {
  const a = r.data.find((d) => d.refId === 'A');
  const b = r.data.find((d) => d.refId === 'B');
  const c = r.data.find((d) => d.refId === 'C');
  expect(b?.model.reducer).toBe('last');
  const seconds = a?.relativeTimeRange?.from ?? 0;
  const query = (a?.model.query ?? '').replaceAll('$timeFilter', `time >= now() - ${seconds}s`);
  const params = new URLSearchParams({ db: DB, q: query, epoch: 'ms' });
  const response = await fetch(`${url}/query?${params}`, { method: 'POST' });
  const body = (await response.json()) as {
    results: { error?: string; series?: { tags?: Record<string, string>; values: unknown[][] }[] }[];
  };
  expect(body.results[0]?.error, query).toBeUndefined();
  const evaluator = c?.model.conditions?.[0]?.evaluator;
  const threshold = evaluator?.params[0] ?? Number.NaN;
  return (body.results[0]?.series ?? []).flatMap((s) => {
    const last = s.values.at(-1)?.[1];
    if (typeof last !== 'number') return [];
    const fires = evaluator?.type === 'gt' ? last > threshold : last < threshold;
    return fires ? [s.tags?.device ?? '*'] : [];
  });
}

/** Every 5 minutes from `fromMinutesAgo` to `toMinutesAgo` before now. */
function readings(city: string, deviceId: string, value: number, fromMinutesAgo: number, toMinutesAgo = 0) {
  const now = Date.now();
  const out: Reading[] = [];
  for (let m = fromMinutesAgo; m >= toMinutesAgo; m -= 5) {
    out.push({ ts: now - m * MINUTE, city, deviceId, metric: 'pm25', value });
  }
  return out;
}

let indexed: IndexedInfluxStore | undefined;

beforeAll(async () => {
  indexed = await openIndexedInfluxStore(url, DB);
  const { writer, maintainer } = indexed;
  // Zhengzhou: one device at 200 µg/m³ PM2.5 for 4 hours (HJ 633 IAQI 250, 重度污染).
  await writer.writeReadings(readings('zhengzhou', 'zz-hot', 200, 240));
  // Nice: a clean device still reporting, and one that stopped an hour ago.
  await writer.writeReadings(readings('nice', 'nice-clean', 5, 240));
  await writer.writeReadings(readings('nice', 'nice-quiet', 5, 240, 60));
  await maintainer.flush();
});

afterAll(async () => {
  await indexed?.close();
  await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: `DROP DATABASE "${DB}"` }) });
});

describe('Grafana is not run here: each shipped alert rule, evaluated as Grafana would, on real InfluxDB', () => {
  it('index at level 4 or worse for 2 hours: fires for Zhengzhou (HJ 633), not for Nice (EAQI)', async () => {
    expect(await firing(rule('ucap-zhengzhou-index-level-4'))).toEqual(['*']);
    expect(await firing(rule('ucap-nice-index-level-4'))).toEqual([]);
    expect(rule('ucap-zhengzhou-index-level-4').annotations.summary_zh).toContain('中度污染');
  });

  it('24-hour mean above the WHO 2021 guideline: fires for Zhengzhou PM2.5 only', async () => {
    expect(await firing(rule('ucap-zhengzhou-who-24h-pm25'))).toEqual(['*']);
    expect(await firing(rule('ucap-nice-who-24h-pm25'))).toEqual([]);
    // No NO2 was reported: no data, nothing fires.
    expect(await firing(rule('ucap-zhengzhou-who-24h-no2'))).toEqual([]);
  });

  it('device silent for 30 minutes: fires for the device that stopped, labelled with its id', async () => {
    expect(await firing(rule('ucap-nice-device-silent'))).toEqual(['nice-quiet']);
    expect(await firing(rule('ucap-zhengzhou-device-silent'))).toEqual([]);
  });

  it('says what fired in English, French and Chinese', () => {
    for (const r of rules) {
      for (const key of [
        'summary',
        'summary_fr',
        'summary_zh',
        'description',
        'description_fr',
        'description_zh',
      ]) {
        expect(r.annotations[key]?.trim().length ?? 0, `${r.uid} ${key}`).toBeGreaterThan(0);
      }
    }
  });
});
