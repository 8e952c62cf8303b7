import { describe, expect, it } from 'vitest';
import { demoWindow } from './calendar.ts';
import { drawPerson } from './person.ts';
import { Random, STREAM } from './random.ts';
import { katakanaToRomaji } from './romaji.ts';

describe('demo persons', () => {
  it('never gives two profiles the same email, phone or LINE id', () => {
    const window = demoWindow('2026-10-31');
    const profiles = 30_000;
    const seen = { email: new Set<string>(), phone: new Set<string>(), line: new Set<string>() };
    for (let index = 0; index < profiles; index++) {
      const person = drawPerson(Random.for(1, index, STREAM.person), index, window, profiles);
      seen.email.add(person.email);
      seen.phone.add(person.phone);
      seen.line.add(person.lineUserId);
      expect(person.phone).toMatch(/^0[789]0\d{8}$/);
      expect(person.lineUserId).toMatch(/^U[0-9a-f]{32}$/);
      expect(person.email).toMatch(/^[a-z][a-z0-9._]*[a-z]\d+@example\.[a-z.]+$/);
    }
    expect([seen.email.size, seen.phone.size, seen.line.size]).toEqual([profiles, profiles, profiles]);
  });

  it('spells names in romaji for mail addresses', () => {
    expect(['サトウ', 'キョウコ', 'ハットリ', 'ジュンコ', 'モチヅキ', 'ショウタ', 'チヒロ'].map(katakanaToRomaji)).toEqual([
      'satou',
      'kyouko',
      'hattori',
      'junko',
      'mochizuki',
      'shouta',
      'chihiro',
    ]);
  });

  it('rejects an --until that is not a calendar date', () => {
    expect(() => demoWindow('2026-02-30')).toThrow(/YYYY-MM-DD/);
    expect(demoWindow('2026-10-31')).toMatchObject({ days: 730, until: '2026-10-31' });
  });
});
