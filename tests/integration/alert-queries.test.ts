import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { alertRulesFile, alertRuleUid } from '../../dashboards/alert-rules.ts';
import { LANGS, type Lang } from '../../domain/i18n/languages.ts';
import { emptyTestDatabase } from '../setup/influx-test-database.ts';
import { type InfluxIngest, startInfluxIngest } from './influx-ingest-fixture.ts';

/**
 * Grafana is not run here. What its alerting does with a provisioned rule is: run query A over the
 * rule's relative time range, reduce each series (B), compare with the threshold (C). This test does
 * that with the shipped rule files (one per language) against the real InfluxDB of the test setup,
 * on readings devices sent just now over MQTT through the real gateway and ingest pipeline, and
 * the index series the pipeline's maintainer wrote from them.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const url = inject('influxUrl');
const DB = `ucap_alert_queries_${Math.random().toString(36).slice(2, 8)}`;
const MINUTE = 60_000;

interface Rule {
  uid: string;
  title: string;
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

const rulesOf = (lang: Lang): Rule[] =>
  (
    parseYaml(readFileSync(join(ROOT, alertRulesFile(lang)), 'utf8')) as { groups: { rules: Rule[] }[] }
  ).groups.flatMap((g) => g.rules);
const rules = LANGS.flatMap(rulesOf);

function rule(base: string, lang: Lang): Rule {
  const found = rules.find((r) => r.uid === alertRuleUid(base, lang));
  if (!found) throw new Error(`no rule ${base} in ${lang}`);
  return found;
}

/** Fires (by series) the same in every language: the rule of each language is evaluated. */
async function firingInEveryLanguage(base: string): Promise<string[]> {
  const results = await Promise.all(LANGS.map((lang) => firing(rule(base, lang))));
  for (const r of results) expect(r).toEqual(results[0]);
  return results[0] ?? [];
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

/** One device sending PM2.5 every 5 minutes from `fromMinutesAgo` to `toMinutesAgo` before now. */
async function send(city: string, deviceId: string, pm25: number, fromMinutesAgo: number, toMinutesAgo = 0) {
  await ingest?.connect(city, deviceId);
  const now = Date.now();
  const publishes: Promise<void>[] = [];
  for (let m = fromMinutesAgo; m >= toMinutesAgo; m -= 5) {
    publishes.push(ingest?.publish(city, deviceId, now - m * MINUTE, { pm25 }) ?? Promise.resolve());
  }
  await Promise.all(publishes);
}

let ingest: InfluxIngest | undefined;

// Devices publish through the real gateway and pipeline into InfluxDB; finishing the pipeline
// writes the index series of the days they touched, as a running gateway's maintainer would.
beforeAll(async () => {
  ingest = await startInfluxIngest(url, DB);
  await Promise.all([
    // Zhengzhou: one device at 200 µg/m³ PM2.5 for 4 hours (HJ 633 IAQI 250, 重度污染).
    send('zhengzhou', 'zz-hot', 200, 240),
    // Nice: a clean device still reporting, and one that stopped an hour ago.
    send('nice', 'nice-clean', 5, 240),
    send('nice', 'nice-quiet', 5, 240, 60),
  ]);
  await ingest.finish();
});

afterAll(async () => {
  await ingest?.finish();
  await emptyTestDatabase(url, DB);
});

describe('Grafana is not run here: each shipped alert rule, evaluated as Grafana would, on readings sent over MQTT into real InfluxDB', () => {
  it('index at level 4 or worse for 2 hours: fires for Zhengzhou (HJ 633), not for Nice (EAQI)', async () => {
    expect(await firingInEveryLanguage('ucap-zhengzhou-index-level-4')).toEqual(['*']);
    expect(await firingInEveryLanguage('ucap-nice-index-level-4')).toEqual([]);
    expect(rule('ucap-zhengzhou-index-level-4', 'zh').title).toContain('中度污染');
    expect(rule('ucap-nice-index-level-4', 'fr').title).toContain('Mauvais');
  });

  it('24-hour mean above the WHO 2021 guideline: fires for Zhengzhou PM2.5 only', async () => {
    expect(await firingInEveryLanguage('ucap-zhengzhou-who-24h-pm25')).toEqual(['*']);
    expect(await firingInEveryLanguage('ucap-nice-who-24h-pm25')).toEqual([]);
    // No NO2 was reported: no data, nothing fires.
    expect(await firingInEveryLanguage('ucap-zhengzhou-who-24h-no2')).toEqual([]);
  });

  it('device silent for 30 minutes: fires for the device that stopped, labelled with its id', async () => {
    expect(await firingInEveryLanguage('ucap-nice-device-silent')).toEqual(['nice-quiet']);
    expect(await firingInEveryLanguage('ucap-zhengzhou-device-silent')).toEqual([]);
  });
});
