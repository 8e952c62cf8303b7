import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * One-click unsubscribe tokens (RFC 8058): `<workspace>.<customer>.<issued-at>.<mac>`, where
 * mac is HMAC-SHA256 under the instance secret over the workspace, the customer, the channel
 * (email), the purpose (marketing) and the issue time (seconds), base64url. Without the secret
 * a token cannot be made or altered; the ids in it are Kizuna's internal ids, not the
 * customer's address. Tokens do not expire: a link in an old mail must still work (law and
 * inbox providers both expect it).
 */
export interface UnsubscribeClaim {
  workspaceId: string;
  customerId: string;
  issuedAt: Date;
}

const TOKEN = /^(\d{1,18})\.(\d{1,18})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: string, workspaceId: string, customerId: string, issuedAtSeconds: number): string {
  return createHmac('sha256', secret).update(`kizuna-unsubscribe-v1\n${workspaceId}\n${customerId}\nemail\nmarketing\n${issuedAtSeconds}`).digest('base64url');
}

/** A signed token for the customer's email + marketing consent. */
export function unsubscribeToken(secret: string, claim: UnsubscribeClaim): string {
  if (!/^\d{1,18}$/.test(claim.workspaceId) || !/^\d{1,18}$/.test(claim.customerId)) {
    throw new Error(`unsubscribeToken: ids must be Kizuna's numeric ids, got workspace "${claim.workspaceId}", customer "${claim.customerId}"`);
  }
  const seconds = Math.floor(claim.issuedAt.getTime() / 1000);
  return `${claim.workspaceId}.${claim.customerId}.${seconds}.${mac(secret, claim.workspaceId, claim.customerId, seconds)}`;
}

/** The claim of a token made with this secret; undefined for anything else (malformed, forged, altered). */
export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribeClaim | undefined {
  const match = TOKEN.exec(token);
  if (!match) return undefined;
  const [, workspaceId, customerId, seconds, given] = match as unknown as [string, string, string, string, string];
  const expected = Buffer.from(mac(secret, workspaceId, customerId, Number(seconds)));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  return { workspaceId, customerId, issuedAt: new Date(Number(seconds) * 1000) };
}

/** The one-click link for a token: `<publicUrl>/u/<token>`. */
export function unsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/u/${token}`;
}
