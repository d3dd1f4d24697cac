import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { GENERATED_DASHBOARDS_DIR, generateDashboardFiles } from '../../dashboards/generated-files.ts';
import { GRAFANA_UNITS } from '../../dashboards/grafana-units.ts';
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
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  gridPos?: { x: number; y: number; w: number; h: number };
  fieldConfig?: { defaults?: { unit?: string } };
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
  return JSON.parse(readFileSync(join(ROOT, GENERATED_DASHBOARDS_DIR, name), 'utf8')) as Dashboard;
}

const SHIPPED = ['ucap-nice.json', 'ucap-zhengzhou.json', 'ucap-comparison.json'];

describe('Grafana is not run here: the dashboard JSON we ship, checked as files', () => {
  it('ships one dashboard per partner city in its own time zone, plus the comparison', () => {
    expect(readdirSync(join(ROOT, GENERATED_DASHBOARDS_DIR)).sort()).toEqual([...SHIPPED].sort());
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
});
