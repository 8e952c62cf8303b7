import type { ClaimRule } from './claim-rule.ts';

/**
 * 薬機法 for cosmetics: a cosmetic may only use the 56 permitted effect expressions (化粧品の効能
 * の範囲, 平成23年 薬食発0721第1号): 肌を整える, 肌にうるおいを与える, 乾燥による小ジワを目立た
 * なくする (with an efficacy test) … Erasing stains or wrinkles and rejuvenating the skin go beyond
 * them. The suggestions are permitted expressions.
 */
const explanation = {
  ja: '化粧品は認められた56の効能表現の範囲を超えて表示できません（薬機法・化粧品の効能の範囲）。',
  en: 'A cosmetic may not go beyond the 56 permitted effect expressions (PMD Act, scope of cosmetic efficacy).',
};

export const COSMETICS_RULES: readonly ClaimRule[] = [
  {
    id: 'claims.cosmetics.stain',
    pack: 'yakkiho_cosmetics',
    pattern: /(?:シミ|しみ|染み)[^。！？\n]{0,4}?(?:消え|消す|消し|なくな|無くな|取れ|薄く)/g,
    message: { ja: '「シミが消える」は化粧品の効能の範囲外です。', en: 'Erasing stains is beyond the permitted cosmetic claims.' },
    explanation,
    suggestion: '日やけによるシミ・そばかすを防ぐ',
  },
  {
    id: 'claims.cosmetics.wrinkle',
    pack: 'yakkiho_cosmetics',
    pattern: /(?:シワ|しわ|皺)[^。！？\n]{0,4}?(?:消え|消す|なくな|無くな|取れ|伸び|改善)/g,
    message: { ja: '「シワがなくなる」は化粧品の効能の範囲外です。', en: 'Removing wrinkles is beyond the permitted cosmetic claims.' },
    explanation,
    suggestion: '乾燥による小ジワを目立たなくする',
  },
  {
    id: 'claims.cosmetics.rejuvenate',
    pack: 'yakkiho_cosmetics',
    pattern: /若返|(?:肌|細胞)[^。！？\n]{0,3}?再生/g,
    message: { ja: '「若返る・再生」は化粧品の効能の範囲外です。', en: 'Rejuvenating or regenerating skin is beyond the permitted cosmetic claims.' },
    explanation,
    suggestion: '肌を健やかに保つ',
  },
  {
    id: 'claims.cosmetics.anti_aging',
    pack: 'yakkiho_cosmetics',
    pattern: /アンチ[エー]?エ?[イー]?ジング/g,
    message: { ja: '「アンチエイジング」は老化を防ぐ効能の表現です。', en: '"Anti-aging" claims to stop ageing.' },
    explanation,
    suggestion: 'エイジングケア（年齢に応じたお手入れ）',
  },
  {
    id: 'claims.cosmetics.acne',
    pack: 'yakkiho_cosmetics',
    pattern: /(?:ニキビ|にきび|肌荒れ)[^。！？\n]{0,4}?(?:治|消え|なくな)/g,
    message: { ja: 'ニキビ・肌荒れを治す表現は化粧品では使えません。', en: 'Curing acne or rough skin is beyond the permitted cosmetic claims.' },
    explanation,
    suggestion: '肌を整える',
  },
];
