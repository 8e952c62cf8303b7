import type { ClaimRule } from './claim-rule.ts';

/**
 * 薬機法 (医薬品医療機器等法) for health foods. A food that claims to cure, treat or prevent a
 * disease, or to change a body function, is treated as an unapproved medicine (第68条). Health
 * foods may speak of daily life and well-being (「健やかな毎日を応援」), not of effects on the body.
 *
 * Decisions on near-misses: 改善 and 効果 are claims only with a body, function or disease word
 * in the same sentence; 治療 in a caution (「治療中の方は医師にご相談ください」) is the required
 * caution, not a claim; 予防接種 (a vaccination notice) is not a claim about the product.
 */
const explanation = {
  ja: '健康食品が病気の治療・予防や身体機能の変化をうたうと、薬機法上の未承認医薬品とみなされます（第68条）。',
  en: 'A health food claiming to cure, treat or prevent disease or to change body functions is an unapproved medicine under the PMD Act (art. 68).',
};

/** Words that make 改善, 効果, 効く about the body or a disease. */
const BODY_AND_DISEASE_WORDS = [
  '体',
  '胃',
  '腸',
  '骨',
  '肌',
  '目',
  '膝',
  '腰',
  '体調',
  '体質',
  '症状',
  '病気',
  '疾患',
  '不調',
  '血圧',
  '血糖',
  '血液',
  '血流',
  'コレステロール',
  '中性脂肪',
  '便秘',
  '下痢',
  '胃腸',
  '腸内',
  '肝臓',
  '腎臓',
  '関節',
  '腰痛',
  '肩こり',
  '頭痛',
  '冷え',
  'むくみ',
  '疲労',
  '疲れ',
  '睡眠',
  '不眠',
  '免疫',
  '代謝',
  '肌荒れ',
  'アトピー',
  '花粉症',
  'アレルギー',
  '糖尿病',
  '高血圧',
  '風邪',
  'がん',
  '視力',
  '貧血',
  '更年期',
  '生活習慣病',
  '体重',
  '肥満',
  '脂肪',
  '健康状態',
  '体脂肪',
] as const;

const NON_BODY_SUBJECTS = ['エアコン', '冷房', '暖房', 'ブレーキ', 'わさび', 'ワサビ', 'スパイス', '隠し味', '薬味', '小回り'];

export const HEALTH_FOOD_RULES: readonly ClaimRule[] = [
  {
    id: 'claims.yakkiho.cure',
    pack: 'yakkiho_health_food',
    pattern: /完治|治癒|治(?:る|り|っ|ら|れ|す|し|せ|そ)/g,
    message: { ja: '健康食品で「治る・治す」とは表現できません。', en: 'A health food may not claim to cure.' },
    explanation,
    suggestion: '健やかな毎日をサポート',
  },
  {
    id: 'claims.yakkiho.treatment',
    pack: 'yakkiho_health_food',
    pattern: /治療/g,
    unless: ({ sentence }) => /医師|医療機関|相談/.test(sentence.text),
    message: { ja: '健康食品で治療をうたうことはできません。', en: 'A health food may not claim to treat a disease.' },
    explanation,
  },
  {
    id: 'claims.yakkiho.effective',
    pack: 'yakkiho_health_food',
    pattern: /効(?:く|き|い|か|け)/g,
    unless: ({ sentence }) => NON_BODY_SUBJECTS.some((word) => sentence.text.includes(word)),
    message: { ja: '「効く」は医薬品的な効能の表現です。', en: '"Works" (効く) is a medicinal efficacy claim.' },
    explanation,
    suggestion: '毎日の健康維持に役立つ',
  },
  {
    id: 'claims.yakkiho.efficacy',
    pack: 'yakkiho_health_food',
    pattern: /効果|効能|効き目/g,
    context: BODY_AND_DISEASE_WORDS,
    message: { ja: '身体や病気への効果・効能は表示できません。', en: 'Effects on the body or a disease may not be claimed.' },
    explanation,
  },
  {
    id: 'claims.yakkiho.improve',
    pack: 'yakkiho_health_food',
    pattern: /改善/g,
    context: BODY_AND_DISEASE_WORDS,
    message: { ja: '身体の機能や症状の「改善」は表示できません。', en: 'Improving a body function or a symptom may not be claimed.' },
    explanation,
    suggestion: '健やかな毎日を応援',
  },
  {
    id: 'claims.yakkiho.prevent',
    pack: 'yakkiho_health_food',
    pattern: /予防/g,
    unless: ({ next }) => next?.surface_form.startsWith('接種') === true,
    message: { ja: '健康食品で病気の「予防」はうたえません。', en: 'A health food may not claim to prevent disease.' },
    explanation,
    suggestion: '毎日の健康づくりに',
  },
  {
    id: 'claims.yakkiho.blood_pressure',
    pack: 'yakkiho_health_food',
    pattern: /血圧[がをもは]?(?:下が|下げ|低下|正常|安定|抑え)/g,
    message: { ja: '「血圧が下がる」は医薬品的な効能の表現です。', en: 'Lowering blood pressure is a medicinal claim.' },
    explanation,
    suggestion: '食生活のバランスを応援',
  },
  {
    id: 'claims.yakkiho.blood_sugar',
    pack: 'yakkiho_health_food',
    pattern: /血糖値?/g,
    message: {
      ja: '血糖値への作用は届出のない健康食品では表示できません。',
      en: 'Effects on blood sugar may not be claimed without a notified functional claim.',
    },
    explanation,
    suggestion: '食生活のバランスを応援',
  },
  {
    id: 'claims.yakkiho.slimming',
    pack: 'yakkiho_health_food',
    pattern: /痩せ(?:る|ら|り|れ|ろ|た|て|ま)?|やせ(?:る|ら|ます|た|て)|ダイエット効果|体重[がを]?(?:減|落)/g,
    unless: ({ next }) => next?.surface_form === '型',
    message: { ja: '「痩せる」は身体機能の変化をうたう表現です。', en: 'Slimming is a claim to change body functions.' },
    explanation,
    suggestion: 'すっきりとした毎日をサポート',
  },
  {
    id: 'claims.yakkiho.fat_burning',
    pack: 'yakkiho_health_food',
    pattern: /脂肪[^。！？\n]{0,4}?(?:燃焼|燃や|分解|落と|減ら)/g,
    message: { ja: '脂肪の燃焼・分解は身体機能の変化をうたう表現です。', en: 'Burning or breaking down fat is a body-function claim.' },
    explanation,
    suggestion: '毎日の元気な体づくりを応援',
  },
  {
    id: 'claims.yakkiho.body_function',
    pack: 'yakkiho_health_food',
    pattern: /(?:免疫力?|新陳代謝|代謝)[をがも]?(?:高め|上げ|アップ|向上|強化|促進|活発)|デトックス|便秘(?:解消|改善)/g,
    message: { ja: '免疫・代謝など身体機能の増強はうたえません。', en: 'Strengthening immunity or metabolism is a body-function claim.' },
    explanation,
    suggestion: '健やかな毎日をサポート',
  },
];
