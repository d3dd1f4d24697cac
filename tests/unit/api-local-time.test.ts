import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketCount, MIN_BUCKET_MS, parseBucketDuration } from '../../api/bucket-duration.ts';
import { toLocalRfc3339, toUtcRfc3339 } from '../../api/local-time.ts';
import { parseRfc3339 } from '../../domain/timestamps.ts';

const at = (iso: string) => Date.parse(iso);

describe('local times in API responses', () => {
  it.each([
    // Nice: CET +01:00 in winter, CEST +02:00 in summer  (IANA tzdb Europe/Paris).
    ['2026-11-29T08:00:00Z', 'Europe/Paris', '2026-11-29T09:00:00+01:00'],
    ['2026-07-01T00:00:00Z', 'Europe/Paris', '2026-07-01T02:00:00+02:00'],
    // EU spring forward, last Sunday of March 2026: 02:00 CET jumps to 03:00 CEST.
    ['2026-03-29T00:59:59Z', 'Europe/Paris', '2026-03-29T01:59:59+01:00'],
    ['2026-03-29T01:00:00Z', 'Europe/Paris', '2026-03-29T03:00:00+02:00'],
    // Fall back, last Sunday of October 2026: 02:30 happens twice, with different offsets.
    ['2026-10-25T00:30:00Z', 'Europe/Paris', '2026-10-25T02:30:00+02:00'],
    ['2026-10-25T01:30:00Z', 'Europe/Paris', '2026-10-25T02:30:00+01:00'],
    // Zhengzhou: Beijing time +08:00 all year, so the local date can be a day ahead of UTC.
    ['2026-11-29T08:00:00Z', 'Asia/Shanghai', '2026-11-29T16:00:00+08:00'],
    ['2026-12-31T20:00:00Z', 'Asia/Shanghai', '2027-01-01T04:00:00+08:00'],
    // Negative and half-hour offsets format too.
    ['2026-01-15T12:00:00Z', 'America/St_Johns', '2026-01-15T08:30:00-03:30'],
    ['2026-01-15T12:00:00Z', 'UTC', '2026-01-15T12:00:00+00:00'],
  ])('%s in %s is %s', (utc, zone, local) => {
    expect(toLocalRfc3339(at(utc), zone)).toBe(local);
  });

  it('shows milliseconds only when there are some', () => {
    expect(toUtcRfc3339(at('2026-11-29T08:00:00.250Z'))).toBe('2026-11-29T08:00:00.250Z');
    expect(toUtcRfc3339(at('2026-11-29T08:00:00.000Z'))).toBe('2026-11-29T08:00:00Z');
    expect(toLocalRfc3339(at('2026-11-29T08:00:00.007Z'), 'Europe/Paris')).toBe(
      '2026-11-29T09:00:00.007+01:00',
    );
  });

  it('names the same instant as the UTC time, in any zone and at any moment', () => {
    const zones = fc.constantFrom('Europe/Paris', 'Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe');
    const instants = fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') });
    fc.assert(
      fc.property(instants, zones, (ms, zone) => {
        expect(parseRfc3339(toLocalRfc3339(ms, zone))).toBe(ms);
        expect(parseRfc3339(toUtcRfc3339(ms))).toBe(ms);
      }),
    );
  });
});

describe('series bucket widths', () => {
  it('reads minutes, hours and days', () => {
    expect(parseBucketDuration('1m')).toBe(60_000);
    expect(parseBucketDuration('15m')).toBe(900_000);
    expect(parseBucketDuration('1h')).toBe(3_600_000);
    expect(parseBucketDuration('7d')).toBe(7 * 86_400_000);
    expect(MIN_BUCKET_MS).toBe(60_000);
  });

  it.each(['', '0m', '30s', '1.5h', '1w', 'h', '05m', '-1h', '1 h', '1H', '10000000m'])(
    'refuses "%s"',
    (text) => {
      expect(parseBucketDuration(text)).toBeUndefined();
    },
  );

  it('counts a partial last bucket', () => {
    expect(bucketCount(0, 3_600_000, 900_000)).toBe(4);
    expect(bucketCount(0, 3_600_001, 900_000)).toBe(5);
  });
});

describe('toLocalRfc3339 with cached zone offsets', () => {
  it.each(['Europe/Paris', 'Asia/Shanghai', 'Asia/Kolkata', 'America/St_Johns', 'Australia/Lord_Howe'])(
    'gives the same instant and Intl’s offset across the DST changes of 2026 in %s',
    (zone) => {
      const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
      const longOffset = (ms: number): string => {
        const name = format.formatToParts(ms).find((part) => part.type === 'timeZoneName')?.value ?? '';
        return name === 'GMT' ? '+00:00' : name.replace('GMT', '');
      };
      const wrong: string[] = [];
      // Every 67 min 13 s through the year: each DST change is crossed at many phases of the hour.
      for (
        let ms = Date.parse('2026-01-01T00:00:00Z');
        ms < Date.parse('2027-01-01T00:00:00Z');
        ms += 4_033_000
      ) {
        const text = toLocalRfc3339(ms, zone);
        if (parseRfc3339(text) !== ms || text.slice(-6) !== longOffset(ms)) wrong.push(`${ms} → ${text}`);
      }
      expect(wrong).toEqual([]);
    },
  );
});
