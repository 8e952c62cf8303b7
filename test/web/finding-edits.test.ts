import { describe, expect, it } from 'vitest';
import { createChecker } from '../../src/charter/check-message.ts';
import { DEMO_CHARTER } from '../../src/demo/demo-charter.ts';
import { applyAllFixes, applyFix, moveRange, type DraftText, type EditableFinding } from '../../web/src/charter/finding-edits.ts';

/** The live checker's pure parts: findings carried over an edit, and fixes applied to a draft. */

function finding(part: EditableFinding['range']['part'], start: number, end: number, text: string, fix?: string): EditableFinding {
  return { rule: 'test', range: { part, start, end }, text, ...(fix !== undefined ? { fix } : {}) };
}

const draft = (body: string, subject = ''): DraftText => ({ body, subject });

describe('moveRange', () => {
  const before = 'お客さまへ。今すぐどうぞ。';
  it('keeps a range before the edit, moves one after it by the length change, drops one the edit touches', () => {
    const after = 'お客さまへ。今すぐ、どうぞ。'; // 、 inserted at 9
    expect(moveRange(before, after, { start: 0, end: 4 })).toEqual({ start: 0, end: 4 });
    expect(moveRange(before, after, { start: 6, end: 9 })).toEqual({ start: 6, end: 9 });
    expect(moveRange(before, after, { start: 10, end: 13 })).toEqual({ start: 11, end: 14 });
    expect(moveRange(before, after, { start: 8, end: 10 })).toBeUndefined();
  });

  it('drops a point finding where the text is typed, and keeps the range when nothing changed', () => {
    expect(moveRange('あいう', 'Xあいう', { start: 0, end: 0 })).toBeUndefined();
    expect(moveRange(before, before, { start: 6, end: 9 })).toEqual({ start: 6, end: 9 });
  });
});

describe('fixes', () => {
  it('applies a fix only while the text at its range is what was found', () => {
    const fix = finding('body', 0, 4, 'お客さま', 'お客様');
    expect(applyFix(draft('お客さまへ'), fix)?.body).toBe('お客様へ');
    expect(applyFix(draft('お客さんへ'), fix)).toBeUndefined();
    expect(applyFix(draft('x', '【お客さま】'), finding('subject', 1, 5, 'お客さま', 'お客様'))?.subject).toBe('【お客様】');
  });

  it('applies every fix from the end backwards, skipping one that overlaps a fix already applied (the later-starting one wins)', () => {
    const body = 'お客さまへ。今すぐどうぞ。';
    const result = applyAllFixes(draft(body), [
      finding('body', 0, 4, 'お客さま', 'お客様'),
      finding('body', 6, 9, '今すぐ', 'ご都合のよいときに'),
      finding('body', 7, 9, 'すぐ', 'じきに'),
      finding('body', 0, 0, '', 'いつもありがとうございます。\n'),
      finding('body', 10, 13, 'うぞ。'),
    ]);
    expect(result.draft.body).toBe('いつもありがとうございます。\nお客様へ。今じきにどうぞ。');
    expect(result.applied).toBe(3);
  });
});

describe('fix-all on a real check (issue 10: 「血圧が下がる！今だけ限定です。」)', () => {
  const checker = createChecker(DEMO_CHARTER);
  const message = (body: string) => ({ body, format: 'text' as const, channel: 'email' as const, department: 'marketing' as const });

  it('reads naturally after every fix, names the whole claim, and leaves the 薬機法 error that no fix can remove', async () => {
    const before = await checker.check(message('血圧が下がる！今だけ限定です。'));
    expect(before.findings.find((f) => f.rule === 'claims.yakkiho.blood_pressure')?.text).toBe('血圧が下がる');
    expect(before.findings.find((f) => f.rule === 'pressure.phrase')?.fix).toBe('期間');
    const fixed = applyAllFixes({ body: message('血圧が下がる！今だけ限定です。').body }, before.findings);
    expect(fixed.draft.body).toBe('いつもありがとうございます。\n血圧が下がります！期間限定です。\n今後ともよろしくお願いいたします。');

    const after = await checker.check(message(fixed.draft.body));
    const errors = after.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => [f.rule, f.text, f.fix])).toEqual([['claims.yakkiho.blood_pressure', '血圧が下がります', undefined]]);
    expect(after.publishable).toBe(false);
  });

  it("keeps the charter's own suggestion for a pressure phrase not followed by 限定", async () => {
    const result = await checker.check(message('いつもありがとうございます。\n今だけお得にお届けします。\n今後ともよろしくお願いいたします。'));
    expect(result.findings.find((f) => f.rule === 'pressure.phrase')?.fix).toBe('この期間は');
  });
});
