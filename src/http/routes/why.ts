import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { escapeHtml } from '../../messaging/footer.ts';
import { unsubscribeToken } from '../../messaging/unsubscribe-token.ts';
import { verifyWhyToken } from '../../messaging/why-token.ts';
import { readWhyPage, type WhyPage } from '../../scenarios/why-page.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { AppDeps } from '../app.ts';
import { rateLimiter, UNSUBSCRIBE_RATE_PER_MINUTE } from './unsubscribe.ts';

/**
 * The customer's page behind 「このメールをお送りした理由」 (the footer links it: src/messaging/
 * footer.ts), outside the authenticated API like the unsubscribe link: `GET /why/{token}` shows,
 * for the one send the signed token names (why-token.ts), why it was sent in words (Japanese,
 * then English), when, who sent it with the contacts for enquiries, a link to stop advertising
 * mail, and what 特定電子メール法 asks of the sender. Server-rendered HTML, no login, no cookie,
 * not indexed, not cached. A malformed, forged or altered token, or one whose send no longer
 * exists, gets a friendly 404 page; a flood from one address gets a 429 page.
 */

/** The 総務省 page on 特定電子メール法 (the rules for advertising email in Japan). */
export const ANTI_SPAM_LAW_URL = 'https://www.soumu.go.jp/main_sosiki/joho_tsusin/d_syohi/m_mail.html';

const TokenParams = z.object({ token: z.string().describe('The signed token of the link in the mail (any other string: the 404 page)') });

export function whyRoutes(deps: AppDeps & { secret: string }): FastifyPluginAsyncZod {
  const { pool, db } = deps.database;
  const limiter = rateLimiter(deps.clock, UNSUBSCRIBE_RATE_PER_MINUTE);
  return async (app) => {
    app.get(
      '/why/:token',
      {
        schema: {
          tags: ['email'],
          summary: 'Why this email was sent: the page the footer links to',
          description:
            'A public HTML page (no authentication) for the one send the signed token names: the reason in words (Japanese and English), the date, the sender and its contacts, a link to unsubscribe, and the 特定電子メール法 details. 404 page for a token that is not valid.',
          security: [],
          params: TokenParams,
          produces: ['text/html'],
        },
      },
      async (request, reply) => {
        try {
          limiter(request);
        } catch (error) {
          if (!(error instanceof KizunaError)) throw error;
          return sendPage(reply, 429, page('しばらくしてからお試しください', `<p>${escapeHtml(error.message)}</p>`));
        }
        const claim = verifyWhyToken(deps.secret, request.params.token);
        const found = claim ? await readWhyPage({ pool, db, workspaceId: claim.workspaceId, effectId: claim.effectId }) : null;
        if (!found) return sendPage(reply, 404, notFoundPage());
        const unsubscribe = `/u/${unsubscribeToken(deps.secret, { workspaceId: found.workspaceId, customerId: found.customerId, issuedAt: deps.clock.now() })}`;
        return sendPage(reply, 200, whyPage(found, unsubscribe));
      },
    );
  };
}

/** Registers the reason page on the app's root (not under /api/v1). */
export async function registerWhyPage(app: FastifyInstance, deps: AppDeps & { secret: string }): Promise<void> {
  await app.register(whyRoutes(deps));
}

function notFoundPage(): string {
  return page(
    'ページが見つかりません',
    `<p>このリンクは正しくないか、お送りしたメールの記録がすでにありません。お手数ですが、メールのリンクをもう一度お試しください。</p>
<p>ご不明な点は、メールに記載のお問い合わせ先までお気軽にご連絡ください。</p>
<p lang="en">This link is not valid, or the message it belongs to is no longer on record. Please try the link in the email again, or contact the sender named in it.</p>`,
  );
}

function whyPage(found: WhyPage, unsubscribeLink: string): string {
  const { sender } = found;
  const date = (locale: string) =>
    new Intl.DateTimeFormat(locale, { timeZone: found.timezone, year: 'numeric', month: 'long', day: 'numeric' }).format(found.sentAt);
  const contacts = [
    sender.contactEmail ? `メール / Email: <a href="mailto:${escapeHtml(sender.contactEmail)}">${escapeHtml(sender.contactEmail)}</a>` : null,
    sender.contactPhone ? `電話 / Phone: ${escapeHtml(sender.contactPhone)}` : null,
    sender.contactUrl ? `Web: <a href="${escapeHtml(sender.contactUrl)}" rel="noopener noreferrer">${escapeHtml(sender.contactUrl)}</a>` : null,
  ].filter((line): line is string => line !== null);
  const identity = [
    sender.senderName ? `送信者 / Sender: ${escapeHtml(sender.senderName)}` : null,
    sender.postalAddress ? `住所 / Address: ${escapeHtml(sender.postalAddress)}` : null,
    ...contacts,
  ].filter((line): line is string => line !== null);
  const kind =
    found.purpose === 'marketing'
      ? 'このメールは、配信を希望された方にお送りしている広告・宣伝メールです。'
      : 'このメールは、ご注文やご利用中のサービスについてお知らせするメールです。';
  const kindEn = found.purpose === 'marketing' ? 'This is advertising email you agreed to receive.' : 'This email is about an order or a service you use.';
  return page(
    'このメールをお送りした理由',
    `<p class="reason">${escapeHtml(found.reason.ja)}</p>
<p lang="en" class="en">${escapeHtml(found.reason.en)}</p>
<p>${escapeHtml(date('ja-JP'))}にお送りしました。${escapeHtml(kind)}</p>
<p lang="en" class="en">Sent on ${escapeHtml(date('en-US'))}. ${escapeHtml(kindEn)}</p>
<h2>送信者 <span lang="en">Sender</span></h2>
<p>${identity.join('<br>')}</p>
<p>メールの内容やお送りする理由についてご不明な点があれば、上記までお問い合わせください。${found.signOff ? escapeHtml(found.signOff) + '。' : ''}</p>
<h2>配信の停止 <span lang="en">Unsubscribe</span></h2>
<p>広告・宣伝メールが不要な場合は、<a href="${escapeHtml(unsubscribeLink)}">配信停止のページ</a>から手続きできます（ワンクリックで完了します）。</p>
<p lang="en" class="en">To stop advertising email, use <a href="${escapeHtml(unsubscribeLink)}">the unsubscribe page</a> (one click).</p>
<h2>特定電子メール法について <span lang="en">Japan's Act on Specified Electronic Mail</span></h2>
<p>広告・宣伝メールは、受け取ることに同意された方にだけお送りし、送信者の名称・住所・お問い合わせ先と配信停止の方法を表示することが「特定電子メールの送信の適正化等に関する法律」で定められています。詳しくは<a href="${ANTI_SPAM_LAW_URL}" rel="noopener noreferrer">総務省のページ</a>をご覧ください。</p>
<p lang="en" class="en">Under this act, advertising email is sent only to people who agreed to receive it, and shows the sender's name, address, a contact and how to opt out. See <a href="${ANTI_SPAM_LAW_URL}" rel="noopener noreferrer">the Ministry of Internal Affairs and Communications</a> (Japanese).</p>`,
  );
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.8;color:#222}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}.reason{font-size:1.1rem;font-weight:bold}.en{color:#444}a{color:#1a4fa0}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}
