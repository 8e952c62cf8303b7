import { describe, expect, it } from 'vitest';
import { checkMessage, createChecker } from './check-message.ts';
import { DEMO_CHARTER } from '../demo/demo-charter.ts';
import { Charter, type CheckResult, type MessageInput } from './types.ts';

const checker = createChecker(DEMO_CHARTER);
const GREETING = 'いつもありがとうございます。';
const SIGN_OFF = '今後ともよろしくお願いいたします。';

function input(body: string, extra: Partial<MessageInput> = {}): MessageInput {
  return { body, format: 'text', channel: 'email', department: 'marketing', ...extra };
}

/** Checks a body between the demo greeting and sign-off, so only the rules under test speak. */
async function check(sentence: string, extra: Partial<MessageInput> = {}): Promise<CheckResult> {
  return checker.check(input(`${GREETING}\n${sentence}\n${SIGN_OFF}`, extra));
}

function rulesOf(result: CheckResult): string[] {
  return result.findings.map((finding) => finding.rule);
}

function expectExactRanges(result: CheckResult, sources: { subject?: string; body: string }): void {
  for (const finding of result.findings) {
    const source = finding.range.part === 'subject' ? (sources.subject ?? '') : sources.body;
    expect(source.slice(finding.range.start, finding.range.end)).toBe(finding.text);
  }
}

describe('claims: 薬機法 health food', () => {
  it.each([
    ['この青汁で病気が治ります。', 'claims.yakkiho.cure', '治ります'],
    ['毎日飲めば痩せる青汁です。', 'claims.yakkiho.slimming', '痩せる'],
    ['高血圧の方の血圧が下がると評判です。', 'claims.yakkiho.blood_pressure', '血圧が下がる'],
    ['血糖値が気になる方におすすめです。', 'claims.yakkiho.blood_sugar', '血糖値'],
    ['脂肪を燃焼させるサプリです。', 'claims.yakkiho.fat_burning', '脂肪を燃焼'],
    ['体調の改善にお役立てください。', 'claims.yakkiho.improve', '改善'],
    ['風邪の予防にどうぞ。', 'claims.yakkiho.prevent', '予防'],
    ['疲れによく効く一杯です。', 'claims.yakkiho.effective', '効く'],
    ['腸内環境への効果が期待できます。', 'claims.yakkiho.efficacy', '効果'],
    ['免疫力を高める乳酸菌です。', 'claims.yakkiho.body_function', '免疫力を高める'],
  ])('「%s」 is an error (%s)', async (sentence, rule, text) => {
    const result = await check(sentence);
    const finding = result.findings.find((candidate) => candidate.rule === rule);
    expect(finding?.text).toBe(text);
    expect(finding?.severity).toBe('error');
    expect(finding?.explanation?.ja).toContain('薬機法');
    expect(result.publishable).toBe(false);
  });

  it('offers the compliant rewording for 痩せる as a suggestion, not as a one-click fix', async () => {
    const result = await check('毎日飲めば痩せる青汁です。');
    const finding = result.findings.find((candidate) => candidate.rule === 'claims.yakkiho.slimming');
    expect(finding?.suggestion).toBe('すっきりとした毎日をサポート');
    expect(finding?.fix).toBeUndefined();
  });

  it.each([
    'サイトの使い勝手を改善しました。',
    '予防接種のお知らせです。',
    '治療中の方は医師にご相談のうえお召し上がりください。',
    'エアコンがよく効くお部屋でお過ごしください。',
    '新しいキャンペーンの効果を測定しました。',
    '痩せ型の方にも飲みやすい味です。',
    '体験談をお寄せください。',
  ])('near-miss 「%s」 is not a health claim', async (sentence) => {
    const result = await check(sentence);
    expect(rulesOf(result).filter((rule) => rule.startsWith('claims.'))).toEqual([]);
  });
});

describe('claims: 景品表示法', () => {
  it.each([
    ['最高の青汁をお届けします。', 'claims.keihyoho.superlative', '最高'],
    ['日本一の品質です。', 'claims.keihyoho.ranking', '日本一'],
    ['売上No.1の青汁です。', 'claims.keihyoho.ranking', 'No.1'],
    ['ナンバーワンの味わいです。', 'claims.keihyoho.ranking', 'ナンバーワン'],
    ['世界初の製法です。', 'claims.keihyoho.first', '世界初'],
    ['必ず実感できます。', 'claims.keihyoho.absolute', '必ず'],
    ['絶対においしいです。', 'claims.keihyoho.absolute', '絶対'],
    ['完全な栄養食です。', 'claims.keihyoho.complete', '完全'],
    ['満足度100%です。', 'claims.keihyoho.hundred_percent', '100%'],
  ])('「%s」 is an error (%s)', async (sentence, rule, text) => {
    const result = await check(sentence);
    const finding = result.findings.find((candidate) => candidate.rule === rule);
    expect(finding?.text).toBe(text);
    expect(finding?.severity).toBe('error');
    expect(finding?.explanation?.en).toContain('Premiums and Representations Act');
  });

  it.each(['今日の最高気温は30度の予報です。', 'お届け前に必ずご確認ください。', '完全予約制の相談会を開きます。', '国産原料100%の青汁です。'])(
    'near-miss 「%s」 is not a claim',
    async (sentence) => {
      const result = await check(sentence);
      expect(rulesOf(result).filter((rule) => rule.startsWith('claims.'))).toEqual([]);
    },
  );
});

describe('claims: 薬機法 cosmetics (a cosmetics charter)', () => {
  const cosmetics = createChecker(Charter.parse({ ...DEMO_CHARTER, claimsPacks: ['yakkiho_cosmetics'] }));
  it.each([
    ['シミが消える美容液です。', 'claims.cosmetics.stain'],
    ['シワがなくなるクリームです。', 'claims.cosmetics.wrinkle'],
    ['肌が若返る化粧水です。', 'claims.cosmetics.rejuvenate'],
    ['アンチエイジングのための一本です。', 'claims.cosmetics.anti_aging'],
  ])('「%s」 is an error (%s)', async (sentence, rule) => {
    const result = await cosmetics.check(input(`${GREETING}\n${sentence}\n${SIGN_OFF}`));
    expect(rulesOf(result)).toContain(rule);
  });

  it('肌を整える (a permitted expression) is not flagged, and packs not switched on do not run', async () => {
    const result = await cosmetics.check(input(`${GREETING}\n肌を整える化粧水です。痩せる。\n${SIGN_OFF}`));
    expect(rulesOf(result).filter((rule) => rule.startsWith('claims.'))).toEqual([]);
  });
});

describe('register', () => {
  it('a mixed register is an error when the charter fixes です・ます, on the である words', async () => {
    const body = `${GREETING}\n今日は新しい青汁が届きました。とてもおいしいのである。\n${SIGN_OFF}`;
    const result = await checker.check(input(body));
    const finding = result.findings.find((candidate) => candidate.rule === 'register.mixed');
    expect(finding?.severity).toBe('error');
    expect(finding?.text).toBe('である');
    expect(finding?.fix).toBe('です');
    expect(result.publishable).toBe(false);
  });

  it('「…であろう。」 gets でしょう as its fix, over the whole form', async () => {
    const result = await checker.check(input(`${GREETING}\nご案内します。新しい青汁であろう。\n${SIGN_OFF}`));
    expect(result.findings.find((finding) => finding.rule === 'register.mixed')).toMatchObject({ text: 'であろう', fix: 'でしょう' });
  });

  it('applying the fix gives a message without a register finding', async () => {
    const body = `${GREETING}\n今日は新しい青汁が届きました。とてもおいしいのである。\n${SIGN_OFF}`;
    const finding = (await checker.check(input(body))).findings.find((candidate) => candidate.rule === 'register.mixed')!;
    const fixed = body.slice(0, finding.range.start) + finding.fix! + body.slice(finding.range.end);
    expect(fixed).toContain('とてもおいしいのです。');
    expect(rulesOf(await checker.check(input(fixed)))).not.toContain('register.mixed');
  });

  it('in a である charter, a です is fixed to である; a verb ending (ます) gets no fix', async () => {
    const dearu = createChecker(Charter.parse({ ...DEMO_CHARTER, register: 'dearu' }));
    const result = await dearu.check(input('新しい青汁が届いたのである。とてもおいしいです。毎朝飲みます。'));
    const mixed = result.findings.filter((finding) => finding.rule === 'register.mixed');
    expect(mixed.find((finding) => finding.text === 'です')?.fix).toBe('である');
    expect(mixed.find((finding) => finding.text === 'ます')).toMatchObject({ severity: 'error' });
    expect(mixed.find((finding) => finding.text === 'ます')?.fix).toBeUndefined();
  });

  it.each([
    ['発送は明日だ。', 'だ', 'です'],
    ['昨日は雨だった。', 'だった', 'でした'],
    ['すぐ届くだろう。', 'だろう', 'でしょう'],
    ['本日、商品を発送した。', 'した', 'しました'],
    ['この青汁はとてもおいしい。', 'おいしい', 'おいしいです'],
    ['それは問題ではない。', 'ではない', 'ではありません'],
    ['スタッフ一同、いつも応援している。', 'いる', 'います'],
    ['ご注文の商品が届いた。', '届いた', '届きました'],
    ['毎朝一杯を飲む。', '飲む', '飲みます'],
    ['お客様がとても喜んだ。', '喜んだ', '喜びました'],
    ['ご注文を承った。', '承った', '承りました'],
    ['この味は二度と忘れない。', '忘れない', '忘れません'],
    ['明日また来る。', '来る', '来ます'],
    ['ぜひ使い続ける。', '続ける', '続けます'],
    ['冷蔵庫で保存する。', 'する', 'します'],
  ])('a plain ending textlint does not count, 「%s」, is a register error on 「%s」 (fix: %s)', async (sentence, text, fix: string | undefined) => {
    const body = `${GREETING}\n${sentence}\n${SIGN_OFF}`;
    const result = await checker.check(input(body));
    expectExactRanges(result, { body });
    const mixed = result.findings.filter((finding) => finding.rule === 'register.mixed');
    expect(mixed.map((finding) => [finding.text, finding.fix, finding.severity])).toEqual([[text, fix, 'error']]);
    if (fix !== undefined) {
      const fixed = body.slice(0, mixed[0]!.range.start) + fix + body.slice(mixed[0]!.range.end);
      expect(rulesOf(await checker.check(input(fixed)))).not.toContain('register.mixed');
    }
  });

  it.each([
    ["a customer's words in 「」", 'お客様から「毎朝飲んでいる。とてもおいしい。」とのお声をいただきました。'],
    ['a heading or tagline without 。', '送料無料\n新登場'],
    ['a list item without 。', '・毎朝一杯を続ける\n・食事と一緒に飲む'],
    ['a request', 'ぜひお試しください。'],
    ['a noun ending with ！', '新商品を発売！'],
    ['polite endings', 'お届けします。発送しました。ご確認ください。'],
  ])('near miss: %s is not a plain ending', async (_label, sentences) => {
    const result = await checker.check(input(`${GREETING}\n${sentences}\n${SIGN_OFF}`));
    expect(rulesOf(result)).not.toContain('register.mixed');
  });

  it('plain endings are judged only when the charter fixes です・ます', async () => {
    const open = createChecker(Charter.parse({ ...DEMO_CHARTER, register: null }));
    expect(rulesOf(await open.check(input(`${GREETING}\n発送は明日だ。\n${SIGN_OFF}`)))).not.toContain('register.mixed');
  });

  it('a message wholly in である is the wrong register when です・ます is fixed', async () => {
    const result = await checker.check(input('こんにちは。新しい青汁が届いたのである。今後ともよろしくお願いいたします'));
    expect(rulesOf(result)).toContain('register.mixed');
  });

  it('a mix is only a warning when the charter leaves the register open', async () => {
    const open = createChecker(Charter.parse({ ...DEMO_CHARTER, register: null }));
    const result = await open.check(input(`${GREETING}\n新しい青汁が届きました。とてもおいしいのである。\n${SIGN_OFF}`));
    expect(result.findings.find((finding) => finding.rule === 'register.mixed')?.severity).toBe('warning');
  });
});

describe('dictionary, address, pressure, limits', () => {
  it('a product name variant gets the exact name as its fix (prh)', async () => {
    const result = await check('ミノリ青汁をお届けします。');
    const finding = result.findings.find((candidate) => candidate.rule === 'dictionary.variant');
    expect(finding).toMatchObject({ text: 'ミノリ青汁', fix: 'みのり青汁', severity: 'warning' });
  });

  it('お客さま becomes お客様; an avoided word gets its replacement', async () => {
    const result = await check('お客さまに激安でご案内します。');
    expect(result.findings.map((finding) => [finding.rule, finding.text, finding.fix])).toEqual(
      expect.arrayContaining([
        ['dictionary.variant', 'お客さま', 'お客様'],
        ['dictionary.avoid', '激安', 'お求めやすい価格'],
      ]),
    );
  });

  it('an avoided address form is a warning with the first form in use as its fix', async () => {
    const result = await check('あなたにぴったりの飲み方です。');
    expect(result.findings.find((finding) => finding.rule === 'address.avoided')).toMatchObject({ text: 'あなた', fix: 'お客様', severity: 'warning' });
  });

  it('pressure phrases carry the charter severity and suggestion', async () => {
    const result = await check('今すぐご注文ください。見逃すなという話です。');
    const pressure = result.findings.filter((finding) => finding.rule === 'pressure.phrase');
    expect(pressure.map((finding) => [finding.text, finding.severity, finding.fix])).toEqual([
      ['今すぐ', 'warning', 'ご都合のよいときに'],
      ['見逃すな', 'error', undefined],
    ]);
  });

  it('exclamations beyond the limit (1) are warnings, counted over subject and body', async () => {
    const subject = '新商品です！';
    const result = await checker.check(input(`${GREETING}\nおいしいです！\n${SIGN_OFF}`, { subject }));
    const marks = result.findings.filter((finding) => finding.rule === 'limits.exclamations');
    expect(marks).toHaveLength(1);
    expect(marks[0]?.range.part).toBe('body');
  });

  it('emoji: few allows two; none warns on each', async () => {
    const few = await check('おいしい😀青汁🍵です🎉。');
    expect(few.findings.filter((finding) => finding.rule === 'limits.emoji').map((finding) => finding.text)).toEqual(['🎉']);
    const none = createChecker(Charter.parse({ ...DEMO_CHARTER, limits: { ...DEMO_CHARTER.limits, emoji: 'none' } }));
    const result = await none.check(input(`${GREETING}\nおいしい😀青汁🍵です。\n${SIGN_OFF}`));
    expect(result.findings.filter((finding) => finding.rule === 'limits.emoji')).toHaveLength(2);
  });

  it('too many commas and too long a sentence are warnings (max-ten, sentence-length)', async () => {
    const result = await check(`朝は、水で、牛乳で、豆乳で、お好みで溶かしてください。${'青汁'.repeat(45)}です。`);
    expect(rulesOf(result)).toEqual(expect.arrayContaining(['limits.commas', 'limits.sentence_length']));
  });

  it('a missing greeting and sign-off are info for email, nothing for SMS', async () => {
    const email = await checker.check(input('新しい青汁が届きました。'));
    expect(rulesOf(email)).toEqual(['tone.greeting_missing', 'tone.sign_off_missing']);
    expect(email.counts.info).toBe(2);
    expect(email.score).toBe(98);
    const sms = await checker.check(input('新しい青汁が届きました。', { channel: 'sms' }));
    expect(sms.findings).toEqual([]);
    expect(sms.score).toBe(100);
  });

  it('a clean message in the charter voice has no finding', async () => {
    const result = await checker.check(input('いつもありがとうございます。みのり青汁は朝の一杯におすすめです。お気軽にご相談ください。'));
    expect(result).toEqual({ findings: [], counts: { error: 0, warning: 0, info: 0 }, score: 100, publishable: true });
  });
});

describe('formats, Liquid and ranges', () => {
  it('HTML: only visible text is checked and ranges map back to the source', async () => {
    const body = [
      '<html><head><title>最高</title><style>.最高 { color: red }</style></head><body>',
      '<p class="最高" data-note="痩せる">いつもありがとうございます。</p>',
      '<p>この<b>青汁</b>で<strong>痩</strong>せる&amp;日本一の毎日を。</p>',
      '<script>var x = "絶対";</script>',
      '<p>今後ともよろしくお願いいたします。</p></body></html>',
    ].join('\n');
    const result = await checker.check(input(body, { format: 'html' }));
    expectExactRanges(result, { body });
    expect(result.findings.map((finding) => [finding.rule, finding.text])).toEqual([
      ['claims.yakkiho.slimming', '痩</strong>せる'],
      ['claims.keihyoho.ranking', '日本一'],
    ]);
    expect(body.indexOf('日本一')).toBe(result.findings[1]?.range.start);
  });

  it('HTML: entities are read as the characters they stand for, and a finding covers the whole entity in the source', async () => {
    const body = '<p>いつもありがとうございます。</p><p>日本&#19968;&nbsp;の青汁&amp;&lt;最高&gt;の味わい。</p><p>今後ともよろしくお願いいたします。</p>';
    const result = await checker.check(input(body, { format: 'html' }));
    expectExactRanges(result, { body });
    expect(result.findings.map((finding) => [finding.rule, finding.text])).toEqual([
      ['claims.keihyoho.ranking', '日本&#19968;'],
      ['claims.keihyoho.superlative', '最高'],
    ]);
  });

  it('HTML: a fix across a tag is not offered (it would delete markup); the finding stays', async () => {
    const body =
      '<p>いつもありがとうございます。</p><p>お客<b>さま</b>へのお知らせです。ミノリ青汁をお届けします。</p><p>今後ともよろしくお願いいたします。</p>';
    const result = await checker.check(input(body, { format: 'html' }));
    expectExactRanges(result, { body });
    const variants = result.findings.filter((finding) => finding.rule === 'dictionary.variant');
    expect(variants.map((finding) => [finding.text, finding.fix])).toEqual([
      ['お客<b>さま', undefined],
      ['ミノリ青汁', 'みのり青汁'],
    ]);
  });

  it('MJML: text of mj-text and mj-button is checked, mj-head and attributes are not', async () => {
    const body = `<mjml>
  <mj-head><mj-title>最高の青汁</mj-title><mj-style>.a { color: red }</mj-style></mj-head>
  <mj-body><mj-section><mj-column>
    <mj-text>いつもありがとうございます。脂肪を燃焼させる青汁です。</mj-text>
    <mj-button href="https://example.jp/?q=最高">今すぐ購入する</mj-button>
    <mj-text>今後ともよろしくお願いいたします。</mj-text>
  </mj-column></mj-section></mj-body>
</mjml>`;
    const result = await checker.check(input(body, { format: 'mjml' }));
    expectExactRanges(result, { body });
    expect(result.findings.map((finding) => [finding.rule, finding.text])).toEqual([
      ['claims.yakkiho.fat_burning', '脂肪を燃焼'],
      ['pressure.phrase', '今すぐ'],
    ]);
  });

  it('Liquid variables and tags are never flagged, and offsets around them stay exact', async () => {
    const body = `{{ customer.name }}様、いつもありがとうございます。{% if customer.tags contains "最高" %}今だけ{{ "絶対" }}のご案内です。{% endif %}
最高の青汁をお届けします。
今後ともよろしくお願いいたします。`;
    const result = await checker.check(input(body));
    expectExactRanges(result, { body });
    expect(result.findings.map((finding) => [finding.rule, finding.text])).toEqual([
      ['pressure.phrase', '今だけ'],
      ['claims.keihyoho.superlative', '最高'],
    ]);
    expect(result.findings[1]?.range.start).toBe(body.lastIndexOf('最高'));
  });

  it('a long Liquid variable does not make its sentence too long', async () => {
    const body = `${GREETING}\n{{ customer.default_address.prefecture_and_city_and_street_and_building_name_for_delivery }}にお届けします。\n${SIGN_OFF}`;
    const result = await checker.check(input(body));
    expect(result.findings).toEqual([]);
  });

  it('LINE messages are checked like email bodies, SMS without greeting rules', async () => {
    const line = await checker.check(input('今すぐチェック！！', { channel: 'line' }));
    expect(rulesOf(line)).toEqual(['tone.greeting_missing', 'pressure.phrase', 'limits.exclamations', 'tone.sign_off_missing']);
  });

  it('the subject is checked as plain text with part "subject"', async () => {
    const subject = '【日本一】ミノリ青汁のご案内';
    const body = `${GREETING}\n${SIGN_OFF}`;
    const result = await checker.check(input(body, { subject }));
    expectExactRanges(result, { subject, body });
    expect(result.findings.map((finding) => [finding.range.part, finding.rule, finding.text])).toEqual([
      ['subject', 'claims.keihyoho.ranking', '日本一'],
      ['subject', 'dictionary.variant', 'ミノリ青汁'],
    ]);
  });

  it('checkMessage does a one-off check with the same result as a checker', async () => {
    const message = input(`${GREETING}\n痩せる青汁です。\n${SIGN_OFF}`);
    expect(await checkMessage(DEMO_CHARTER, message)).toEqual(await checker.check(message));
  });

  it('score: 100 minus 20 per error, 5 per warning, 1 per info, at least 0', async () => {
    const result = await checker.check(input('痩せる！最高！あなた'));
    const { error, warning, info } = result.counts;
    expect(result.score).toBe(Math.max(0, 100 - 20 * error - 5 * warning - info));
    expect(result.publishable).toBe(false);
  });
});
