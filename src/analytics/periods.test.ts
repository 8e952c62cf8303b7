import { describe, expect, it } from 'vitest';
import { addMonths, bucketsOf, bucketStart, comparedPeriod, dayNumber, periodProblem } from './periods.ts';

describe('periods', () => {
  it('adds months on the calendar, keeping the last day of shorter months', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2024-03-15', -12)).toBe('2023-03-15');
    expect(addMonths('2024-01-01', -1)).toBe('2023-12-01');
  });

  it('starts weeks on Monday and months on the first', () => {
    // 2024-01-07 was a Sunday, 2024-01-08 a Monday.
    expect(bucketStart('2024-01-07', 'week')).toBe('2024-01-01');
    expect(bucketStart('2024-01-08', 'week')).toBe('2024-01-08');
    expect(bucketStart('2024-02-29', 'month')).toBe('2024-02-01');
    expect(bucketsOf({ from: '2024-01-15', to: '2024-04-01' }, 'month')).toEqual(['2024-01-01', '2024-02-01', '2024-03-01']);
    expect(bucketsOf({ from: '2024-01-03', to: '2024-01-16' }, 'week')).toEqual(['2024-01-01', '2024-01-08', '2024-01-15']);
  });

  it('compares whole months with the months before, other periods with as many days before, and a year earlier by the calendar', () => {
    expect(comparedPeriod({ from: '2024-03-01', to: '2024-04-01' }, 'previous')).toEqual({ from: '2024-02-01', to: '2024-03-01' });
    expect(comparedPeriod({ from: '2024-01-01', to: '2024-07-01' }, 'previous')).toEqual({ from: '2023-07-01', to: '2024-01-01' });
    expect(comparedPeriod({ from: '2024-03-10', to: '2024-03-17' }, 'previous')).toEqual({ from: '2024-03-03', to: '2024-03-10' });
    expect(comparedPeriod({ from: '2024-02-29', to: '2024-03-01' }, 'year')).toEqual({ from: '2023-02-28', to: '2023-03-01' });
  });

  it('refuses dates that do not exist and empty or reversed periods', () => {
    expect(() => dayNumber('2023-02-29')).toThrow(/not a calendar date/);
    expect(periodProblem({ from: '2024-13-01', to: '2024-12-01' })).toMatch(/from must be a date/);
    expect(periodProblem({ from: '2024-02-01', to: '2024-02-01' })).toMatch(/must be before/);
    expect(periodProblem({ from: '2024-01-01', to: '2024-02-01' })).toBeNull();
  });
});
