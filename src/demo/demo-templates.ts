import type pg from 'pg';
import type { Actor } from '../charter/actor.ts';
import { readCharter, saveCharter } from '../charter/charters.ts';
import { createTemplate, type CheckMessage, type TemplateInput } from '../charter/templates.ts';
import { DEMO_CHARTER } from './demo-charter.ts';

/**
 * The demo brand's templates, a few per department, written the way departments really
 * drift apart: support writes お客さま, marketing leans on 今だけ and 残りわずか (and one SMS promises 痩せる, which the publish gate stops), sales
 * calls the customer あなた, while site operations stays on the charter (and its
 * 「使い勝手を改善しました」 is no health claim). The one-voice report has something to show.
 */
export const DEMO_TEMPLATES: TemplateInput[] = [
  {
    name: '新商品のご案内（LINE）',
    department: 'marketing',
    channel: 'line',
    format: 'text',
    body: '{{ customer.name }}様、いつもありがとうございます。\n今だけの特別価格で、みのり乳酸菌サプリをご用意しました。\n残りわずかですので、ご検討ください。\n今後ともよろしくお願いいたします。',
  },
  {
    name: '定期便のご案内（メール）',
    department: 'marketing',
    channel: 'email',
    format: 'html',
    subject: '{{ customer.name }}様へ 定期便のご案内',
    body: '<p>{{ customer.name }}様、いつもありがとうございます。</p>\n<p>毎月決まった日にみのり青汁をお届けする定期便をご用意しています。</p>\n<p>お届けの間隔はいつでも変更できます。</p>\n<p>今後ともよろしくお願いいたします。</p>',
  },
  {
    name: '週末キャンペーン（SMS）',
    department: 'marketing',
    channel: 'sms',
    format: 'text',
    body: '【みのり青汁本舗】飲むだけで痩せる青汁、今すぐチェック！ {{ shop.url }}',
  },
  {
    name: '発送のお知らせ（メール）',
    department: 'support',
    channel: 'email',
    format: 'text',
    subject: 'ご注文の商品を発送しました',
    body: 'いつもありがとうございます。\nお客さまのご注文の商品を本日発送しました。\nお届けまで今しばらくお待ちください。\nお気軽にご相談ください。',
  },
  {
    name: 'お問い合わせの受付（LINE）',
    department: 'support',
    channel: 'line',
    format: 'text',
    body: 'こんにちは。\nお客さまからのお問い合わせを受け付けました。\n担当者より順番にご連絡します。\nお気軽にご相談ください。',
  },
  {
    name: 'メンテナンスのお知らせ（メール）',
    department: 'site_operations',
    channel: 'email',
    format: 'text',
    subject: 'サイトメンテナンスのお知らせ',
    body: 'いつもありがとうございます。\n12月3日の深夜にサイトのメンテナンスを行います。\nあわせて、サイトの使い勝手を改善しました。\nお客様にはご不便をおかけしますが、ご理解をお願いいたします。\n今後ともよろしくお願いいたします。',
  },
  {
    name: '法人ギフトのご案内（メール）',
    department: 'sales',
    channel: 'email',
    format: 'text',
    subject: '法人ギフトのご案内',
    body: 'いつもありがとうございます。\nあなたの会社の福利厚生に、みのり青汁のギフトはいかがでしょうか。\n今すぐお見積もりをお送りします。\n今後ともよろしくお願いいたします。',
  },
];

/**
 * Gives the demo workspace the demo charter as version 1 and the demo templates, checked.
 * A workspace that already has a charter is left as it is (the brand may have changed it).
 * Returns whether it seeded.
 */
export async function seedDemoCharter(params: { pool: pg.Pool; workspaceId: string; check: CheckMessage }): Promise<boolean> {
  const { pool, workspaceId, check } = params;
  if (await readCharter({ pool, workspaceId })) return false;
  const actor: Actor = { kind: 'system', label: 'demo' };
  await saveCharter({ pool, workspaceId, input: DEMO_CHARTER, actor });
  for (const input of DEMO_TEMPLATES) await createTemplate({ pool, workspaceId, check, input, actor });
  return true;
}
