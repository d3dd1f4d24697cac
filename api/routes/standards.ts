import { z } from 'zod';
import { DEFAULT_EAQI_VERSION, EAQI_TABLES } from '../../domain/air-quality/eaqi-tables.ts';
import { EPA_CATEGORIES } from '../../domain/air-quality/epa-tables.ts';
import { HJ633_LEVELS } from '../../domain/air-quality/hj633-tables.ts';
import { STANDARDS, type StandardEntry } from '../../domain/air-quality/index.ts';
import { LEVEL_NAMES, STANDARD_NAMES } from '../../domain/air-quality/level-names.ts';
import { DEFAULT_LANG, LANGS, type Lang } from '../../domain/i18n/languages.ts';
import type { ApiApp } from '../api-deps.ts';
import { langParameter } from '../schemas/air-quality-parameters.ts';
import { errorResponses } from '../schemas/response-parts.ts';

const sourceSchema = z.object({
  reference: z.string().describe("The published standard's table or clause the values are encoded from."),
  documents: z.array(z.string()).describe('The official documents (and implementations) it rests on.'),
  urls: z.array(z.string()),
  confidence: z.string().describe('verified (official text or ≥ 2 sources), impl, or uncertain.'),
});

const versionSchema = z.object({
  id: z.string().describe('Pass as `version` (indices); limit-value standards have one version.'),
  name: z.string(),
  isDefault: z.boolean(),
  validFrom: z.string().nullable().describe('First day in force, YYYY-MM-DD (null when not stated).'),
  validTo: z.string().nullable().describe('Last day in force, YYYY-MM-DD (null when still in force).'),
  source: sourceSchema,
  uncertainties: z
    .array(z.object({ what: z.string(), why: z.string() }))
    .describe('What the encoding had to assume, and why.'),
});

const standardSchema = z.object({
  id: z.string().describe('Pass as `standard` to the endpoint.'),
  kind: z.enum(['index', 'limit-values']),
  endpoint: z.string().describe('/v1/aqi for indices, /v1/exceedances for limit values.'),
  name: z
    .string()
    .describe('Index standards: in the language asked for; limit-value standards: their official title.'),
  levels: z
    .array(z.object({ number: z.number().int(), name: z.string(), colour: z.string() }))
    .describe(
      "Index standards: the levels (1 = best) with the standard's official colour and their name in the language asked for; empty for limit values.",
    ),
  versionChoice: z.string().describe('How a version is picked when none is requested.'),
  versions: z.array(versionSchema),
  grades: z.array(z.string()).describe('Accepted `grade` values (empty when the standard has none).'),
  defaultGrade: z.string().nullable(),
  phases: z
    .array(z.object({ id: z.string(), fromYear: z.number().nullable(), toYear: z.number().nullable() }))
    .describe('Phases chosen by the assessed year (GB 3095-2026: transition, final).'),
});

type WireStandard = z.infer<typeof standardSchema>;

const LEVEL_COLOURS = {
  eaqi: EAQI_TABLES[DEFAULT_EAQI_VERSION].levels.map((l) => l.colour),
  hj633: HJ633_LEVELS.map((l) => l.colour),
  epa: EPA_CATEGORIES.map((c) => c.colour),
} as const;

function isIndex(id: string): id is keyof typeof LEVEL_NAMES {
  return id in LEVEL_NAMES;
}

export function toWireStandard(s: StandardEntry, lang: Lang = DEFAULT_LANG): WireStandard {
  const index = isIndex(s.id) ? s.id : undefined;
  return {
    id: s.id,
    kind: s.kind,
    endpoint: s.kind === 'index' ? '/v1/aqi' : '/v1/exceedances',
    name: index === undefined ? s.name : STANDARD_NAMES[index][lang],
    levels:
      index === undefined
        ? []
        : LEVEL_NAMES[index].map((name, i) => ({
            number: i + 1,
            name: name[lang],
            colour: LEVEL_COLOURS[index][i] ?? '',
          })),
    versionChoice: s.versionChoice,
    versions: s.versions.map((v) => ({
      id: v.id,
      name: v.name,
      isDefault: v.isDefault,
      validFrom: v.validFrom ?? null,
      validTo: v.validTo ?? null,
      source: { ...v.source, documents: [...v.source.documents], urls: [...v.source.urls] },
      uncertainties: v.uncertainties.map((u) => ({ what: u.what, why: u.why })),
    })),
    grades: [...s.grades],
    defaultGrade: s.defaultGrade ?? null,
    phases: s.phases.map((p) => ({ id: p.id, fromYear: p.fromYear ?? null, toYear: p.toYear ?? null })),
  };
}

export function registerStandardsRoute(app: ApiApp): void {
  const byLang = Object.fromEntries(
    LANGS.map((lang) => [lang, STANDARDS.map((s) => toWireStandard(s, lang))]),
  );
  app.get(
    '/v1/standards',
    {
      schema: {
        summary: 'Air-quality standards, versions and sources',
        description:
          'Every index standard (for /v1/aqi) and limit-value standard (for /v1/exceedances) the API knows, with its versions, grades, phases, the documents each table is encoded from, and what had to be assumed.',
        tags: ['air quality'],
        querystring: z.strictObject({ lang: langParameter.default('en') }),
        response: { 200: z.object({ standards: z.array(standardSchema) }), ...errorResponses },
      },
    },
    async (request) => ({ standards: byLang[request.query.lang] ?? [] }),
  );
}
