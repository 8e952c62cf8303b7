import type pg from 'pg';
import { z } from 'zod';
import type { SuppressionReason } from '../db/schema.ts';
import { normalizeEmail } from '../shared/normalize.ts';

/**
 * Addresses never to send to again in a workspace: hard bounces and complaints reported back
 * by the mail provider (through the API), and addresses suppressed by hand. Applies to every
 * purpose, transactional too. The first report of an address is kept; repeating a batch
 * changes nothing.
 */
export const SUPPRESSION_REASONS = ['bounce', 'complaint', 'manual'] as const satisfies readonly SuppressionReason[];

export const SuppressionReport = z.object({
  address: z.string().min(3).max(254).describe('The email address (compared in lower case)'),
  reason: z.enum(SUPPRESSION_REASONS),
  at: z.coerce.date().optional().describe('When the bounce or complaint happened; default: now'),
  source: z.string().trim().min(1).max(200).optional().describe('Who reported it, e.g. "ses-bounce-webhook"'),
  detail: z.string().max(2000).optional().describe('The provider\'s diagnostic, e.g. "550 5.1.1 user unknown"'),
});
export type SuppressionReport = z.infer<typeof SuppressionReport>;

export const Suppression = z
  .object({
    address: z.string(),
    reason: z.enum(SUPPRESSION_REASONS),
    suppressedAt: z.date(),
    source: z.string().nullable(),
    detail: z.string().nullable(),
  })
  .meta({ id: 'EmailSuppression' });
export type Suppression = z.infer<typeof Suppression>;

export interface SuppressOutcome {
  /** Addresses newly suppressed by this batch. */
  added: number;
  /** Addresses that were already suppressed (kept as first reported). */
  alreadySuppressed: number;
  /** Reports refused, with the index in the batch and why. */
  refused: { index: number; address: string; reason: string }[];
}

/** Suppresses the reported addresses (one statement for the batch); an address that is not one is refused, the rest written. */
export async function suppressAddresses(
  pool: pg.Pool | pg.PoolClient,
  params: { workspaceId: string; reports: SuppressionReport[]; now: Date },
): Promise<SuppressOutcome> {
  const refused: SuppressOutcome['refused'] = [];
  const rows = new Map<string, SuppressionReport & { normalized: string }>();
  params.reports.forEach((report, index) => {
    const normalized = normalizeEmail(report.address);
    if (!normalized.ok) refused.push({ index, address: report.address, reason: normalized.reason });
    else if (!rows.has(normalized.value)) rows.set(normalized.value, { ...report, normalized: normalized.value });
  });
  const list = [...rows.values()];
  if (list.length === 0) return { added: 0, alreadySuppressed: 0, refused };
  const { rowCount } = await pool.query(
    `insert into email_suppressions (workspace_id, address, reason, suppressed_at, source, detail)
     select $1, r.* from unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[]) as r(address, reason, suppressed_at, source, detail)
      order by r.address collate "C"
     on conflict (workspace_id, address) do nothing`,
    [
      params.workspaceId,
      list.map((r) => r.normalized),
      list.map((r) => r.reason),
      list.map((r) => (r.at ?? params.now).toISOString()),
      list.map((r) => r.source ?? null),
      list.map((r) => r.detail ?? null),
    ],
  );
  const added = rowCount ?? 0;
  return { added, alreadySuppressed: list.length - added, refused };
}

/** The workspace's suppressed addresses, newest first, keyset-paged by (time, address). */
export async function listSuppressions(
  pool: pg.Pool,
  params: { workspaceId: string; limit: number; before?: { at: Date; address: string } },
): Promise<Suppression[]> {
  const { rows } = await pool.query<{ address: string; reason: SuppressionReason; suppressed_at: Date; source: string | null; detail: string | null }>(
    `select address, reason, suppressed_at, source, detail from email_suppressions
      where workspace_id = $1 and ($2::timestamptz is null or (suppressed_at, address) < ($2, $3 collate "C"))
      order by suppressed_at desc, address desc limit $4`,
    [params.workspaceId, params.before?.at ?? null, params.before?.address ?? '', params.limit],
  );
  return rows.map((row) => ({ address: row.address, reason: row.reason, suppressedAt: row.suppressed_at, source: row.source, detail: row.detail }));
}

/** The suppression of an address, if any. */
export async function findSuppression(pool: pg.Pool | pg.PoolClient, params: { workspaceId: string; address: string }): Promise<Suppression | undefined> {
  const { rows } = await pool.query<{ address: string; reason: SuppressionReason; suppressed_at: Date; source: string | null; detail: string | null }>(
    'select address, reason, suppressed_at, source, detail from email_suppressions where workspace_id = $1 and address = $2',
    [params.workspaceId, addressKey(params.address)],
  );
  const row = rows[0];
  return row ? { address: row.address, reason: row.reason, suppressedAt: row.suppressed_at, source: row.source, detail: row.detail } : undefined;
}

/** An address as suppressions store it: normalised as customer emails are (NFKC, lower case). */
export function addressKey(address: string): string {
  const normalized = normalizeEmail(address);
  return normalized.ok ? normalized.value : address.trim().toLowerCase();
}
