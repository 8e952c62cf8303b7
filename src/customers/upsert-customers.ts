import type pg from 'pg';
import { inKeyOrder } from '../db/lock-order.ts';
import type { CustomerRecord } from './customer-record.ts';

export interface IdentityConflict {
  /** Position of the record in the list passed in. */
  position: number;
  field: 'email' | 'phone' | 'line_user_id';
  reason: string;
}

const IDENTITY_FIELDS = ['email', 'phone', 'line_user_id'] as const;

/**
 * Identities (email, phone, LINE user id) that already belong to another profile of the
 * workspace, or that two records of the batch claim. Such a record would merge two people,
 * so it is reported instead of written.
 */
export async function findIdentityConflicts(client: pg.ClientBase, workspaceId: string, records: readonly CustomerRecord[]): Promise<IdentityConflict[]> {
  const kinds: string[] = [];
  const values: string[] = [];
  const claimedBy = new Map<string, { externalId: string; position: number }>();
  const conflicts: IdentityConflict[] = [];
  records.forEach((record, position) => {
    for (const field of IDENTITY_FIELDS) {
      const value = record[field];
      if (!value) continue;
      const key = `${field}\u0000${value}`;
      const earlier = claimedBy.get(key);
      if (earlier && earlier.externalId !== record.customer_id) {
        conflicts.push({ position, field, reason: `${field} "${value}" is also given to customer ${earlier.externalId} in this batch` });
        continue;
      }
      claimedBy.set(key, { externalId: record.customer_id, position });
      kinds.push(field);
      values.push(value);
    }
  });
  if (kinds.length === 0) return conflicts;
  const owners = await client.query<{ kind: string; value: string; external_id: string }>(
    `select i.kind, i.value, c.external_id
       from unnest($2::text[], $3::text[]) as wanted(kind, value)
       join customer_identities i on i.workspace_id = $1 and i.kind = wanted.kind and i.value = wanted.value
       join customers c on c.id = i.customer_id`,
    [workspaceId, kinds, values],
  );
  for (const owner of owners.rows) {
    const claim = claimedBy.get(`${owner.kind}\u0000${owner.value}`);
    if (claim && claim.externalId !== owner.external_id) {
      conflicts.push({
        position: claim.position,
        field: owner.kind as IdentityConflict['field'],
        reason: `${owner.kind} "${owner.value}" already belongs to customer ${owner.external_id}`,
      });
    }
  }
  return conflicts;
}

/**
 * Inserts or updates profiles by external id. Fields absent from a record keep their stored
 * value; attributes merge; a customer never goes back to being a lead. Rows whose values do
 * not change are not touched, so sending the same batch twice changes nothing.
 * Callers check identity conflicts first (findIdentityConflicts).
 */
export async function upsertCustomers(client: pg.ClientBase, workspaceId: string, batch: readonly CustomerRecord[]): Promise<Map<string, string>> {
  if (batch.length === 0) return new Map();
  // Rows are locked in key order, so concurrent batches sharing customers never deadlock (db/lock-order.ts).
  const records = inKeyOrder(batch, (r) => r.customer_id);
  const column = <T>(pick: (r: CustomerRecord) => T) => records.map(pick);
  await client.query(
    `insert into customers as c (workspace_id, external_id, lifecycle, name, name_kana, gender, birth_date, prefecture, attributes)
     select $1, r.external_id, coalesce(r.lifecycle, 'lead'), r.name, r.name_kana, r.gender, r.birth_date, r.prefecture, coalesce(r.attributes, '{}')
       from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::text[], $9::jsonb[])
         as r(external_id, lifecycle, name, name_kana, gender, birth_date, prefecture, attributes)
     on conflict (workspace_id, external_id) do update set
       lifecycle  = case when excluded.lifecycle = 'customer' then 'customer' else c.lifecycle end,
       name       = coalesce(excluded.name, c.name),
       name_kana  = coalesce(excluded.name_kana, c.name_kana),
       gender     = coalesce(excluded.gender, c.gender),
       birth_date = coalesce(excluded.birth_date, c.birth_date),
       prefecture = coalesce(excluded.prefecture, c.prefecture),
       attributes = c.attributes || excluded.attributes,
       updated_at = now()
     where (c.name, c.name_kana, c.gender, c.birth_date, c.prefecture, c.attributes, c.lifecycle) is distinct from
           (coalesce(excluded.name, c.name), coalesce(excluded.name_kana, c.name_kana), coalesce(excluded.gender, c.gender),
            coalesce(excluded.birth_date, c.birth_date), coalesce(excluded.prefecture, c.prefecture), c.attributes || excluded.attributes,
            case when excluded.lifecycle = 'customer' then 'customer' else c.lifecycle end)`,
    [
      workspaceId,
      column((r) => r.customer_id),
      column((r) => r.lifecycle ?? null),
      column((r) => r.name),
      column((r) => r.name_kana),
      column((r) => r.gender ?? null),
      column((r) => r.birth_date ?? null),
      column((r) => r.prefecture ?? null),
      column((r) => (r.attributes ? JSON.stringify(r.attributes) : null)),
    ],
  );
  const ids = new Map<string, string>();
  const found = await client.query<{ id: string; external_id: string }>(
    'select id, external_id from customers where workspace_id = $1 and external_id = any($2::text[])',
    [workspaceId, records.map((r) => r.customer_id)],
  );
  for (const row of found.rows) ids.set(row.external_id, row.id);
  await writeIdentities(client, workspaceId, records, ids);
  await writeConsents(client, workspaceId, records, ids);
  return ids;
}

async function writeIdentities(client: pg.ClientBase, workspaceId: string, records: readonly CustomerRecord[], ids: Map<string, string>): Promise<void> {
  const customerIds: string[] = [];
  const kinds: string[] = [];
  const values: string[] = [];
  for (const record of records) {
    for (const field of IDENTITY_FIELDS) {
      const value = record[field];
      if (!value) continue;
      customerIds.push(ids.get(record.customer_id)!);
      kinds.push(field);
      values.push(value);
    }
  }
  if (kinds.length === 0) return;
  await client.query(
    `insert into customer_identities (workspace_id, customer_id, kind, value)
     select $1, customer_id, kind, value from unnest($2::bigint[], $3::text[], $4::text[]) as i(customer_id, kind, value)
      order by kind, value collate "C"
     on conflict (workspace_id, kind, value) do nothing`,
    [workspaceId, customerIds, kinds, values],
  );
}

/**
 * Consent changes are history (kept once each); the current state per channel and purpose is
 * the latest change, so an older change arriving late does not overwrite a newer one.
 */
async function writeConsents(client: pg.ClientBase, workspaceId: string, records: readonly CustomerRecord[], ids: Map<string, string>): Promise<void> {
  const rows = records.flatMap((record) => (record.consents ?? []).map((consent) => ({ customerId: ids.get(record.customer_id)!, ...consent })));
  if (rows.length === 0) return;
  const params = [
    workspaceId,
    rows.map((r) => r.customerId),
    rows.map((r) => r.channel),
    rows.map((r) => r.purpose),
    rows.map((r) => r.status),
    rows.map((r) => r.at.toISOString()),
    rows.map((r) => r.source),
  ];
  const input = `unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
                 as r(customer_id, channel, purpose, status, changed_at, source)`;
  await client.query(
    `insert into consent_changes (workspace_id, customer_id, channel, purpose, status, changed_at, source)
     select $1, r.* from ${input}
     on conflict do nothing`,
    params,
  );
  await client.query(
    `insert into consents as c (workspace_id, customer_id, channel, purpose, status, changed_at, source)
     select distinct on (r.customer_id, r.channel, r.purpose) $1::bigint, r.* from ${input}
      order by r.customer_id, r.channel, r.purpose, r.changed_at desc
     on conflict (customer_id, channel, purpose) do update set
       status = excluded.status, changed_at = excluded.changed_at, source = excluded.source
     where excluded.changed_at > c.changed_at`,
    params,
  );
}
