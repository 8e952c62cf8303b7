import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';

/** The source recorded with a withdrawal made through the one-click link. */
export const ONE_CLICK_SOURCE = 'one-click-unsubscribe';

/** Why advertising mail may not go to a customer, or that it may. */
export type MarketingPermission = { allowed: true; grantedAt: Date; source: string | null } | { allowed: false; reason: 'no_consent' | 'consent_withdrawn' };

/**
 * Whether the customer's email + marketing consent is granted now (特定電子メール法 第3条: opt-in
 * at send time, and no advertising mail after an opt-out).
 */
export async function emailMarketingPermission(
  pool: pg.Pool | pg.PoolClient,
  params: { workspaceId: string; customerId: string },
): Promise<MarketingPermission> {
  const { rows } = await pool.query<{ status: 'granted' | 'withdrawn'; changed_at: Date; source: string | null }>(
    `select status, changed_at, source from consents
      where workspace_id = $1 and customer_id = $2 and channel = 'email' and purpose = 'marketing'`,
    [params.workspaceId, params.customerId],
  );
  const row = rows[0];
  if (!row) return { allowed: false, reason: 'no_consent' };
  if (row.status !== 'granted') return { allowed: false, reason: 'consent_withdrawn' };
  return { allowed: true, grantedAt: row.changed_at, source: row.source };
}

export type WithdrawalOutcome = { outcome: 'withdrawn'; at: Date } | { outcome: 'already_withdrawn'; at: Date } | { outcome: 'unknown_customer' };

/**
 * Records that the customer withdrew email + marketing consent: the current state in
 * `consents` and the change in `consent_changes`, with its source. Idempotent: a second call
 * finds it withdrawn and changes nothing. A consent granted later than `at` (a newer opt-in
 * arrived first) is left as it is, as the ingest's consent writer does.
 */
export async function withdrawEmailMarketing(
  pool: pg.Pool,
  params: { workspaceId: string; customerId: string; at: Date; source: string },
): Promise<WithdrawalOutcome> {
  const { workspaceId, customerId, at, source } = params;
  return withTransaction(pool, async (client) => {
    const customer = await client.query('select 1 from customers where workspace_id = $1 and id = $2', [workspaceId, customerId]);
    if (customer.rowCount === 0) return { outcome: 'unknown_customer' };
    const { rows } = await client.query<{ status: string; changed_at: Date }>(
      `select status, changed_at from consents
        where workspace_id = $1 and customer_id = $2 and channel = 'email' and purpose = 'marketing' for update`,
      [workspaceId, customerId],
    );
    const current = rows[0];
    if (current?.status === 'withdrawn') return { outcome: 'already_withdrawn', at: current.changed_at };
    await client.query(
      `insert into consent_changes (workspace_id, customer_id, channel, purpose, status, changed_at, source)
       values ($1, $2, 'email', 'marketing', 'withdrawn', $3, $4) on conflict do nothing`,
      [workspaceId, customerId, at, source],
    );
    await client.query(
      `insert into consents as c (workspace_id, customer_id, channel, purpose, status, changed_at, source)
       values ($1, $2, 'email', 'marketing', 'withdrawn', $3, $4)
       on conflict (customer_id, channel, purpose) do update set status = excluded.status, changed_at = excluded.changed_at, source = excluded.source
        where excluded.changed_at >= c.changed_at`,
      [workspaceId, customerId, at, source],
    );
    return { outcome: 'withdrawn', at };
  });
}
