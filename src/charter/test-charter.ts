import type { Charter } from './types.ts';

/**
 * A small charter for tests of storage, templates, the API and the CLI: です・ます fixed,
 * お客様, お客さま → お客様, 今だけ as a warning, the health-food 薬機法 and 景表法 packs.
 */
export const TEST_CHARTER: Charter = {
  relationship: 'かかりつけ',
  meaning: '体調の小さな変化にも気づき、無理なく続けられるよう寄り添う。',
  goal: 'お客様が自分の体と向き合う時間を楽しめている。',
  register: 'desumasu',
  address: { use: ['お客様', '{{ customer.name }}様'], avoid: ['あなた', 'お前'] },
  dictionary: [{ preferred: 'お客様', variants: ['お客さま', 'おきゃくさま'] }],
  avoid: [{ word: 'ヤバい', replacement: 'とても良い' }],
  pressure: [
    { phrase: '今だけ', severity: 'warning', suggestion: '期間限定で' },
    { phrase: '急いで', severity: 'error' },
  ],
  limits: { maxSentenceLength: 80, maxCommasPerSentence: 3, maxExclamations: 1, emoji: 'few' },
  greetings: ['いつもありがとうございます。'],
  signOffs: ['今後ともよろしくお願いいたします。'],
  claimsPacks: ['yakkiho_health_food', 'keihyoho'],
};
