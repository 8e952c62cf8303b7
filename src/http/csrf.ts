import type { FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../auth/sessions.ts';
import { KizunaError } from '../shared/errors.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Cross-site request forgery guard. A browser attaches the session cookie to any request a
 * foreign page makes (SameSite=Lax still lets a top-level form POST through, and a multipart
 * upload, a body-less POST or a text/plain one needs no CORS preflight), so every
 * state-changing request that could ride on the cookie must come from the console's own
 * origin. Browsers send `Origin` on every POST/PUT/PATCH/DELETE, and `Sec-Fetch-Site`; either
 * naming another site is refused with 403.
 *
 * Exempt: a request with an `Authorization` header and no session cookie (an API key: a
 * foreign page cannot make the browser send it). A request with neither header is not from a
 * browser (curl, a server) and passes. Sign-in is checked too (no cookie yet), so a foreign
 * page cannot sign the browser into another account.
 *
 * `publicOrigin` (KIZUNA_PUBLIC_ORIGIN, e.g. https://crm.example.jp) is the console's origin
 * behind a proxy that rewrites Host; without it the request's own Host is the origin.
 */
export function refuseCrossSiteRequest(request: FastifyRequest, publicOrigin: string | undefined): void {
  if (!STATE_CHANGING.has(request.method)) return;
  const hasCookie = request.cookies[SESSION_COOKIE] !== undefined;
  if (request.headers.authorization !== undefined && !hasCookie) return;
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
    throw new KizunaError(
      'forbidden',
      `Refused a ${fetchSite} request: state-changing requests with the session cookie must come from the Kizuna console itself.`,
    );
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (!isSameOrigin(origin, request.headers.host, publicOrigin)) {
    throw new KizunaError(
      'forbidden',
      `Refused a request from origin ${origin}: state-changing requests with the session cookie must come from the Kizuna console itself${publicOrigin ? ` (${publicOrigin})` : ''}.`,
    );
  }
}

function isSameOrigin(origin: string, host: string | undefined, publicOrigin: string | undefined): boolean {
  if (origin === 'null') return false;
  if (publicOrigin !== undefined) return origin === publicOrigin;
  if (host === undefined) return false;
  try {
    // Parsing Host with the origin's scheme drops the same default port from both.
    const parsed = new URL(origin);
    return parsed.host === new URL(`${parsed.protocol}//${host}`).host;
  } catch {
    return false;
  }
}
