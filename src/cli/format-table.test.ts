import { describe, expect, it } from 'vitest';
import { formatCount, formatDecimal, formatPercent, formatSignedDecimal, moneyFormatter, NO_VALUE } from './format-numbers.ts';
import { displayWidth, formatTable } from './format-table.ts';

describe('formatTable', () => {
  it('aligns columns by display width: a full-width character takes two columns', () => {
    const lines = formatTable(
      [{ header: 'segment' }, { header: 'customers', align: 'right' }, { header: 'note' }],
      [
        ['離反予備 At risk', '1,204', 'win back'],
        ['New', '7', ''],
      ],
    );
    expect(lines).toEqual(['  segment           customers  note', '  離反予備 At risk      1,204  win back', '  New                       7']);
    expect(lines.slice(0, 2).map((line) => displayWidth(line.slice(0, line.lastIndexOf('  '))))).toEqual([29, 29]);
  });

  it('counts full-width letters and digits as two columns, combining marks as none', () => {
    expect(displayWidth('ＡＢ１')).toBe(6);
    expect(displayWidth('みのり青汁')).toBe(10);
    expect(displayWidth('e\u0301')).toBe(1);
  });
});

describe('CLI number formats', () => {
  it('groups thousands of exact decimals without a float, and signs differences', () => {
    expect(formatDecimal('76860300.50')).toBe('76,860,300.50');
    expect(formatDecimal('-1234')).toBe('-1,234');
    expect(formatSignedDecimal('2500')).toBe('+2,500');
    expect(formatSignedDecimal('-500')).toBe('-500');
    expect(formatSignedDecimal('0')).toBe('0');
  });

  it("rounds money to the currency's minor unit, writes shares as percentages and missing values as -", () => {
    expect(moneyFormatter('JPY')(1642.857)).toBe('1,643');
    expect(moneyFormatter('USD')(1642.857)).toBe('1,642.86');
    expect(formatPercent(0.65111)).toBe('65.1%');
    expect(formatPercent(-0.2)).toBe('-20.0%');
    expect([formatPercent(null), formatCount(null), moneyFormatter('JPY')(null)]).toEqual([NO_VALUE, NO_VALUE, NO_VALUE]);
  });
});
