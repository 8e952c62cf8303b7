import type { TemplateInput } from '../charter/templates.ts';

/**
 * The email templates of the demo brand's two scenarios (demo-scenarios.ts), in MJML with the
 * Liquid variables of src/messaging/render.ts (docs/messaging.md): the 引き上げCRM's four
 * contacts after a trial order (seed 002: how to drink it at receipt, first impressions, the
 * 14th day, what others notice) and the 継続CRM's monthly 会報誌 「みのり通信」 for subscribers
 * (developer stories, customer voices, a reader's senryū).
 *
 * Written in the demo charter's voice (です・ます, お客様 / {{ customer.name }}様, its greetings
 * and sign-offs) and within its health-food 薬機法 and 景表法 packs: nothing says what the aojiru
 * does to the body — the day-14 message asks how the customer's days have been rather than
 * naming an effect. Every one passes the charter's checks with no error (demo-scenarios.test.ts).
 */

/** The keys the scenarios use for their templates (ids are the workspace's, known only once created). */
export type DemoScenarioTemplateKey = 'howToDrink' | 'firstImpressions' | 'day14' | 'othersNotice' | 'newsletter';

/** One MJML email: a header with the brand, the sections' paragraphs, and the sign-off. */
function mjml(title: string, sections: Array<{ heading?: string; paragraphs: string[] }>): string {
  const blocks = sections
    .map((section) => {
      const heading = section.heading
        ? `\n        <mj-text font-size="17px" font-weight="bold" color="#2f5d2a" padding-top="20px">${section.heading}</mj-text>`
        : '';
      const paragraphs = section.paragraphs.map((paragraph) => `\n        <mj-text>${paragraph}</mj-text>`).join('');
      return `${heading}${paragraphs}`;
    })
    .join('');
  return `<mjml>
  <mj-head>
    <mj-title>${title}</mj-title>
    <mj-attributes>
      <mj-text font-family="'Hiragino Sans', 'Noto Sans JP', sans-serif" font-size="15px" line-height="1.8" color="#333333" />
    </mj-attributes>
  </mj-head>
  <mj-body background-color="#f6f8f2">
    <mj-section background-color="#2f5d2a">
      <mj-column>
        <mj-text font-size="18px" color="#ffffff" font-weight="bold">みのり青汁本舗</mj-text>
      </mj-column>
    </mj-section>
    <mj-section background-color="#ffffff">
      <mj-column>${blocks}
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;
}

const template = (name: string, subject: string, body: string): TemplateInput => ({
  name,
  department: 'marketing',
  channel: 'email',
  format: 'mjml',
  subject,
  body,
});

export const DEMO_SCENARIO_TEMPLATES: Record<DemoScenarioTemplateKey, TemplateInput> = {
  howToDrink: template(
    '引き上げ① お届けの日：飲み方のご案内（メール）',
    '{{ product.name }}が届きました。おいしい飲み方のご案内',
    mjml('飲み方のご案内', [
      {
        paragraphs: [
          '{{ customer.name }}様、こんにちは。みのり青汁本舗です。',
          'このたびは{{ product.name }}をお選びいただき、ありがとうございます。',
          'お手元に届いた今日、まずはおいしい飲み方をお伝えします。',
        ],
      },
      {
        heading: '毎日1包、同じ時間に',
        paragraphs: [
          '1包を水や牛乳、約100mlに溶かしてお召し上がりください。',
          'コップとスプーンでもよく混ざります。冷たい水にもすぐに溶けます。',
          '朝食と一緒になど、毎日同じ時間に飲むと習慣にしやすくなります。',
          'お試しの14包は、1日1包で14日分です。',
        ],
      },
      {
        heading: '味が気になるときは',
        paragraphs: ['青汁の味に慣れないうちは、牛乳や豆乳で割るとまろやかになります。', 'はちみつを少し加えるのもおすすめです。'],
      },
      {
        paragraphs: ['飲み方で迷うことがあれば、このメールにご返信ください。', 'お気軽にご相談ください。'],
      },
    ]),
  ),
  firstImpressions: template(
    '引き上げ② 3日目：最初の印象（メール）',
    '{{ product.name }}の飲み心地はいかがですか',
    mjml('最初の印象', [
      {
        paragraphs: [
          '{{ customer.name }}様、こんにちは。みのり青汁本舗です。',
          '{{ product.name }}をお届けしてから{{ days_since_delivery }}日が経ちました。',
          '初めて飲んだときの味や香りは、いかがでしたか。',
        ],
      },
      {
        heading: 'お客様から多い感想',
        paragraphs: [
          '「思ったより飲みやすかった」「抹茶のような香りがする」という感想を多くいただきます。',
          '一方で「少し粉っぽい」と感じる方もいらっしゃいます。',
          'そのときは先に少量の水で溶かしてから、残りを注いでみてください。',
        ],
      },
      {
        paragraphs: [
          'まずは毎日1包を続けることを、いちばん大切にしてみてください。',
          '感想をお聞かせいただけると、私たちもうれしいです。',
          'お気軽にご相談ください。',
        ],
      },
    ]),
  ),
  day14: template(
    '引き上げ③ 14日目：続けてくださった14日間（メール）',
    '{{ product.name }}を続けて{{ days_since_delivery }}日になりました',
    mjml('続けてくださった14日間', [
      {
        paragraphs: [
          '{{ customer.name }}様、いつもありがとうございます。みのり青汁本舗です。',
          '{{ product.name }}をお届けしてから、今日で{{ days_since_delivery }}日目です。',
          '毎日1包を続けてくださったことを、心からうれしく思います。',
        ],
      },
      {
        heading: 'この14日間を振り返って',
        paragraphs: [
          '「朝の一杯が習慣になった」「野菜が足りない日も気持ちが楽」というお声をいただくのが、ちょうどこの頃です。',
          '{{ customer.name }}様の毎日はいかがでしたか。',
          '感じていることがあれば、このメールへのご返信で教えてください。',
        ],
      },
      {
        heading: 'これからも続けたいと思われたら',
        paragraphs: [
          '定期便なら、毎月決まった日にみのり青汁をお届けします。',
          'お届けの間隔や数量は、いつでも変えられます。',
          '続けるかどうかは、ご自身のペースで決めていただいて大丈夫です。',
          '今後ともよろしくお願いいたします。',
        ],
      },
    ]),
  ),
  othersNotice: template(
    '引き上げ④ ひと月後：周りの方との会話（メール）',
    'ご家族との会話に、みのり青汁の話題はありますか',
    mjml('周りの方との会話', [
      {
        paragraphs: ['{{ customer.name }}様、こんにちは。みのり青汁本舗です。', '{{ product.name }}をお届けしてから、ひと月ほどが経ちました。'],
      },
      {
        heading: 'お客様からのお便り',
        paragraphs: [
          '「朝に青汁を飲んでいたら、家族も一緒に飲むようになった」というお便りをいただきました。',
          '「それ何？」とご友人に聞かれて、話が弾んだという方もいらっしゃいます。',
          '毎日の小さな習慣は、周りの方にも伝わるものですね。',
        ],
      },
      {
        heading: 'ご家族の分も',
        paragraphs: ['定期便では、お届けの数量をご家族の人数に合わせて変えられます。', '気になることがあれば、いつでもお気軽にご相談ください。'],
      },
    ]),
  ),
  newsletter: template(
    '継続 会報誌「みのり通信」（メール）',
    '会報誌「みのり通信」今月号をお届けします',
    mjml('みのり通信', [
      {
        paragraphs: [
          '{{ customer.name }}様、いつもご愛用いただきありがとうございます。',
          '定期便をご利用のお客様へ、毎月お届けしている会報誌「みのり通信」です。',
        ],
      },
      {
        heading: '開発者のこぼれ話：畑から一杯まで',
        paragraphs: [
          'みのり青汁の大麦若葉は、九州の契約農家さんの畑で育てています。',
          '開発担当の佐藤は、毎年春の刈り取りに立ち会い、葉の色と香りを確かめています。',
          '刈り取りから粉末にするまでを半日で終えるのは、香りを残したいからです。',
          '「抹茶のような香りを目指して、配合を30回以上試しました」と佐藤は話します。',
        ],
      },
      {
        heading: 'お客様の声',
        paragraphs: [
          '「朝の一杯が、夫婦で話す時間になりました」（60代・女性）',
          '「牛乳で割って、子どもと一緒に飲んでいます」（40代・男性）',
          '「出張先にも持って行けるので、続けやすいです」（50代・男性）',
        ],
      },
      {
        heading: '読者の川柳',
        paragraphs: ['「青汁を 混ぜる音から 朝が来る」（70代・女性）', '川柳やお便りは、このメールへのご返信でお寄せください。'],
      },
      {
        paragraphs: ['来月号もどうぞお楽しみに。', 'どうぞお元気でお過ごしください。'],
      },
    ]),
  ),
};
