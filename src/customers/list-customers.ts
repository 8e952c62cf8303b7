import { sql, type RawBuilder } from 'kysely';
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

/**
 * Matches are counted exactly up to here, then shown as "1,000+": counting further costs a
 * scan of every match (at 1,000,000 profiles, ~100 ms for a common filter), and a list is
 * for finding people; how many customers a segment holds is the analytics' question.
 */
export const COUNT_LIMIT = 1_000;

/**
 * From this many matches on (the count reached its cap), walking the profiles newest first
 * and testing each fills a page sooner than collecting every match through the indexes and
 * sorting them.
 */
const DENSE_MATCHES = COUNT_LIMIT;

/**
 * One page of a workspace's profiles, newest first, with keyset pagination (`id < cursor`)
 * so page 1,000 costs what page 1 costs. Search is by prefix, which indexes answer at
 * 1,000,000 profiles: family or given name, kana, email, phone, customer id.
 */
export async function listCustomers(db: Kdb, workspaceId: string, filters: CustomerListFilters, page: { limit: number; cursor?: string }): Promise<CustomerListPage> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  const conditions = [sql`c.workspace_id = ${workspaceId}`];
  if (filters.lifecycle) conditions.push(sql`c.lifecycle = ${filters.lifecycle}`);
  if (filters.prefecture) conditions.push(sql`c.prefecture = ${filters.prefecture}`);
  if (filters.gender) conditions.push(sql`c.gender = ${filters.gender}`);
  const filtered = sql.join(conditions, sql` and `);
  const keys = filters.q ? searchKeys(filters.q) : undefined;

  let matches: number;
  let where: RawBuilder<unknown> = filtered;
  // The sparse plan collects the matching ids once (a materialised CTE) and joins them: a
  // correlated `id in (...)` could be re-run per profile if the statistics are stale.
  let sparse: RawBuilder<unknown> | undefined;
  if (keys) {
    matches = await countRows(db, matchingIds(filtered, keys, true));
    if (matches > DENSE_MATCHES) where = sql`${filtered} and ${matchesByScan(keys)}`;
    else sparse = matchingIds(filtered, keys, false);
  } else {
    matches = await countRows(db, sql`select 1 from customers c where ${filtered} limit ${COUNT_LIMIT + 1}`);
  }

  const { rows } = await sql<{
    id: string; external_id: string; lifecycle: Lifecycle; name: string | null; name_kana: string | null; gender: Gender | null;
    prefecture: string | null; email: string | null; purchase_count: number; purchase_total: string; last_purchase_at: Date | null; created_at: Date;
  }>`${sparse ? sql`with matches as materialized (${sparse}) ` : sql``}
     select c.id, c.external_id, c.lifecycle, c.name, c.name_kana, c.gender, c.prefecture, c.purchase_count, c.purchase_total,
            c.last_purchase_at, c.created_at,
            (select i.value from customer_identities i where i.customer_id = c.id and i.kind = 'email' order by i.created_at limit 1) as email
       from customers c ${sparse ? sql`join matches m on m.id = c.id` : sql``}
      where ${where} ${after === undefined ? sql`` : sql`and c.id < ${after}`}
      order by c.id desc
      limit ${page.limit + 1}`.execute(db);

  const items = rows.slice(0, page.limit).map((row) => ({
    id: row.id, externalId: row.external_id, lifecycle: row.lifecycle, name: row.name, nameKana: row.name_kana,
    gender: row.gender, prefecture: row.prefecture, email: row.email, purchaseCount: row.purchase_count,
    purchaseTotal: row.purchase_total, lastPurchaseAt: row.last_purchase_at, createdAt: row.created_at,
  }));
  return {
    items,
    nextCursor: rows.length > page.limit ? encodeCursor(items.at(-1)!.id) : null,
    total: { value: Math.min(matches, COUNT_LIMIT), exact: matches <= COUNT_LIMIT },
  };
}

async function countRows(db: Kdb, rows: RawBuilder<unknown>): Promise<number> {
  const result = await sql<{ n: number }>`select count(*)::int as n from (${rows}) t`.execute(db);
  return result.rows[0]!.n;
}

interface SearchKeys {
  prefix: string;
  kanaPrefix: string;
  identityPrefixes: string[];
}

function searchKeys(raw: string): SearchKeys | undefined {
  const text = raw.normalize('NFKC').trim();
  if (text === '') return undefined;
  const prefix = `${escapeLike(text)}%`;
  const identityPrefixes = [prefix, `${escapeLike(text.toLowerCase())}%`];
  const digits = text.replace(/[-\s()]/g, '');
  if (/^\+?\d+$/.test(digits)) identityPrefixes.push(`${escapeLike(digits.startsWith('+81') ? `0${digits.slice(3)}` : digits)}%`);
  return { prefix, kanaPrefix: `${escapeLike(hiraganaToKatakana(text))}%`, identityPrefixes: [...new Set(identityPrefixes)] };
}

/**
 * Ids of the filtered profiles matching the search: a union of prefix index lookups, one per
 * key (family or given name, kana, customer id, email / phone / LINE id), so a rare match
 * costs little. `capped` stops each lookup after COUNT_LIMIT + 1 rows, which bounds a count
 * however common the prefix (when one lookup reaches the cap, so does the union) and keeps
 * it exact below the cap.
 */
function matchingIds(filtered: RawBuilder<unknown>, keys: SearchKeys, capped: boolean): RawBuilder<unknown> {
  const { prefix, kanaPrefix, identityPrefixes } = keys;
  const cap = capped ? sql`limit ${COUNT_LIMIT + 1}` : sql``;
  const lookups = [
    sql`c.name like ${prefix}`,
    sql`split_part(c.name, ' ', 2) like ${prefix}`,
    sql`c.name_kana like ${kanaPrefix}`,
    sql`split_part(c.name_kana, ' ', 2) like ${kanaPrefix}`,
    sql`c.external_id like ${prefix}`,
  ].map((match) => sql`(select c.id from customers c where ${filtered} and ${match} ${cap})`);
  lookups.push(sql`(select c.id from customer_identities i join customers c on c.id = i.customer_id
                     where i.workspace_id = c.workspace_id and ${filtered} and (${identityCondition(identityPrefixes)}) ${cap})`);
  return sql.join(lookups, sql` union `);
}

/** The same test written per profile, for a newest-first walk that stops at a full page. */
function matchesByScan(keys: SearchKeys): RawBuilder<unknown> {
  const { prefix, kanaPrefix, identityPrefixes } = keys;
  return sql`(c.name like ${prefix} or split_part(c.name, ' ', 2) like ${prefix}
    or c.name_kana like ${kanaPrefix} or split_part(c.name_kana, ' ', 2) like ${kanaPrefix} or c.external_id like ${prefix}
    or exists (select 1 from customer_identities i where i.customer_id = c.id and (${identityCondition(identityPrefixes)})))`;
}

function identityCondition(prefixes: string[]): RawBuilder<unknown> {
  return sql.join(prefixes.map((p) => sql`i.value like ${p}`), sql` or `);
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
