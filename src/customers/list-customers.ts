import { sql, type Expression, type SqlBool } from 'kysely';
import type { Kdb } from '../db/connect.ts';
import type { Gender, Lifecycle } from '../db/schema.ts';
import { KizunaError } from '../shared/errors.ts';

export interface CustomerListFilters {
  /** Prefix of a name or given name, kana (hiragana works too), email, phone or customer id. */
  q?: string;
  lifecycle?: Lifecycle;
  prefecture?: string;
  gender?: Gender;
}

export interface CustomerListItem {
  id: string;
  externalId: string;
  lifecycle: Lifecycle;
  name: string | null;
  nameKana: string | null;
  gender: Gender | null;
  prefecture: string | null;
  email: string | null;
  purchaseCount: number;
  purchaseTotal: string;
  lastPurchaseAt: Date | null;
  createdAt: Date;
}

export interface CustomerListPage {
  items: CustomerListItem[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** Matches, counted exactly up to COUNT_LIMIT (beyond it, `exact` is false). */
  total: { value: number; exact: boolean };
}

export const COUNT_LIMIT = 10_000;

/**
 * One page of a workspace's profiles, newest first, with keyset pagination (`id < cursor`)
 * so page 1,000 costs what page 1 costs. Search is by prefix, which indexes answer at
 * 1,000,000 profiles: family or given name, kana, email, phone, customer id.
 */
export async function listCustomers(db: Kdb, workspaceId: string, filters: CustomerListFilters, page: { limit: number; cursor?: string }): Promise<CustomerListPage> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  let query = db.selectFrom('customers as c').where('c.workspace_id', '=', workspaceId);
  if (filters.lifecycle) query = query.where('c.lifecycle', '=', filters.lifecycle);
  if (filters.prefecture) query = query.where('c.prefecture', '=', filters.prefecture);
  if (filters.gender) query = query.where('c.gender', '=', filters.gender);
  const search = filters.q ? searchCondition(workspaceId, filters.q) : undefined;
  if (search) query = query.where(search);

  const rows = await query
    .select([
      'c.id', 'c.external_id', 'c.lifecycle', 'c.name', 'c.name_kana', 'c.gender', 'c.prefecture',
      'c.purchase_count', 'c.purchase_total', 'c.last_purchase_at', 'c.created_at',
      (eb) => eb.selectFrom('customer_identities as i').select('i.value')
        .whereRef('i.customer_id', '=', 'c.id').where('i.kind', '=', 'email').orderBy('i.created_at').limit(1).as('email'),
    ])
    .$if(after !== undefined, (q) => q.where('c.id', '<', after!))
    .orderBy('c.id', 'desc')
    .limit(page.limit + 1)
    .execute();
  const counted = await query.select(sql`1`.as('one')).limit(COUNT_LIMIT + 1).execute();

  const items = rows.slice(0, page.limit).map((row) => ({
    id: row.id, externalId: row.external_id, lifecycle: row.lifecycle, name: row.name, nameKana: row.name_kana,
    gender: row.gender, prefecture: row.prefecture, email: row.email, purchaseCount: row.purchase_count,
    purchaseTotal: row.purchase_total, lastPurchaseAt: row.last_purchase_at, createdAt: row.created_at,
  }));
  return {
    items,
    nextCursor: rows.length > page.limit ? encodeCursor(items.at(-1)!.id) : null,
    total: { value: Math.min(counted.length, COUNT_LIMIT), exact: counted.length <= COUNT_LIMIT },
  };
}

function searchCondition(workspaceId: string, raw: string): Expression<SqlBool> | undefined {
  const text = raw.normalize('NFKC').trim();
  if (text === '') return undefined;
  const prefix = `${escapeLike(text)}%`;
  const kanaPrefix = `${escapeLike(hiraganaToKatakana(text))}%`;
  const identityPrefixes = [prefix, `${escapeLike(text.toLowerCase())}%`];
  const digits = text.replace(/[-\s()]/g, '');
  if (/^\+?\d+$/.test(digits)) identityPrefixes.push(`${escapeLike(digits.startsWith('+81') ? `0${digits.slice(3)}` : digits)}%`);
  return sql<SqlBool>`(
    c.name like ${prefix} or split_part(c.name, ' ', 2) like ${prefix}
    or c.name_kana like ${kanaPrefix} or split_part(c.name_kana, ' ', 2) like ${kanaPrefix}
    or c.external_id like ${prefix}
    or c.id in (select i.customer_id from customer_identities i
                 where i.workspace_id = ${workspaceId} and (${sql.join(identityPrefixes.map((p) => sql`i.value like ${p}`), sql` or `)})))`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** ひらがな → カタカナ, so "やまだ" finds ヤマダ. */
export function hiraganaToKatakana(text: string): string {
  return text.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

function encodeCursor(id: string): string {
  return Buffer.from(`c:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString();
  const match = /^c:(\d+)$/.exec(decoded);
  if (!match) throw new KizunaError('bad_request', 'The cursor is not valid; start again from the first page.');
  return match[1]!;
}
