import { describe, expect, it } from 'vitest';
import { localDateOf, parseCalendarDate, parseTimestamp } from './time.ts';

const at = (input: string, zone = 'Asia/Tokyo') => {
  const result = parseTimestamp(input, zone);
  return result.ok ? result.value.toISOString() : `${result.code}: ${result.reason}`;
};

describe('parseTimestamp', () => {
  it('reads the spellings of Japanese back offices as wall-clock time in the workspace zone (JST = UTC+9)', () => {
    expect(at('2024-01-05')).toBe('2024-01-04T15:00:00.000Z');
    expect(at('2024/1/5')).toBe('2024-01-04T15:00:00.000Z');
    expect(at('2024.1.5')).toBe('2024-01-04T15:00:00.000Z');
    expect(at('20240105')).toBe('2024-01-04T15:00:00.000Z');
    expect(at('2024年1月5日')).toBe('2024-01-04T15:00:00.000Z');
    expect(at('２０２４／１／５　１０：２３')).toBe('2024-01-05T01:23:00.000Z');
    expect(at('2024-01-05 10:23')).toBe('2024-01-05T01:23:00.000Z');
    expect(at('2024/1/5 9:05:07')).toBe('2024-01-05T00:05:07.000Z');
    expect(at('20240105 23:59:59.5')).toBe('2024-01-05T14:59:59.500Z');
    expect(at('2024年1月5日 10時23分')).toBe('2024-01-05T01:23:00.000Z');
    expect(at('2024年1月5日 10時23分45秒')).toBe('2024-01-05T01:23:45.000Z');
  });

  it('keeps an explicit offset, and follows daylight saving time in other zones', () => {
    expect(at('2024-01-05T10:23:00Z')).toBe('2024-01-05T10:23:00.000Z');
    expect(at('2024-01-05T10:23:00+09:00')).toBe('2024-01-05T01:23:00.000Z');
    expect(at('2024-07-01 12:00', 'Europe/London')).toBe('2024-07-01T11:00:00.000Z');
    expect(at('2024-01-01 12:00', 'Europe/London')).toBe('2024-01-01T12:00:00.000Z');
    expect(at('2024-03-10 12:00', 'America/New_York')).toBe('2024-03-10T16:00:00.000Z');
  });

  it('refuses impossible dates and times, and text that is no date, with a code', () => {
    expect(at('2024/2/30')).toMatch(/^no_such_date: /);
    expect(at('2023/2/29')).toMatch(/^no_such_date: /);
    expect(at('2024/2/29')).toBe('2024-02-28T15:00:00.000Z');
    expect(at('20241301')).toMatch(/^no_such_date: /);
    expect(at('2024/1/5 24:00')).toMatch(/^no_such_time: /);
    expect(at('yesterday')).toMatch(/^invalid_date: /);
    expect(at('2024/1')).toMatch(/^invalid_date: /);
    expect(at('202415')).toMatch(/^invalid_date: /);
    expect(at('2024/1/5 10:2345')).toMatch(/^invalid_date: /);
    expect(at('')).toMatch(/^required: /);
  });
});

describe('parseCalendarDate', () => {
  it('gives YYYY-MM-DD from the same spellings, and refuses a time', () => {
    expect(parseCalendarDate('1985/4/12')).toEqual({ ok: true, value: '1985-04-12' });
    expect(parseCalendarDate('19850412')).toEqual({ ok: true, value: '1985-04-12' });
    expect(parseCalendarDate('1985年4月12日')).toEqual({ ok: true, value: '1985-04-12' });
    expect(parseCalendarDate('1985.4.12')).toEqual({ ok: true, value: '1985-04-12' });
    expect(parseCalendarDate('1985/4/31')).toMatchObject({ ok: false, code: 'no_such_date' });
    expect(parseCalendarDate('1985/4/12 10:00')).toMatchObject({ ok: false, code: 'invalid_date' });
  });
});

describe('localDateOf', () => {
  it('gives the calendar date of an instant in the zone, across midnight and a DST change', () => {
    expect(localDateOf(new Date('2024-01-04T14:59:59Z'), 'Asia/Tokyo')).toBe('2024-01-04');
    expect(localDateOf(new Date('2024-01-04T15:00:00Z'), 'Asia/Tokyo')).toBe('2024-01-05');
    // New York is on UTC−4 from 2024-03-10: 03:59Z on the 11th is 23:59 on the 10th, 04:00Z is midnight.
    expect(localDateOf(new Date('2024-03-11T03:59:00Z'), 'America/New_York')).toBe('2024-03-10');
    expect(localDateOf(new Date('2024-03-11T04:00:00Z'), 'America/New_York')).toBe('2024-03-11');
  });

  it('refuses dates outside 1900-01-01..2199-12-31 instead of reading year 0001 as 1901', () => {
    expect(parseTimestamp('0001-01-01', 'Asia/Tokyo')).toMatchObject({ ok: false, code: 'date_out_of_range' });
    expect(parseTimestamp('0099-05-01 10:00', 'Asia/Tokyo')).toMatchObject({ ok: false, code: 'date_out_of_range' });
    expect(parseTimestamp('0099-05-01T00:00:00Z', 'Asia/Tokyo')).toMatchObject({ ok: false, code: 'date_out_of_range' });
    expect(parseTimestamp('9999-12-31', 'Asia/Tokyo')).toMatchObject({ ok: false, code: 'date_out_of_range' });
    expect(parseCalendarDate('0001-01-01')).toMatchObject({
      ok: false,
      code: 'date_out_of_range',
      reason: expect.stringContaining('between 1900-01-01 and 2199-12-31'),
    });
    expect(parseCalendarDate('1900-01-01')).toEqual({ ok: true, value: '1900-01-01' });
    expect(parseTimestamp('2199-12-31 23:59', 'UTC')).toEqual({ ok: true, value: new Date('2199-12-31T23:59:00Z') });
  });
});
