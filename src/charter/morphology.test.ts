import { describe, expect, it } from 'vitest';
import { tokenizeSentence } from './morphology.ts';

describe('shared tokenizer (sentence by sentence, cached)', () => {
  it('gives every token its exact position in a paragraph of several sentences', async () => {
    const paragraph = 'いつもありがとうございます。\nサイトの使い勝手を改善しました！最高気温は30度です？おだやかな一日を。';
    const tokens = await tokenizeSentence(paragraph);
    expect(tokens.map((token) => token.surface_form).join('')).toBe(paragraph);
    for (const token of tokens) {
      const start = token.word_position - 1;
      expect(paragraph.slice(start, start + token.surface_form.length)).toBe(token.surface_form);
    }
  });

  it('analyses a sentence the same way alone and inside a paragraph', async () => {
    const alone = await tokenizeSentence('最高気温は30度です。');
    const inside = await tokenizeSentence('こんにちは。最高気温は30度です。');
    expect(inside.slice(-alone.length).map((token) => [token.surface_form, token.pos])).toEqual(alone.map((token) => [token.surface_form, token.pos]));
  });
});
