import { DEFAULT_EAQI_VERSION, EAQI_TABLES, EAQI_VERSIONS } from './eaqi-tables.ts';
import { EPA_TABLES, EPA_VERSIONS } from './epa-tables.ts';
import { HJ633_REPORT_UNCERTAINTIES, HJ633_TABLES, HJ633_VERSIONS } from './hj633-tables.ts';
import { type IndexStandardId, STANDARD_NAMES } from './level-names.ts';
import { LIMIT_STANDARD_IDS, LIMIT_STANDARDS, type LimitStandardId } from './limit-values.ts';
import type { TableSource, Uncertainty } from './pollutants.ts';

/**
 * The list behind GET /v1/standards, derived from the tables themselves so it cannot drift from
 * them: every index and limit-value standard, its versions, grades and phases, and its sources.
 */
export interface StandardVersion {
  readonly id: string;
  readonly name: string;
  readonly isDefault: boolean;
  readonly validFrom?: string;
  readonly validTo?: string;
  readonly source: TableSource;
  readonly uncertainties: readonly Uncertainty[];
}

export interface StandardEntry {
  readonly id: IndexStandardId | LimitStandardId;
  readonly kind: 'index' | 'limit-values';
  readonly name: string;
  /** How a version is picked when none is requested. */
  readonly versionChoice: string;
  readonly versions: readonly StandardVersion[];
  readonly grades: readonly string[];
  readonly defaultGrade?: string;
  readonly phases: readonly { readonly id: string; readonly fromYear?: number; readonly toYear?: number }[];
}

function eaqiEntry(): StandardEntry {
  return {
    id: 'eaqi',
    kind: 'index',
    name: STANDARD_NAMES.eaqi.en,
    versionChoice: `"${DEFAULT_EAQI_VERSION}" unless another version is requested`,
    versions: EAQI_VERSIONS.map((v) => ({
      id: v,
      name: EAQI_TABLES[v].name,
      isDefault: v === DEFAULT_EAQI_VERSION,
      source: EAQI_TABLES[v].source,
      uncertainties: EAQI_TABLES[v].uncertainties,
    })),
    grades: [],
    phases: [],
  };
}

interface DatedTable {
  readonly name: string;
  readonly validFrom?: string;
  readonly validTo?: string;
  readonly source: TableSource;
  readonly uncertainties: readonly Uncertainty[];
}

/** A version chosen by date (HJ 633, EPA): none is the default, each says when it applies. */
function datedVersion(id: string, t: DatedTable, extra: readonly Uncertainty[] = []): StandardVersion {
  return {
    id,
    name: t.name,
    isDefault: false,
    ...(t.validFrom === undefined ? {} : { validFrom: t.validFrom }),
    ...(t.validTo === undefined ? {} : { validTo: t.validTo }),
    source: t.source,
    uncertainties: [...t.uncertainties, ...extra],
  };
}

function hj633Entry(): StandardEntry {
  return {
    id: 'hj633',
    kind: 'index',
    name: STANDARD_NAMES.hj633.en,
    versionChoice: 'by observation date on the Asia/Shanghai calendar unless a version is requested',
    versions: HJ633_VERSIONS.map((v) => datedVersion(v, HJ633_TABLES[v], HJ633_REPORT_UNCERTAINTIES[v])),
    grades: [],
    phases: [],
  };
}

function epaEntry(): StandardEntry {
  return {
    id: 'epa',
    kind: 'index',
    name: STANDARD_NAMES.epa.en,
    versionChoice:
      'by the local date of the observation (2024 PM2.5 revision from 2024-05-06) unless a version is requested',
    versions: EPA_VERSIONS.map((v) => datedVersion(v, EPA_TABLES[v])),
    grades: [],
    phases: [],
  };
}

function limitEntry(id: LimitStandardId): StandardEntry {
  const s = LIMIT_STANDARDS[id];
  const phases = s.sets.flatMap((set) =>
    set.phase === undefined || set.grade !== (s.defaultGrade ?? set.grade)
      ? []
      : [
          {
            id: set.phase,
            ...(set.fromYear === undefined ? {} : { fromYear: set.fromYear }),
            ...(set.toYear === undefined ? {} : { toYear: set.toYear }),
          },
        ],
  );
  return {
    id,
    kind: 'limit-values',
    name: s.name,
    versionChoice: phases.length > 0 ? 'phase by the assessed year' : 'single version',
    versions: [{ id, name: s.name, isDefault: true, source: s.source, uncertainties: s.uncertainties }],
    grades: s.grades,
    ...(s.defaultGrade === undefined ? {} : { defaultGrade: s.defaultGrade }),
    phases,
  };
}

export const STANDARDS: readonly StandardEntry[] = Object.freeze([
  eaqiEntry(),
  hj633Entry(),
  epaEntry(),
  ...LIMIT_STANDARD_IDS.map(limitEntry),
]);
