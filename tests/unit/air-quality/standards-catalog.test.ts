import { describe, expect, it } from 'vitest';
import { HJ633_REPORT_UNCERTAINTIES } from '../../../domain/air-quality/hj633-tables.ts';
import { LIMIT_STANDARDS, STANDARDS } from '../../../domain/air-quality/index.ts';

describe('standards catalogue', () => {
  it('lists every index and limit-value standard once', () => {
    expect(STANDARDS.map((s) => [s.id, s.kind])).toEqual([
      ['eaqi', 'index'],
      ['hj633', 'index'],
      ['epa', 'index'],
      ['who2021', 'limit-values'],
      ['eu2008', 'limit-values'],
      ['eu2030', 'limit-values'],
      ['gb3095-2012', 'limit-values'],
      ['gb3095-2026', 'limit-values'],
    ]);
  });

  it('gives versions with their dates and default', () => {
    const byId = Object.fromEntries(STANDARDS.map((s) => [s.id, s]));
    expect(byId.eaqi?.versions.map((v) => [v.id, v.isDefault])).toEqual([
      ['2024', true],
      ['classic', false],
      ['2017', false],
    ]);
    expect(byId.hj633?.versions.map((v) => [v.id, v.validFrom, v.validTo])).toEqual([
      ['2012', undefined, '2026-02-28'],
      ['2026', '2026-03-01', undefined],
    ]);
    expect(byId.epa?.versions.map((v) => [v.id, v.validFrom, v.validTo])).toEqual([
      ['2018', undefined, '2024-05-05'],
      ['2024', '2024-05-06', undefined],
    ]);
    expect(byId['gb3095-2026']).toMatchObject({
      grades: ['I', 'II'],
      defaultGrade: 'II',
      phases: [
        { id: 'transition', toYear: 2030 },
        { id: 'final', fromYear: 2031 },
      ],
    });
    expect(byId.who2021?.grades).toEqual(['aqg', 'it1', 'it2', 'it3', 'it4']);
  });

  it('cites the published standard (table or clause) and a source document for every version', () => {
    for (const s of STANDARDS) {
      for (const v of s.versions) {
        expect(v.source.reference).toMatch(/Table|Annex|§|table|clause|Report/);
        expect(v.source.documents.length).toBeGreaterThan(0);
      }
    }
  });

  it('names no file outside the repository and no research-note markers in what the API returns', () => {
    // /v1/standards serves STANDARDS; /v1/exceedances serves the limit values with their notes.
    const served = JSON.stringify([STANDARDS, LIMIT_STANDARDS, HJ633_REPORT_UNCERTAINTIES]);
    for (const marker of [/\.md\b/, /shared\//, /\[UNCERTAIN/, /\[VERIFIED/, /\[IMPL/]) {
      expect(served).not.toMatch(marker);
    }
  });

  it('says what is uncertain about HJ 633-2026 in words', () => {
    const hj2026 = STANDARDS.find((s) => s.id === 'hj633')?.versions.find((v) => v.id === '2026');
    expect(hj2026?.uncertainties.map((u) => u.what)).toEqual(
      expect.arrayContaining([
        'PM concentrations are looked up as measured, not rounded to integers first',
        'O3 in the daily report: only the daily maximum 8-hour running mean counts',
      ]),
    );
  });
});
