import { describe, expect, it } from 'vitest';
import { neutralizeFormula } from './csv-cell.ts';

describe('neutralizeFormula (CSV injection)', () => {
  it('prefixes a quote to text a spreadsheet would run as a formula', () => {
    expect(neutralizeFormula("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(neutralizeFormula('+HYPERLINK("https://evil.example")')).toBe('\'+HYPERLINK("https://evil.example")');
    expect(neutralizeFormula('-2+3')).toBe("'-2+3");
    expect(neutralizeFormula('@SUM(A1:A2)')).toBe("'@SUM(A1:A2)");
    expect(neutralizeFormula('\t=1+1')).toBe("'\t=1+1");
    expect(neutralizeFormula('\r=1+1')).toBe("'\r=1+1");
  });

  it('leaves plain numbers (negative ones too) and ordinary text as they are', () => {
    for (const text of ['-1200', '+3.5', '-0.25', '-1e3', '1980', '山田 花子', '', 'a=b', "'=already"]) expect(neutralizeFormula(text)).toBe(text);
  });
});
