import { describe, expect, it } from 'vitest';
import { BUILT_IN_CANCEL_REASONS, resolveCancelReason, type CancelReason } from './cancel-reasons.ts';

const reasons: CancelReason[] = [...BUILT_IN_CANCEL_REASONS, { code: 'delivery_delay', labelJa: '配送遅延', labelEn: 'Late delivery', builtIn: false }];

describe('resolveCancelReason', () => {
  it('takes a code or a label of the list as it is, with no words to keep', () => {
    expect(resolveCancelReason('price', reasons)).toEqual({ code: 'price', words: null });
    expect(resolveCancelReason(' 効果を感じない ', reasons)).toEqual({ code: 'no_effect', words: null });
    expect(resolveCancelReason('Moving house', reasons)).toEqual({ code: 'moving', words: null });
    expect(resolveCancelReason('配送遅延', reasons)).toEqual({ code: 'delivery_delay', words: null });
    expect(resolveCancelReason('ＰＲＩＣＥ', reasons)).toEqual({ code: 'price', words: null });
  });

  it('matches words by keyword and keeps them', () => {
    const cases: [string, string][] = [
      ['飲み忘れて余っている', 'forgot_or_surplus'],
      ['まだ余ってるので', 'forgot_or_surplus'],
      ['効果がよくわからない', 'no_effect'],
      ['値段がちょっと', 'price'],
      ['高いので', 'price'],
      ['味が苦手', 'taste'],
      ['粒が大きく飲みにくい', 'taste'],
      ['転居のため', 'moving'],
      ['引っ越しします', 'moving'],
      ['医師に止められた', 'health'],
      ['他社の商品にした', 'switched'],
      ['肌荒れが改善した', 'achieved'],
    ];
    for (const [words, code] of cases) expect(resolveCancelReason(words, reasons), words).toEqual({ code, words });
  });

  it('keeps words it cannot match under other', () => {
    expect(resolveCancelReason('家族に反対された', reasons)).toEqual({ code: 'other', words: '家族に反対された' });
  });
});
