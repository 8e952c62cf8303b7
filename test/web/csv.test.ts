import { describe, expect, it } from 'vitest';
import { toCsv } from '../../web/src/analytics/csv.ts';

describe("the console's CSV (toCsv)", () => {
  it('starts with a UTF-8 BOM and ends every line with CRLF, so Excel reads Japanese headers', () => {
    const text = toCsv(['期間', '売上'], [['2026-03-01', '4336960']]);
    expect(text).toBe('\uFEFF期間,売上\r\n2026-03-01,4336960\r\n');
  });

  it('quotes a field holding a comma, a quote or a line break, doubling the quotes', () => {
    const text = toCsv(['name'], [['￥0〜￥2,519'], ['美容液 "30日分"'], ['一行目\n二行目'], ['plain']]);
    expect(text.slice(1).split('\r\n')).toEqual(['name', '"￥0〜￥2,519"', '"美容液 ""30日分"""', '"一行目\n二行目"', 'plain', '']);
  });

  it('writes numbers in full precision without separators, and nothing for null, undefined or a non-finite number', () => {
    const text = toCsv(['a', 'b', 'c', 'd', 'e'], [[0.8618307426597582, 1234567, null, undefined, Number.NaN]]);
    expect(text.slice(1).split('\r\n')[1]).toBe('0.8618307426597582,1234567,,,');
  });
});

describe("the console's CSV against formula injection", () => {
  it('writes a customer named like a formula as text, and negative numbers as numbers', () => {
    const text = toCsv(
      ['顧客', '差額'],
      [
        ["=cmd|' /C calc'!A0", -1200],
        ['@SUM(A1)', '-1200'],
        ['+1+1', 0],
      ],
    );
    expect(text.slice(1).split('\r\n').slice(1, 4)).toEqual(["'=cmd|' /C calc'!A0,-1200", "'@SUM(A1),-1200", "'+1+1,0"]);
  });
});
