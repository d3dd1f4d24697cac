import { z } from 'zod';
import { STANDARDS, type StandardEntry } from '../../domain/air-quality/index.ts';
import type { ApiApp } from '../api-deps.ts';
import { errorResponses } from '../schemas/response-parts.ts';

const sourceSchema = z.object({
  reference: z.string().describe('Section of the project reference the table is encoded from.'),
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
  name: z.string(),
  versionChoice: z.string().describe('How a version is picked when none is requested.'),
  versions: z.array(versionSchema),
  grades: z.array(z.string()).describe('Accepted `grade` values (empty when the standard has none).'),
  defaultGrade: z.string().nullable(),
  phases: z
    .array(z.object({ id: z.string(), fromYear: z.number().nullable(), toYear: z.number().nullable() }))
    .describe('Phases chosen by the assessed year (GB 3095-2026: transition, final).'),
});

type WireStandard = z.infer<typeof standardSchema>;

export function toWireStandard(s: StandardEntry): WireStandard {
  return {
    id: s.id,
    kind: s.kind,
    endpoint: s.kind === 'index' ? '/v1/aqi' : '/v1/exceedances',
    name: s.name,
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
  const standards = STANDARDS.map(toWireStandard);
  app.get(
    '/v1/standards',
    {
      schema: {
        summary: 'Air-quality standards, versions and sources',
        description:
          'Every index standard (for /v1/aqi) and limit-value standard (for /v1/exceedances) the API knows, with its versions, grades, phases, the documents each table is encoded from, and what had to be assumed.',
        tags: ['air quality'],
        querystring: z.strictObject({}),
        response: { 200: z.object({ standards: z.array(standardSchema) }), ...errorResponses },
      },
    },
    async () => ({ standards }),
  );
}
