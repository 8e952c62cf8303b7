import { Random } from '../../src/demo/random.ts';
import type { MessageInput } from '../../src/charter/types.ts';

/**
 * Deterministic Japanese messages for the charter benchmark: what a supplement brand's four
 * departments send (order and delivery notices, step-up mails, newsletters, support replies),
 * 200–500 characters, 70% plain text and 30% HTML, each personalised (name, dates, amounts,
 * order numbers) so no two are alike; about one in four carries a finding (a claim, a pressure
 * phrase, a wrong product name, a mixed register …) as real drafts do.
 */
const FAMILY = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤', '吉田', '山田', '佐々木', '山口', '松本', '井上'];
const PRODUCTS = ['みのり青汁 お試し14日分', 'みのり青汁 定期便', 'みのり青汁 30日分', 'みのり乳酸菌サプリ', 'みのり青汁 ギフトセット', '専用シェイカー'];
const GREETINGS = ['いつもありがとうございます。', 'こんにちは。', 'いつもご愛用いただきありがとうございます。'];
const SIGN_OFFS = ['今後ともよろしくお願いいたします。', 'どうぞお元気でお過ごしください。', 'ご不明な点はお気軽にご相談ください。'];
const BODY = [
  (r: Random, p: string) => `ご注文いただいた${p}は${r.int(1, 12)}月${r.int(1, 28)}日に発送いたしました。`,
  (r: Random) => `お届け予定日は${r.int(1, 12)}月${r.int(1, 28)}日です。お受け取りまで今しばらくお待ちください。`,
  (r: Random) => `ご注文番号はMNR-${r.int(100000, 999999)}です。`,
  (r: Random) => `今回のお買い物で${r.int(10, 500)}ポイントが貯まりました。`,
  (_: Random, p: string) => `${p}は、朝の一杯として冷たいお水や牛乳に溶かしてお召し上がりいただけます。`,
  () => '粉が溶けにくいときは、専用シェイカーで十回ほど振っていただくと、なめらかに仕上がります。',
  () => '季節の変わり目は、食事のバランスが崩れやすい時期です。',
  () => '毎日続けていただくために、飲むタイミングを決めておくのがおすすめです。',
  (r: Random) => `開発担当の${r.pick(FAMILY)}が、原料の大麦若葉を育てる畑を訪ねました。`,
  () => '畑では、朝露の残る時間に若葉を刈り取り、その日のうちに粉末にしています。',
  (r: Random) => `お客様からいただいたお便りを${r.int(2, 9)}通ご紹介します。`,
  () => '「家族みんなで続けています」という声をたくさんいただきました。',
  (r: Random) => `定期便のお届け周期は、マイページからいつでも${r.pick(['30日', '45日', '60日'])}ごとに変更できます。`,
  () => 'お届けの停止やお休みも、次回発送日の五日前までマイページで承ります。',
  (r: Random) => `お問い合わせいただいた件について、担当の${r.pick(FAMILY)}よりご連絡いたします。`,
  () => 'ご不便をおかけしまして、誠に申し訳ございません。',
  (r: Random) => `会員様限定の読みものを、${r.int(1, 12)}月号としてお届けします。`,
  () => '今月は、旬の野菜を使ったスムージーのレシピをご紹介します。',
  (r: Random) => `${r.int(2, 6)}月のお届け分から、パッケージのデザインが新しくなります。`,
  () => 'サイトの使い勝手を改善しました。',
  (r: Random) => `ご利用金額は${(r.int(5, 120) * 100).toLocaleString('ja-JP')}円（税込）です。`,
];
const DRAFT_SLIPS = [
  () => 'この青汁で痩せる毎日を始めましょう。',
  () => '最高の品質をお約束します。',
  () => '今すぐお申し込みください。',
  () => 'ミノリ青汁をお届けします。',
  () => 'とてもおいしいのである。',
  () => '血圧が下がると評判です！',
  () => 'あなたにぴったりの一杯です。',
  () => '売上No.1の人気商品です。',
];

export function generateMessage(
  seed: number,
  index: number,
  options: { minLength?: number; maxLength?: number; htmlShare?: number; unique?: boolean } = {},
): MessageInput {
  const random = Random.for(seed, index, 7);
  const minLength = options.minLength ?? 200;
  const maxLength = options.maxLength ?? 500;
  const target = random.int(minLength, maxLength);
  const product = random.pick(PRODUCTS);
  const name = `${random.pick(FAMILY)}様`;
  const sentences = [`${name}`, random.pick(GREETINGS)];
  const closing = random.pick(SIGN_OFFS);
  const hasSlip = random.chance(0.25);
  let length = sentences.join('').length + closing.length;
  while (length < target) {
    const sentence = hasSlip && sentences.length === 4 ? random.pick(DRAFT_SLIPS)() : random.pick(BODY)(random, product);
    // A unique sentence for each message when asked: a figure no other message has.
    const text = options.unique ? sentence.replace('。', `（${index}-${sentences.length}）。`) : sentence;
    if (length + text.length > maxLength) break;
    sentences.push(text);
    length += text.length;
  }
  sentences.push(closing);
  const html = random.chance(options.htmlShare ?? 0.3);
  const department = random.pick(['marketing', 'support', 'site_operations', 'sales'] as const);
  const subject = `【みのり青汁本舗】${random.pick(['発送のお知らせ', '会報誌のご案内', 'お問い合わせへのご回答', '定期便のご案内'])}`;
  if (!html) return { subject, body: sentences.join('\n'), format: 'text', channel: 'email', department };
  const paragraphs = sentences.map((sentence) => `    <p style="margin:0 0 12px">${sentence}</p>`).join('\n');
  return {
    subject,
    format: 'html',
    channel: 'email',
    department,
    body: `<html><head><style>p { color: #333; }</style></head><body>\n  <div class="content">\n${paragraphs}\n  </div>\n</body></html>`,
  };
}
