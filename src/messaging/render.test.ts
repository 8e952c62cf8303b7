import { convert } from 'html-to-text';
import { describe, expect, it } from 'vitest';
import { DEMO_SCENARIO_TEMPLATES } from '../demo/demo-scenario-templates.ts';
import { createEmailRenderer, EmailRenderError, type EmailRenderInput, type EmailTemplate } from './render.ts';
import type { SenderSettings } from './sender-settings.ts';

const sender: SenderSettings = {
  senderName: 'みのり青汁本舗株式会社',
  postalAddress: '東京都千代田区丸の内1-1-1',
  contactEmail: 'support@minori.example.jp',
  contactPhone: '0120-123-456',
  contactUrl: null,
  fromAddress: 'news@minori.example.jp',
  replyTo: null,
  dkim: null,
  updatedAt: null,
};

const htmlTemplate: EmailTemplate = {
  id: '7',
  channel: 'email',
  format: 'html',
  subject: '{{ customer.name }}様、{{ product.name }}はいかがですか',
  body: '<html><body><p>{{ customer.name }}様</p><p>お届けから{{ days_since_delivery }}日がたちました。</p></body></html>',
  status: 'published',
};

const UNSUBSCRIBE = 'https://crm.example.jp/u/1.2.3.abc';

function input(overrides: Partial<EmailRenderInput> = {}): EmailRenderInput {
  return {
    template: htmlTemplate,
    purpose: 'marketing',
    sender,
    customer: { id: 'C-1', name: '山田 花子', email: 'hanako@example.jp' },
    product: { name: 'みのり青汁', sku: 'AO-30' },
    daysSinceDelivery: 14,
    reasonText: 'みのり青汁を初めてお届けしてから14日目の方にお送りしています。',
    unsubscribeUrl: UNSUBSCRIBE,
    ...overrides,
  };
}

describe('rendering an email', () => {
  it('fills the Liquid variables of the subject and the body', async () => {
    const message = await createEmailRenderer().render(input());
    expect(message.subject).toBe('山田 花子様、みのり青汁はいかがですか');
    expect(message.html).toContain('<p>山田 花子様</p><p>お届けから14日がたちました。</p>');
  });

  it('adds the footer of advertising mail: the reason, the sender identity, the opt-out statement and a visible 配信停止 link', async () => {
    const { html, text } = await createEmailRenderer().render(input());
    expect(html).toContain('このメールをお送りした理由');
    expect(html).toContain('みのり青汁を初めてお届けしてから14日目の方にお送りしています。');
    for (const field of ['送信者: みのり青汁本舗株式会社', '住所: 東京都千代田区丸の内1-1-1', 'メール: support@minori.example.jp', '電話: 0120-123-456'])
      expect(html).toContain(field);
    expect(html).toContain(`<a href="${UNSUBSCRIBE}" style="color:#1a4fa0;text-decoration:underline;">配信停止</a>`);
    expect(html).toContain('今後の配信を希望されない場合');
    // The footer sits inside the body.
    expect(html!.indexOf('kizuna-footer')).toBeLessThan(html!.indexOf('</body>'));
    // The text part says what the HTML says, with the footer written for text, link included.
    expect(text).toContain('山田 花子様');
    expect(text).toContain('このメールをお送りした理由');
    expect(text).toContain(`配信停止: ${UNSUBSCRIBE}`);
    expect(text).not.toContain('<p>');
  });

  it('gives transactional mail the sender identity but no opt-out', async () => {
    const { html } = await createEmailRenderer().render(input({ purpose: 'transactional', unsubscribeUrl: null, reasonText: null }));
    expect(html).toContain('送信者: みのり青汁本舗株式会社');
    expect(html).not.toContain('配信停止');
    expect(html).not.toContain('このメールをお送りした理由');
  });

  it('compiles MJML to HTML once per template version and renders Liquid in it per customer', async () => {
    const renderer = createEmailRenderer({ maxTemplates: 2 });
    const template: EmailTemplate = {
      ...htmlTemplate,
      id: '8',
      format: 'mjml',
      body: '<mjml><mj-body><mj-section><mj-column><mj-text>{{ customer.name }}様 {% if product.name %}{{ product.name }}{% endif %}</mj-text><mj-button href="https://minori.example.jp/?c={{ customer.id }}">詳しく</mj-button></mj-column></mj-section></mj-body></mjml>',
    };
    const first = await renderer.render(input({ template }));
    const second = await renderer.render(input({ template, customer: { id: 'C-2', name: '佐藤 太郎', email: 'taro@example.jp' } }));
    expect(first.html).toMatch(/<!doctype html>/i);
    expect(first.html).toContain('山田 花子様 みのり青汁');
    expect(first.html).toContain('href="https://minori.example.jp/?c=C-1"');
    expect(second.html).toContain('佐藤 太郎様 みのり青汁');
    expect(first.html).toContain('配信停止');
    expect(renderer.cachedTemplates()).toBe(1);
    // An edit is a new version; the cache stays bounded.
    await renderer.render(input({ template: { ...template, body: template.body.replace('詳しく', 'もっと') } }));
    await renderer.render(input({ template: { ...template, id: '9' } }));
    expect(renderer.cachedTemplates()).toBe(2);
  });

  it('escapes HTML in every value put into HTML: a customer name, the reason, the sender', async () => {
    const hostile = '<script>alert(1)</script>"&\'';
    const { html, subject } = await createEmailRenderer().render(
      input({
        customer: { id: 'C-1', name: hostile, email: 'x@example.jp' },
        reasonText: `<img src=x onerror=alert(1)>`,
        sender: { ...sender, senderName: '<b>Evil</b>' },
      }),
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>Evil</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // The subject is plain text, not HTML: kept as written, on one line.
    expect(subject).toBe(`${hostile}様、みのり青汁はいかがですか`);
  });

  it('writes a text template with a text footer and no HTML part', async () => {
    const message = await createEmailRenderer().render(input({ template: { ...htmlTemplate, format: 'text', body: '{{ customer.name }}様\nこんにちは。' } }));
    expect(message.html).toBeNull();
    expect(message.text).toMatch(/^山田 花子様\nこんにちは。/);
    expect(message.text).toContain('■ このメールをお送りした理由');
    expect(message.text).toContain(`配信停止: ${UNSUBSCRIBE}`);
  });

  it('refuses clearly: an unknown variable, bad Liquid, bad MJML, a draft, missing sender settings', async () => {
    const renderer = createEmailRenderer();
    const refusal = async (given: EmailRenderInput) => {
      const error = await renderer.render(given).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EmailRenderError);
      return (error as EmailRenderError).message;
    };
    expect(await refusal(input({ template: { ...htmlTemplate, body: '<p>{{ customer.nickname }}{{ coupon }}</p>' } }))).toMatch(
      /cannot be rendered: undefined variable: customer.nickname/,
    );
    expect(await refusal(input({ template: { ...htmlTemplate, body: '{% if %}' } }))).toMatch(/Liquid in the body does not parse/);
    expect(await refusal(input({ template: { ...htmlTemplate, body: '{{ customer.name | shout }}' } }))).toMatch(/undefined filter: shout/);
    expect(await refusal(input({ template: { ...htmlTemplate, format: 'mjml', body: '<mjml><mj-body><mj-txt>x</mj-txt></mj-body></mjml>' } }))).toMatch(
      /MJML is not valid: .*mj-txt/,
    );
    expect(await refusal(input({ template: { ...htmlTemplate, status: 'draft' } }))).toMatch(/only a published template/);
    expect(await refusal(input({ sender: { ...sender, postalAddress: null, contactEmail: null, contactPhone: null } }))).toMatch(
      /sender settings postalAddress, contact/,
    );
    expect(await refusal(input({ reasonText: '' }))).toMatch(/needs the reason text/);
    // A draft renders as a preview.
    expect((await renderer.render(input({ template: { ...htmlTemplate, status: 'draft' }, preview: true }))).subject).toContain('山田 花子');
  });

  it('bounds a template that makes a huge body or runs without end', async () => {
    const renderer = createEmailRenderer();
    const huge = { ...htmlTemplate, body: '{% for i in (1..200000) %}0123456789{% endfor %}' };
    await expect(renderer.render(input({ template: huge }))).rejects.toThrow(/more than 1000000\.|memory alloc limit/);
    const endless = { ...htmlTemplate, body: '{% for i in (1..100000000) %}{% for j in (1..100000000) %}{% endfor %}{% endfor %}' };
    await expect(renderer.render(input({ template: endless }))).rejects.toThrow(EmailRenderError);
    await expect(renderer.render(input({ reasonText: 'あ'.repeat(1001) }))).rejects.toThrow(/reason text has more than 1000/);
  });

  it('does not read files: include and mj-include find nothing', async () => {
    const renderer = createEmailRenderer();
    await expect(renderer.render(input({ template: { ...htmlTemplate, body: "{% include '/etc/passwd' %}" } }))).rejects.toThrow(EmailRenderError);
    const mjml = { ...htmlTemplate, format: 'mjml' as const, body: '<mjml><mj-body><mj-include path="/etc/passwd" /></mj-body></mjml>' };
    const result = await renderer.render(input({ template: mjml })).catch((e: unknown) => e);
    if (!(result instanceof EmailRenderError)) expect((result as { html: string }).html).not.toContain('root:');
  });
});

describe("an HTML template's text part", () => {
  const DEMO_TEMPLATES = Object.entries(DEMO_SCENARIO_TEMPLATES);
  const bodyOf = (text: string, cut: string) => text.slice(0, text.indexOf(cut)).replace(/\s+/g, ' ').trim();

  it.each(DEMO_TEMPLATES)('%s: converted once per version, it says what converting each rendered HTML says', async (key, demo) => {
    const template: EmailTemplate = {
      id: key,
      channel: 'email',
      format: demo.format ?? 'mjml',
      subject: demo.subject ?? '',
      body: demo.body,
      status: 'published',
    };
    const message = await createEmailRenderer().render(
      input({ template, customer: { id: 'C-1', name: '山田 <b>花子</b> & "Co"', email: 'hanako@example.jp' } }),
    );
    // The body part, up to the footer (the text footer is written for text; the HTML one is converted).
    const perCustomer = bodyOf(convert(message.html!, { wordwrap: 78, selectors: [{ selector: 'img', format: 'skip' }] }), 'このメールをお送りした理由');
    expect(perCustomer.length).toBeGreaterThan(50);
    expect(bodyOf(message.text, '----------------------------------------')).toBe(perCustomer);
    expect(message.text).toContain('山田 <b>花子</b> & "Co"様');
    expect(message.text).toContain(`配信停止: ${UNSUBSCRIBE}`);
  });

  it('keeps a customer in a conditional and a link, and falls back to converting each render when a tag sits where the text loses it', async () => {
    const conditional: EmailTemplate = {
      ...htmlTemplate,
      body: '<html><body><h1>{{ customer.name }}様</h1>{% if product.name != "" %}<p>{{ product.name }}のご案内</p>{% endif %}<p><a href="{{ reason.url }}">理由</a></p></body></html>',
    };
    const renderer = createEmailRenderer();
    const withProduct = await renderer.render(input({ template: conditional, whyUrl: 'https://crm.example.jp/why/t1' }));
    expect(withProduct.text).toContain('山田 花子様');
    expect(withProduct.text).toContain('みのり青汁のご案内');
    expect(withProduct.text).toContain('https://crm.example.jp/why/t1');
    const without = await renderer.render(input({ template: conditional, product: null }));
    expect(without.text).not.toContain('のご案内');
    // A block tag inside an attribute is dropped by the conversion: every customer's HTML is converted instead, and the text is still right.
    const inAttribute: EmailTemplate = {
      ...htmlTemplate,
      body: '<html><body><p class="{% if product.name != "" %}x{% endif %}">{{ customer.name }}様</p></body></html>',
    };
    const fallback = await renderer.render(input({ template: inAttribute }));
    expect(fallback.text).toContain('山田 花子様');
    // Converted from the whole HTML, footer included (the link as html-to-text writes it).
    expect(fallback.text).toContain(`配信停止 [${UNSUBSCRIBE}]`);
  });
});
