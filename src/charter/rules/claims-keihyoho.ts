import { isRequest, type ClaimRule } from './claim-rule.ts';

/**
 * 景品表示法 (不当景品類及び不当表示防止法), 優良誤認 (第5条第1号): superlatives, rankings, firsts
 * and absolutes need objective evidence stated next to them (調査機関・期間・対象). A brand's own
 * mail cannot carry them bare.
 *
 * Near-misses: 最高 in a compound noun (最高気温, 最高裁); 必ず・絶対 in a request to the reader
 * (「必ずご確認ください」) is an instruction, not a promise; 完全 in a plain fact (完全予約制, 完全無料);
 * 100% next to a composition word (果汁100%, 国産原料100%) is a verifiable label fact.
 */
const explanation = {
  ja: '客観的な根拠なく最上級・No.1・絶対的な表現を使うと、景品表示法の優良誤認表示にあたるおそれがあります（第5条第1号）。',
  en: 'Superlatives, No.1 and absolutes without objective evidence risk misleading representation under the Premiums and Representations Act (art. 5(1)).',
};

const NEUTRAL_AFTER_SUPERLATIVE = new Set([
  '気温',
  '気圧',
  '裁',
  '裁判所',
  '責任者',
  '経営責任者',
  '技術責任者',
  '齢',
  '値',
  '血圧',
  '記録',
  '速度',
  '顧問',
  '学府',
]);
const FACTUAL_AFTER_COMPLETE = new Set(['予約', '予約制', '週休', '個室', '受注', '受注生産', '版', '無料', '防水', '遮光']);
const COMPOSITION_WORDS = /果汁|国産|使用|天然|植物性|有機|原料|純|ストレート|還元|オーガニック|綿|コットン/;

export const KEIHYOHO_RULES: readonly ClaimRule[] = [
  {
    id: 'claims.keihyoho.superlative',
    pack: 'keihyoho',
    pattern: /最高|最強|最上級?|最安値?|最大級/g,
    unless: ({ next }) => next !== undefined && NEUTRAL_AFTER_SUPERLATIVE.has(next.surface_form),
    message: { ja: '根拠のない最上級表現（最高・最強など）は使えません。', en: 'Unsupported superlatives (best, strongest …) may not be used.' },
    explanation,
    suggestion: 'こだわりの',
  },
  {
    id: 'claims.keihyoho.ranking',
    pack: 'keihyoho',
    pattern: /日本一|世界一|業界一|[Nn][Oo]\.?\s?1(?![0-9])|Ｎｏ．?１|ナンバー(?:ワン|1|１)|(?:売上|人気|満足度)(?:第?[1１]位)/g,
    message: {
      ja: '「No.1・日本一」は調査の出典（機関・期間・対象）なしには表示できません。',
      en: '"No.1" needs its survey (who, when, whom) stated next to it.',
    },
    explanation,
    suggestion: '多くのお客様にご愛用いただいている',
  },
  {
    id: 'claims.keihyoho.first',
    pack: 'keihyoho',
    pattern: /世界初|日本初|業界初|史上初/g,
    message: { ja: '「世界初・業界初」は根拠なしには表示できません。', en: '"World first" needs evidence.' },
    explanation,
  },
  {
    id: 'claims.keihyoho.absolute',
    pack: 'keihyoho',
    pattern: /絶対|必ず|完璧|確実に/g,
    unless: isRequest,
    message: { ja: '「絶対・必ず」など断定的な表現は使えません。', en: 'Absolutes (always, certainly …) may not be promised.' },
    explanation,
  },
  {
    id: 'claims.keihyoho.complete',
    pack: 'keihyoho',
    pattern: /完全/g,
    unless: (candidate) => (candidate.next !== undefined && FACTUAL_AFTER_COMPLETE.has(candidate.next.surface_form)) || isRequest(candidate),
    message: { ja: '「完全」は断定的な表現です。', en: '"Complete" is an absolute claim.' },
    explanation,
  },
  {
    id: 'claims.keihyoho.hundred_percent',
    pack: 'keihyoho',
    pattern: /(?:100|１００)\s?[%％]/g,
    unless: ({ sentence, start, end }) => COMPOSITION_WORDS.test(sentence.text.slice(Math.max(0, start - 5), end + 5)),
    message: { ja: '「100%」の効果・満足は保証できません。', en: '"100%" satisfaction or effect cannot be promised.' },
    explanation,
  },
];
