import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizeInteger, normalizeMoney, normalizePhone, normalizeText } from './normalize.ts';

describe('normalisers of back-office values', () => {
  it('reads amounts as exact decimals, never floats', () => {
    expect(normalizeMoney('¥1,980')).toEqual({ ok: true, value: '1980' });
    expect(normalizeMoney('1,980円')).toEqual({ ok: true, value: '1980' });
    expect(normalizeMoney('￥１，９８０')).toEqual({ ok: true, value: '1980' });
    expect(normalizeMoney('2.55')).toEqual({ ok: true, value: '2.55' });
    expect(normalizeMoney('0012.50')).toEqual({ ok: true, value: '12.50' });
    expect(normalizeMoney(11.77)).toEqual({ ok: true, value: '11.77' });
    expect(normalizeMoney('1.980.0')).toMatchObject({ ok: false, code: 'invalid_amount' });
    expect(normalizeMoney('無料')).toMatchObject({ ok: false, code: 'invalid_amount' });
    expect(normalizeMoney(0.30000000000000004)).toEqual({ ok: true, value: '0.30000000000000004' });
    expect(normalizeMoney(1e-7)).toEqual({ ok: true, value: '0.0000001' });
  });

  it('refuses amounts with more digits than 15 before the point or 20 after, quoting them shortened', () => {
    const huge = normalizeMoney('9'.repeat(140_000));
    expect(huge).toMatchObject({ ok: false, code: 'too_many_digits', params: { integer: 15, fraction: 20 } });
    expect(!huge.ok && huge.reason.length).toBeLessThan(200);
    expect(normalizeMoney('999999999999999')).toEqual({ ok: true, value: '999999999999999' });
    expect(normalizeMoney(1e15)).toMatchObject({ ok: false, code: 'too_many_digits' });
    expect(normalizeMoney(`0.${'1'.repeat(21)}`)).toMatchObject({ ok: false, code: 'too_many_digits' });
  });

  it('reads whole numbers with full-width digits and separators', () => {
    expect(normalizeInteger('１２')).toEqual({ ok: true, value: 12 });
    expect(normalizeInteger('1,000')).toEqual({ ok: true, value: 1000 });
    expect(normalizeInteger('-1')).toEqual({ ok: true, value: -1 });
    expect(normalizeInteger('1.5')).toMatchObject({ ok: false, code: 'invalid_integer' });
    expect(normalizeInteger('99999999999999999999')).toMatchObject({ ok: false, code: 'out_of_range' });
  });

  it('keeps phone numbers as digits in the national form', () => {
    expect(normalizePhone('090-1234-5678')).toEqual({ ok: true, value: '09012345678' });
    expect(normalizePhone('０９０（１２３４）５６７８')).toEqual({ ok: true, value: '09012345678' });
    expect(normalizePhone('+81 90 1234 5678')).toEqual({ ok: true, value: '09012345678' });
    expect(normalizePhone('03-1234-5678')).toEqual({ ok: true, value: '0312345678' });
    expect(normalizePhone('電話なし')).toMatchObject({ ok: false, code: 'invalid_phone' });
  });

  it('lower-cases emails and folds full-width letters; names keep one half-width space', () => {
    expect(normalizeEmail(' Hanako@Example.JP ')).toEqual({ ok: true, value: 'hanako@example.jp' });
    expect(normalizeEmail('ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ')).toEqual({ ok: true, value: 'hanako@example.jp' });
    expect(normalizeEmail('hanako@')).toMatchObject({ ok: false, code: 'invalid_email' });
    expect(normalizeText('山田　花子')).toBe('山田 花子');
    expect(normalizeText('ﾔﾏﾀﾞ  ﾊﾅｺ')).toBe('ヤマダ ハナコ');
  });
});
