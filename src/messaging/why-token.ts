import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Tokens of the page behind 「このメールをお送りした理由」 (`GET /why/{token}`):
 * `<workspace>.<effect>.<mac>`, where the effect is the send (scenario_effects.id) the mail came
 * from and mac is HMAC-SHA256 under the instance secret over both (domain-separated from the
 * unsubscribe tokens, so one can never stand for the other), base64url. Without the secret a
 * token cannot be made, altered or guessed from a neighbour's: the ids alone open nothing. The
 * token names a send, not an address; it does not expire (the page must work from an old mail).
 */
export interface WhyClaim {
  workspaceId: string;
  effectId: string;
}

const TOKEN = /^(\d{1,18})\.(\d{1,18})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: string, workspaceId: string, effectId: string): string {
  return createHmac('sha256', secret).update(`kizuna-why-v1\n${workspaceId}\n${effectId}`).digest('base64url');
}

/** A signed token for the reason page of one send. */
export function whyToken(secret: string, claim: WhyClaim): string {
  if (!/^\d{1,18}$/.test(claim.workspaceId) || !/^\d{1,18}$/.test(claim.effectId)) {
    throw new Error(`whyToken: ids must be Kizuna's numeric ids, got workspace "${claim.workspaceId}", effect "${claim.effectId}"`);
  }
  return `${claim.workspaceId}.${claim.effectId}.${mac(secret, claim.workspaceId, claim.effectId)}`;
}

/** The claim of a token made with this secret; undefined for anything else (malformed, forged, altered). */
export function verifyWhyToken(secret: string, token: string): WhyClaim | undefined {
  const match = TOKEN.exec(token);
  if (!match) return undefined;
  const [, workspaceId, effectId, given] = match as unknown as [string, string, string, string];
  const expected = Buffer.from(mac(secret, workspaceId, effectId));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  return { workspaceId, effectId };
}

/**
 * The reason page's link for one send: `<publicUrl>/why/<token>`.
 *
 * @example
 * renderer.render({ ..., whyUrl: whyUrl(publicUrl, whyToken(secret, { workspaceId, effectId: row.id })) });
 */
export function whyUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/why/${token}`;
}
