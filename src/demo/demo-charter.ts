import { Charter } from '../charter/types.ts';
import { DEMO_BRAND } from './catalogue.ts';

/**
 * The charter the demo brand ships with: みのり青汁本舗, a supplement and aojiru brand that
 * wants to be its customers' 「かかりつけの相談相手」. です・ます, お客様, product names spelled
 * as in the catalogue, the health-food 薬機法 pack and the 景表法 pack switched on.
 */
export const DEMO_CHARTER: Charter = Charter.parse({
  relationship: 'かかりつけの相談相手',
  meaning:
    `${DEMO_BRAND.name}は、お客様の毎日の健康づくりを近くで見守る「かかりつけの相談相手」です。` +
    '売り込むのではなく、お客様の声に耳を傾け、正しい飲み方や続け方を丁寧にお伝えします。' +
    '困ったときに最初に思い出していただける、落ち着いた信頼できる存在を目指します。',
  goal:
    'お客様が青汁のある暮らしを無理なく日常にし、体調や暮らしの変化を気軽に相談してくださる状態。' + 'ご家族やご友人にも安心して紹介していただける関係です。',
  register: 'desumasu',
  address: { use: ['お客様', '{{ customer.name }}様'], avoid: ['あなた', 'お前', 'お客さん', '皆さん'] },
  dictionary: [
    { preferred: 'お客様', variants: ['お客さま', 'おきゃくさま'] },
    { preferred: DEMO_BRAND.name, variants: ['みのり青汁本補', 'みのり青汁ほんぽ', 'みのり青汁 本舗'], note: 'ブランド名' },
    { preferred: 'みのり青汁', variants: ['ミノリ青汁', 'みのり青じる', '実り青汁', 'みのりあおじる'], note: '商品名' },
    { preferred: 'みのり乳酸菌サプリ', variants: ['ミノリ乳酸菌サプリ', 'みのり乳酸菌サプリメント'], note: '商品名' },
    { preferred: '定期便', variants: ['定期コース', '定期購入便'], note: 'お届けの仕組みの呼び名' },
    { preferred: '専用シェイカー', variants: ['専用シェーカー'], note: '商品名' },
  ],
  avoid: [
    { word: '激安', replacement: 'お求めやすい価格', reason: '安さで選ばれる関係は目指しません。' },
    { word: 'ヤバい', replacement: 'おすすめの', reason: '相談相手にふさわしくない言葉づかいです。' },
    { word: '買わないと損' },
  ],
  pressure: [
    { phrase: '今すぐ', severity: 'warning', suggestion: 'ご都合のよいときに' },
    { phrase: '急いで', severity: 'warning', suggestion: 'ゆっくりご検討ください' },
    { phrase: '残りわずか', severity: 'warning', suggestion: 'ご用意に限りがあります' },
    { phrase: '今だけ', severity: 'warning', suggestion: 'この期間は' },
    { phrase: '見逃すな', severity: 'error' },
    { phrase: 'ラストチャンス', severity: 'error', suggestion: '最終のご案内' },
  ],
  limits: { maxSentenceLength: 80, maxCommasPerSentence: 3, maxExclamations: 1, emoji: 'few' },
  greetings: ['いつもありがとうございます', 'こんにちは', 'いつもご愛用いただき'],
  signOffs: ['今後ともよろしくお願いいたします', 'どうぞお元気でお過ごしください', 'お気軽にご相談ください'],
  claimsPacks: ['yakkiho_health_food', 'keihyoho'],
});
