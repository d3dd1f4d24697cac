import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { homeLimitStandards, tableLimits } from '../../dashboards/air-quality-dashboard.ts';
import { GENERATED_DASHBOARDS_DIR, generateDashboardFiles } from '../../dashboards/generated-files.ts';
import { GRAFANA_UNITS } from '../../dashboards/grafana-units.ts';
import { exceedanceQuery } from '../../dashboards/influxql.ts';
import { LIMIT_STANDARDS } from '../../domain/air-quality/limit-values.ts';
import { DEFAULT_CITIES } from '../../domain/cities.ts';
import { METRICS } from '../../domain/metrics.ts';
import { stationsOf } from '../../simulators/stations.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Target {
  refId: string;
  datasource?: { type?: string; uid?: string };
  rawQuery?: boolean;
  query?: string;
  resultFormat?: string;
}
interface Panel {
  id?: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  gridPos?: { x: number; y: number; w: number; h: number };
  fieldConfig?: {
    defaults?: {
      unit?: string;
      thresholds?: { steps?: { value: number | null; color: string }[] };
      mappings?: { options: { result: { text?: string } } }[];
    };
  };
  transformations?: { id: string }[];
  timeFrom?: string;
  options?: { layers?: { location?: { mode?: string; lookup?: string; gazetteer?: string } }[] };
}
interface Variable {
  name: string;
  type: string;
  query?: string;
  datasource?: { uid?: string };
  multi?: boolean;
  includeAll?: boolean;
}
interface Dashboard {
  uid: string;
  title: string;
  timezone: string;
  panels: Panel[];
  templating?: { list?: Variable[] };
}

function shipped(name: string): Dashboard {
  return JSON.parse(readFileSync(join(ROOT, GENERATED_DASHBOARDS_DIR, 'en', name), 'utf8')) as Dashboard;
}

const SHIPPED = [
  'ucap-nice.json',
  'ucap-zhengzhou.json',
  'ucap-comparison.json',
  'ucap-aq-nice.json',
  'ucap-aq-zhengzhou.json',
  'ucap-aq-comparison.json',
];

describe('Grafana is not run here: the dashboard JSON we ship, checked as files', () => {
  it('ships one dashboard per partner city in its own time zone, plus the comparison', () => {
    expect(readdirSync(join(ROOT, GENERATED_DASHBOARDS_DIR, 'en')).sort()).toEqual([...SHIPPED].sort());
    for (const city of DEFAULT_CITIES) {
      const dashboard = shipped(`ucap-${city.id}.json`);
      expect(dashboard.uid).toBe(`ucap-${city.id}`);
      expect(dashboard.timezone).toBe(city.timeZone);
      expect(dashboard.title).toContain(city.name);
    }
    expect(shipped('ucap-comparison.json').uid).toBe('ucap-comparison');
  });

  it('points every panel and every query at the provisioned InfluxDB datasource, in raw InfluxQL', () => {
    for (const name of SHIPPED) {
      for (const panel of shipped(name).panels) {
        expect(panel.datasource, `${name} ${panel.title}`).toEqual({
          type: 'influxdb',
          uid: 'ucap-influxdb',
        });
        expect(panel.targets?.length, `${name} ${panel.title}`).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) {
          expect(target.datasource?.uid).toBe('ucap-influxdb');
          expect(target.rawQuery).toBe(true);
          expect(target.query).toMatch(/^(SELECT|SHOW) /);
        }
      }
    }
  });

  it('gives panels unique ids and a layout without overlaps on the 24-column grid', () => {
    for (const name of SHIPPED) {
      const panels = shipped(name).panels;
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      const cells = new Set<string>();
      for (const { gridPos } of panels) {
        if (!gridPos) throw new Error(`${name}: a panel has no gridPos`);
        expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
        for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++)
          for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
            expect(cells.has(`${x},${y}`), `${name}: overlap at ${x},${y}`).toBe(false);
            cells.add(`${x},${y}`);
          }
      }
    }
  });

  it("filters each city dashboard by multi-value device and metric variables read from the city's data", () => {
    for (const city of DEFAULT_CITIES) {
      const variables = shipped(`ucap-${city.id}.json`).templating?.list ?? [];
      expect(variables.map((v) => v.name)).toEqual(['device', 'metric']);
      for (const v of variables) {
        expect(v).toMatchObject({ type: 'query', multi: true, includeAll: true });
        expect(v.datasource?.uid).toBe('ucap-influxdb');
        expect(v.query).toBe(
          `SHOW TAG VALUES FROM "readings" WITH KEY = "${v.name}" WHERE "city" = '${city.id}'`,
        );
      }
    }
  });

  it('has latest values, a device map, a time series per measured metric and the rejections table', () => {
    for (const city of DEFAULT_CITIES) {
      const panels = shipped(`ucap-${city.id}.json`).panels;
      expect(panels.filter((p) => p.type === 'stat')).toHaveLength(1);
      const map = panels.find((p) => p.type === 'geomap');
      expect(map?.options?.layers?.[0]?.location).toEqual({
        mode: 'lookup',
        lookup: 'device',
        gazetteer: 'public/gazetteer/ucap/devices.json',
      });
      const rejections = panels.filter((p) => p.targets?.some((t) => t.query?.includes('FROM "rejections"')));
      expect(rejections.map((p) => p.type)).toEqual(['table']);
      const measured = new Set(stationsOf(city.id).flatMap((s) => s.metrics));
      const series = panels.filter((p) => p.type === 'timeseries');
      expect(series).toHaveLength(measured.size);
      for (const metric of measured) {
        const panel = series.find((p) => p.targets?.[0]?.query?.includes(`"metric" = '${metric}'`));
        expect(panel?.title, metric).toContain(METRICS[metric].displayName);
        expect(panel?.fieldConfig?.defaults?.unit).toBe(GRAFANA_UNITS[metric]);
        expect(panel?.targets?.[0]?.query).toContain(`"city" = '${city.id}'`);
        expect(panel?.targets?.[0]?.query).toContain('GROUP BY time($__interval), "device" fill(none)');
      }
    }
  });

  it("compares Nice and Zhengzhou daily means of PM2.5, PM10, NO2 and O3 over each city's local days", () => {
    const panels = shipped('ucap-comparison.json').panels.filter((p) => p.type === 'timeseries');
    expect(panels).toHaveLength(4);
    for (const metric of ['pm25', 'pm10', 'no2', 'o3']) {
      const panel = panels.find((p) => p.targets?.[0]?.query?.includes(`"metric" = '${metric}'`));
      expect(panel?.targets?.map((t) => t.query)).toEqual([
        expect.stringMatching(/"city" = 'nice'.*GROUP BY time\(1d\).*tz\('Europe\/Paris'\)$/),
        expect.stringMatching(/"city" = 'zhengzhou'.*GROUP BY time\(1d\).*tz\('Asia\/Shanghai'\)$/),
      ]);
    }
  });

  it('ships every dashboard in English, French and Chinese: same panels and queries, every title translated', () => {
    const inLang = (lang: string, name: string) =>
      JSON.parse(
        readFileSync(
          join(
            ROOT,
            GENERATED_DASHBOARDS_DIR,
            lang,
            lang === 'en' ? name : name.replace('.json', `-${lang}.json`),
          ),
          'utf8',
        ),
      ) as Dashboard;
    for (const name of SHIPPED) {
      const en = inLang('en', name);
      for (const lang of ['fr', 'zh']) {
        const other = inLang(lang, name);
        expect(other.uid).toBe(`${en.uid}-${lang}`);
        expect(other.panels.map((p) => p.targets?.map((t) => t.query))).toEqual(
          en.panels.map((p) => p.targets?.map((t) => t.query)),
        );
        expect(other.title).not.toBe(en.title);
        other.panels.forEach((panel, i) => {
          const english = en.panels[i];
          expect(panel.title.trim().length, `${lang} ${name} panel ${i}`).toBeGreaterThan(0);
          expect(panel.description?.trim().length ?? 0, `${lang} ${name} ${panel.title}`).toBeGreaterThan(0);
          // A metric's own panel is titled by its name and unit, which may be the same word in two
          // languages (Ozone, PM10); every other title must be translated.
          if (!/\([^)]*\/[^)]*\)$/.test(english?.title ?? '')) {
            expect(panel.title, `${lang} ${name}`).not.toBe(english?.title);
          }
        });
      }
    }
  });

  it('colours the current index of each standard with its official level colours and names', () => {
    const panels = shipped('ucap-aq-zhengzhou.json').panels;
    const hj = panels.find((p) => p.title === 'Current index — China Air Quality Index (HJ 633)');
    const steps = hj?.fieldConfig?.defaults?.thresholds?.steps?.map((s) => [s.value, s.color]);
    expect(steps).toEqual([
      [null, '#00E400'],
      [51, '#FFFF00'],
      [101, '#FF7E00'],
      [151, '#FF0000'],
      [201, '#99004C'],
      [301, '#7E0023'],
    ]);
    const zh = JSON.parse(
      readFileSync(join(ROOT, GENERATED_DASHBOARDS_DIR, 'zh', 'ucap-aq-zhengzhou-zh.json'), 'utf8'),
    ) as Dashboard;
    const mapped = zh.panels[1]?.fieldConfig?.defaults?.mappings?.map((m) => m.options.result.text);
    expect(mapped).toEqual(['优', '良', '轻度污染', '中度污染', '重度污染', '严重污染']);
  });

  it('ships exactly what the generator produces now (run `npm run dashboards` after changing it)', () => {
    for (const file of generateDashboardFiles(DEFAULT_CITIES, stationsOf)) {
      expect(readFileSync(join(ROOT, file.path), 'utf8'), file.path).toBe(file.content);
    }
  });

  it('provisions the InfluxDB datasource and the dashboard folder where docker-compose mounts them', () => {
    const datasources = parseYaml(
      readFileSync(join(ROOT, 'dashboards/provisioning/datasources/datasources.yaml'), 'utf8'),
    ) as { datasources: Record<string, unknown>[] };
    expect(datasources.datasources).toEqual([
      expect.objectContaining({
        uid: 'ucap-influxdb',
        type: 'influxdb',
        url: 'http://influxdb:8086',
        database: 'ucap',
        jsonData: expect.objectContaining({ dbName: 'ucap', version: 'InfluxQL' }),
      }),
    ]);
    const providers = parseYaml(
      readFileSync(join(ROOT, 'dashboards/provisioning/dashboards/dashboards.yaml'), 'utf8'),
    ) as { providers: { type: string; options: { path: string } }[] };
    const compose = parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: { grafana: { volumes: string[] } };
    };
    const mounts = compose.services.grafana.volumes;
    expect(mounts).toContain('./dashboards/provisioning:/etc/grafana/provisioning:ro');
    expect(providers.providers[0]?.type).toBe('file');
    expect(mounts).toContain(`./dashboards/generated:${providers.providers[0]?.options.path}:ro`);
  });

  it('places every simulated device in the gazetteer the device map looks up', () => {
    const gazetteer = JSON.parse(readFileSync(join(ROOT, 'dashboards/gazetteer/devices.json'), 'utf8')) as {
      key: string;
      latitude: number;
      longitude: number;
    }[];
    for (const s of [...stationsOf('nice'), ...stationsOf('zhengzhou')]) {
      expect(gazetteer).toContainEqual(
        expect.objectContaining({ key: s.id, latitude: s.location.lat, longitude: s.location.lon }),
      );
    }
  });

  it("shows this year's exceedances per limit-value standard as a table, one row per 24-hour or 1-hour limit, in every language", () => {
    const year = new Date().getUTCFullYear();
    for (const city of DEFAULT_CITIES) {
      for (const lang of ['en', 'fr', 'zh']) {
        const file = lang === 'en' ? `ucap-aq-${city.id}.json` : `ucap-aq-${city.id}-${lang}.json`;
        const dashboard = JSON.parse(
          readFileSync(join(ROOT, GENERATED_DASHBOARDS_DIR, lang, file), 'utf8'),
        ) as Dashboard;
        const tables = dashboard.panels.filter((p) =>
          p.targets?.some((t) => t.query?.includes('AS "so_far"')),
        );
        expect(tables).toHaveLength(homeLimitStandards(city).length);
        homeLimitStandards(city).forEach((standardId, i) => {
          const panel = tables[i];
          const limits = tableLimits(standardId, year);
          expect(panel?.type).toBe('table');
          expect(panel?.timeFrom).toBe('now/y');
          expect(panel?.transformations?.map((t) => t.id)).toEqual(['merge', 'organize']);
          expect(panel?.targets?.map((t) => t.query)).toEqual(
            limits.map((l) => exceedanceQuery(city.id, city.timeZone, l)),
          );
          for (const target of panel?.targets ?? []) expect(target.resultFormat).toBe('table');
          // The description names the standard's daily validity rule (hours) and the rules left out.
          const minHours = LIMIT_STANDARDS[standardId].validity.dailyMinHours;
          expect(panel?.description).toContain(String(minHours));
          expect(panel?.description).toContain('O₃');
        });
      }
    }
  });

  it('counts GB 3095 limits by the HJ 663 percentiles and Directive 2008/50/EC limits by their allowed days', () => {
    const gb = tableLimits('gb3095-2026', 2026);
    expect(gb.find((l) => l.metric === 'pm25' && l.averaging === '24h')).toEqual({
      metric: 'pm25',
      averaging: '24h',
      value: 60,
      allowed: { kind: 'percentile', p: 95 },
      dailyMinHours: 20,
    });
    const eu = tableLimits('eu2008', 2026);
    expect(eu.find((l) => l.metric === 'pm10')).toMatchObject({
      value: 50,
      allowed: { kind: 'count', n: 35 },
    });
    expect(eu.find((l) => l.metric === 'no2')).toMatchObject({
      averaging: '1h',
      allowed: { kind: 'count', n: 18 },
    });
    // Alert and information thresholds are events, not limits with an allowed count.
    expect(eu.some((l) => l.value === 180 || l.value === 400)).toBe(false);
    // A day's validity must be expressible as floor(hours / minimum) ∈ {0, 1}.
    expect(() =>
      exceedanceQuery('nice', 'Europe/Paris', { ...eu[0], dailyMinHours: 12 } as (typeof eu)[number]),
    ).toThrow(/cannot be expressed/);
  });
});
