import { describe, expect, it } from 'vitest';
import {
  addDays,
  dateKeysBetween,
  hoursOfLocalDay,
  localDateKey,
  localDateTime,
  startOfLocalDay,
  zoneOffsetMs,
} from '../../../domain/air-quality/local-calendar.ts';

describe('local calendar', () => {
  it('starts Paris days at local midnight in winter and summer', () => {
    expect(startOfLocalDay('2025-01-15', 'Europe/Paris')).toBe(Date.parse('2025-01-14T23:00:00Z'));
    expect(startOfLocalDay('2025-07-15', 'Europe/Paris')).toBe(Date.parse('2025-07-14T22:00:00Z'));
    expect(startOfLocalDay('2025-07-15', 'Asia/Shanghai')).toBe(Date.parse('2025-07-14T16:00:00Z'));
  });

  it('has 23 hours on the spring DST day and 25 on the autumn one in Paris', () => {
    expect(hoursOfLocalDay('2025-03-30', 'Europe/Paris')).toHaveLength(23);
    expect(hoursOfLocalDay('2025-10-26', 'Europe/Paris')).toHaveLength(25);
    expect(hoursOfLocalDay('2025-10-26', 'Asia/Shanghai')).toHaveLength(24);
    const autumn = hoursOfLocalDay('2025-10-26', 'Europe/Paris').map(
      (ts) => localDateTime(ts, 'Europe/Paris').hour,
    );
    expect(autumn.slice(0, 5)).toEqual([0, 1, 2, 2, 3]);
  });

  it('starts a day after a DST gap at midnight (Santiago, 2024-09-08)', () => {
    expect(startOfLocalDay('2024-09-08', 'America/Santiago')).toBe(Date.parse('2024-09-08T04:00:00Z'));
    expect(hoursOfLocalDay('2024-09-08', 'America/Santiago')).toHaveLength(23);
  });

  it('maps instants to local dates and offsets', () => {
    expect(localDateKey(Date.parse('2025-12-31T23:30:00Z'), 'Europe/Paris')).toBe('2026-01-01');
    expect(localDateKey(Date.parse('2025-12-31T15:59:00Z'), 'Asia/Shanghai')).toBe('2025-12-31');
    expect(zoneOffsetMs(Date.parse('2025-07-01T12:00:00Z'), 'Europe/Paris')).toBe(2 * 3_600_000);
  });

  it('steps over month and leap-year ends', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(dateKeysBetween('2024-01-01', '2025-01-01')).toHaveLength(366);
  });

  it('refuses impossible dates and unknown zones', () => {
    expect(() => addDays('2025-02-30', 1)).toThrow(/not a calendar date/);
    expect(() => startOfLocalDay('2025-01-01', 'Mars/Olympus')).toThrow(/unknown time zone/);
  });
});
