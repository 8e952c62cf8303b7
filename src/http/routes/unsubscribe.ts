import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ONE_CLICK_SOURCE, withdrawEmailMarketing } from '../../messaging/consent.ts';
import { verifyUnsubscribeToken } from '../../messaging/unsubscribe-token.ts';
import type { Clock } from '../../shared/clock.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { AppDeps } from '../app.ts';
import { ErrorBody } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route takes state-changing requests from any site (csrf.ts lets them through): it
     * reads no cookie and acts only on what a signed token in its URL says.
     */
    crossSiteAllowed?: boolean;
  }
}

/** Requests per client address per minute on the unsubscribe routes. */
export const UNSUBSCRIBE_RATE_PER_MINUTE = 60;
/** The largest body a one-click POST may carry (it needs `List-Unsubscribe=One-Click`). */
const BODY_LIMIT = 4 * 1024;

const TokenParams = z.object({ token: z.string().max(200).describe('The signed token of the link') });

/**
 * RFC 8058 one-click unsubscribe, outside the authenticated API (mail links point here):
 * `POST /u/{token}` withdraws the customer's email + marketing consent (source
 * 'one-click-unsubscribe') and answers 200 without a redirect; `GET /u/{token}` shows a
 * confirmation page whose button makes that POST (a GET never unsubscribes: mail scanners
 * follow links). The POST comes from the mailbox provider's servers or the page, with no
 * cookie and from any origin, so the cross-site check does not apply to it: the token, signed
 * with the instance secret, is its authority. Bounded: a small body, a rate per client address.
 */
export function unsubscribeRoutes(deps: AppDeps & { secret: string }): FastifyPluginAsyncZod {
  const { pool } = deps.database;
  const limiter = rateLimiter(deps.clock, UNSUBSCRIBE_RATE_PER_MINUTE);
  return async (app) => {
    // The one-click body is a form (multipart or urlencoded); it is read as text and not needed:
    // the POST to the link is the request.
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']) {
      app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));
    }
    app.addHook('onRequest', async (request) => limiter(request));

    app.post(
      '/u/:token',
      {
        bodyLimit: BODY_LIMIT,
        config: { crossSiteAllowed: true },
        schema: {
          tags: ['email'],
          summary: 'One-click unsubscribe (RFC 8058)',
          description:
            'Withdraws email + marketing consent for the customer the signed token names. No authentication, no cookie; body `List-Unsubscribe=One-Click` as multipart/form-data or application/x-www-form-urlencoded. 200 also when already withdrawn; never a redirect.',
          security: [],
          params: TokenParams,
          response: {
            200: z.object({ status: z.enum(['withdrawn', 'already_withdrawn']), message: z.string() }),
            400: ErrorBody,
            404: ErrorBody,
            429: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const claim = claimOf(request.params.token, deps.secret);
        const outcome = await withdrawEmailMarketing(pool, { ...claim, at: deps.clock.now(), source: ONE_CLICK_SOURCE });
        if (outcome.outcome === 'unknown_customer') throw unknownRecipient();
        const message = outcome.outcome === 'withdrawn' ? '配信を停止しました。 (Unsubscribed.)' : 'すでに配信を停止しています。 (Already unsubscribed.)';
        if (wantsHtml(request)) return sendPage(reply, 200, page('配信を停止しました', `<p>${message}</p><p>今後、広告・宣伝のメールはお送りしません。</p>`));
        return { status: outcome.outcome, message };
      },
    );

    app.get(
      '/u/:token',
      {
        schema: {
          tags: ['email'],
          summary: 'Unsubscribe confirmation page',
          description: 'A page with a button that makes the one-click POST; a GET changes nothing.',
          security: [],
          params: TokenParams,
          produces: ['text/html'],
        },
      },
      async (request, reply) => {
        try {
          claimOf(request.params.token, deps.secret);
        } catch (error) {
          if (!(error instanceof KizunaError)) throw error;
          return sendPage(reply, 404, page('リンクが正しくありません', `<p>${error.message}</p>`));
        }
        return sendPage(
          reply,
          200,
          page(
            '配信停止の確認',
            `<p>広告・宣伝メールの配信を停止します。よろしければ下のボタンを押してください。</p>
<form method="post" action=""><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">配信を停止する</button></form>
<p lang="en">To stop receiving advertising email, press the button.</p>`,
          ),
        );
      },
    );
  };
}

/** Registers the unsubscribe routes on the app's root (not under /api/v1). */
export async function registerUnsubscribe(app: FastifyInstance, deps: AppDeps & { secret: string }): Promise<void> {
  await app.register(unsubscribeRoutes(deps));
}

function claimOf(token: string, secret: string): { workspaceId: string; customerId: string } {
  const claim = verifyUnsubscribeToken(secret, token);
  if (!claim)
    throw new KizunaError('not_found', 'この配信停止リンクは正しくありません。メールのリンクをもう一度お試しください。 (This unsubscribe link is not valid.)');
  return claim;
}

function unknownRecipient(): KizunaError {
  return new KizunaError('not_found', 'この配信停止リンクの宛先が見つかりません。 (The recipient of this link no longer exists.)');
}

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.7;color:#222}button{font-size:1rem;padding:.6rem 1.4rem;cursor:pointer}</style>
</head><body><h1>${title}</h1>${body}</body></html>`;
}

/** A fixed-window counter per client address, bounded in memory: a crawler or a flood gets 429. */
export function rateLimiter(clock: Clock, perMinute: number): (request: FastifyRequest) => void {
  let window = -1;
  let counts = new Map<string, number>();
  return (request) => {
    const current = Math.floor(clock.now().getTime() / 60_000);
    if (current !== window || counts.size > 100_000) {
      window = current;
      counts = new Map();
    }
    const count = (counts.get(request.ip) ?? 0) + 1;
    counts.set(request.ip, count);
    if (count > perMinute)
      throw new KizunaError(
        'too_many_requests',
        '短時間にリクエストが多すぎます。しばらくしてからお試しください。 (Too many requests; try again in a minute.)',
      );
  };
}
