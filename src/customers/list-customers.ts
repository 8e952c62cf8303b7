import { sql, type RawBuilder } from 'kysely';
import type { Kdb } from '../db/connect.ts';
import type { Gender, Lifecycle } from '../db/schema.ts';
import type { RfmSegmentCode } from '../analytics/rfm-segments.ts';
import { KizunaError } from '../shared/errors.ts';
import { afterSql, decodeCursor, encodeCursor, orderBySql, sortSql, type CustomerOrder, type ListPart, type ListPosition } from './customer-list-order.ts';

export interface CustomerListFilters {
  /** Prefix of a name or given name, kana (hiragana works too), email, phone or customer id. */
  q?: string;
  lifecycle?: Lifecycle;
  prefecture?: string;
  gender?: Gender;
  /** Purchases made, inclusive bounds. */
  purchaseCountMin?: number;
  purchaseCountMax?: number;
  /** The RFM segment as of today; resolved by `segmentMembers`. */
  rfmSegment?: RfmSegmentCode;
  /** With a subscription in this status now, with any subscription, or with none ever. */
  subscription?: SubscriptionFilter;
  /** Standing in this stage (key) of the active journey map now. */
  journeyStage?: string;
  /** Standing at this affinity level (key) of the active journey map now; with journeyStage, in that one cell. */
  journeyLevel?: string;
}

export const SUBSCRIPTION_FILTERS = ['active', 'paused', 'cancelled', 'any', 'none'] as const;
export type SubscriptionFilter = (typeof SUBSCRIPTION_FILTERS)[number];

/** The filter as a test of one profile: an index probe of its subscriptions (subscriptions_customer_idx). */
function subscriptionCondition(filter: SubscriptionFilter): RawBuilder<unknown> {
  const of = sql`select 1 from subscriptions s where s.customer_id = c.id`;
  switch (filter) {
    case 'any':
      return sql`exists (${of})`;
    case 'none':
      return sql`not exists (${of})`;
    default:
      return sql`exists (${of} and s.status = ${filter})`;
  }
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
  /** Predicted value from the workspace's last customer value run; null when the run did not score them (or none ran). */
  clv: number | null;
  createdAt: Date;
}

export interface CustomerListPage {
  items: CustomerListItem[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** Matches, counted exactly up to COUNT_LIMIT (beyond it, `exact` is false). */
  total: { value: number; exact: boolean };
}

/** The ids of a segment's customers: the RFM scoring lives in analytics (in memory when it can). */
export type SegmentMembers = (segment: RfmSegmentCode) => Promise<readonly string[]>;

/**
 * Matches are counted exactly up to here, then shown as "1,000+": counting further costs a
 * scan of every match (at 1,000,000 profiles, ~100 ms for a common filter), and a list is
 * for finding people; how many customers a segment holds is the analytics' question.
 */
export const COUNT_LIMIT = 1_000;

/**
 * From this many matches on (the count reached its cap), walking the sort's index and testing
 * each profile fills a page sooner than collecting every match and sorting them; below it, at
 * least one profile in a thousand matches, so the walk stays short either way.
 */
const DENSE_MATCHES = COUNT_LIMIT;

export const DEFAULT_ORDER: CustomerOrder = { sort: 'lastPurchase', direction: 'desc' };

/**
 * One page of a workspace's profiles in the given order (default: last purchase, most recent
 * first, so customers come before leads), with keyset pagination on (key, id) so page 1,000
 * costs what page 1 costs. Search is by prefix, which indexes answer at 1,000,000 profiles:
 * family or given name, kana, email, phone, customer id.
 */
export async function listCustomers(
  db: Kdb,
  workspaceId: string,
  filters: CustomerListFilters,
  page: {
    limit: number;
    cursor?: string;
    order?: CustomerOrder;
    segmentMembers?: SegmentMembers;
  },
): Promise<CustomerListPage> {
  const order = page.order ?? DEFAULT_ORDER;
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, order);
  const { purchaseCountMin: min, purchaseCountMax: max } = filters;
  if (min !== undefined && max !== undefined && min > max) {
    throw new KizunaError('validation_failed', `purchaseCountMin (${min}) is above purchaseCountMax (${max}).`);
  }
  const conditions = [sql`c.workspace_id = ${workspaceId}`];
  if (filters.lifecycle) conditions.push(sql`c.lifecycle = ${filters.lifecycle}`);
  if (filters.prefecture) conditions.push(sql`c.prefecture = ${filters.prefecture}`);
  if (filters.gender) conditions.push(sql`c.gender = ${filters.gender}`);
  if (min !== undefined) conditions.push(sql`c.purchase_count >= ${min}`);
  if (max !== undefined) conditions.push(sql`c.purchase_count <= ${max}`);
  if (filters.subscription) conditions.push(subscriptionCondition(filters.subscription));
  if (filters.journeyStage !== undefined || filters.journeyLevel !== undefined) {
    // An index probe of the profile's placement (its primary key), like the subscription filter.
    const stage = filters.journeyStage === undefined ? sql`` : sql` and p.stage = ${filters.journeyStage}`;
    const level = filters.journeyLevel === undefined ? sql`` : sql` and p.level = ${filters.journeyLevel}`;
    conditions.push(sql`exists (select 1 from journey_placements p where p.workspace_id = c.workspace_id and p.customer_id = c.id${stage}${level})`);
  }
  if (filters.rfmSegment) {
    if (!page.segmentMembers) throw new Error('listCustomers: an RFM segment filter needs segmentMembers');
    const ids = await page.segmentMembers(filters.rfmSegment);
    conditions.push(sql`c.id = any(${ids}::bigint[])`);
  }
  const filtered = sql.join(conditions, sql` and `);
  const keys = filters.q ? searchKeys(filters.q) : undefined;

  const sorting = sortSql(order.sort, workspaceId);
  // A lead has no purchase (the first one makes them a customer, for good) and the customer
  // value run scores buyers only: with leads alone asked for, the keyed part is empty, and
  // walking the sort's index to learn it would read every buyer's entry.
  const onlyWithoutPurchase = filters.lifecycle === 'lead' || max === 0;
  const parts: ListPart[] = sorting.unkeyed === null ? ['keyed'] : onlyWithoutPurchase ? ['unkeyed'] : ['keyed', 'unkeyed'];
  const partCondition = (part: ListPart) => (part === 'keyed' ? sorting.keyed : sorting.unkeyed!);
  const partJoin = (part: ListPart) => (part === 'keyed' ? sorting.join : sql``);

  // Each part is read by one of two plans. Sparse (few matches): collect the matching ids
  // once (a materialised CTE; a correlated `id in (...)` could be re-run per profile if the
  // statistics are stale) and sort them. Dense (the count reached its cap, so at least one
  // profile in a thousand matches): walk the sort's index and test each profile, which fills
  // a page after a few thousand entries. The keyed part is counted on its own: matches can be
  // common among leads yet rare among buyers, and a walk of the buyers' index would then read
  // all of it (with a join per entry for CLV) to find nothing.
  let where: RawBuilder<unknown> = filtered;
  const sparse = new Map<ListPart, RawBuilder<unknown>>();
  let matches: number;
  if (keys) {
    matches = await countRows(db, matchingIds(filtered, keys, true));
    if (matches > DENSE_MATCHES) where = sql`${filtered} and ${matchesByScan(keys)}`;
    else for (const part of parts) sparse.set(part, matchingIds(filtered, keys, false));
  } else {
    matches = await countRows(db, sql`select c.id from customers c where ${filtered} limit ${COUNT_LIMIT + 1}`);
    if (matches <= DENSE_MATCHES) for (const part of parts) sparse.set(part, sql`select c.id from customers c where ${filtered}`);
  }
  if (matches > DENSE_MATCHES && parts.includes('keyed') && sorting.unkeyed !== null && after?.part !== 'unkeyed') {
    if (keys) {
      // A search counts its keyed matches with the same capped index lookups (never a test of
      // every profile, whose identity check per profile would cost seconds at 1,000,000), and
      // when they are few collects them by those lookups too.
      const keyedMatches = await countRows(db, matchingIds(sql`${filtered} and ${sorting.keyedExists}`, keys, true));
      if (keyedMatches <= DENSE_MATCHES) sparse.set('keyed', matchingIds(filtered, keys, false));
    } else {
      const keyed = sql`select c.id from customers c where ${where} and ${sorting.keyedExists}`;
      if ((await countRows(db, sql`${keyed} limit ${COUNT_LIMIT + 1}`)) <= DENSE_MATCHES) sparse.set('keyed', keyed);
    }
  }
  const total = { value: Math.min(matches, COUNT_LIMIT), exact: matches <= COUNT_LIMIT };

  const readPart = (part: ListPart, limit: number, from: ListPosition | undefined) => {
    const keyed = part === 'keyed';
    // Collected ids already match the search: only the plain filters are tested again.
    const ids = sparse.get(part);
    return sql<ListedRow>`${ids ? sql`with matches as materialized (${ids}) ` : sql``}
     select c.id, c.external_id, c.lifecycle, c.name, c.name_kana, c.gender, c.prefecture, c.purchase_count, c.purchase_total,
            c.last_purchase_at, c.created_at,
            (select i.value from customer_identities i where i.customer_id = c.id and i.kind = 'email' order by i.created_at limit 1) as email,
            (select cv.clv from customer_values cv where cv.workspace_id = c.workspace_id and cv.customer_id = c.id) as clv,
            ${keyed && sorting.key !== null ? sql`${sorting.key}::text` : sql`null`} as sort_key
       from customers c ${ids ? sql`join matches m on m.id = c.id` : sql``} ${partJoin(part)}
      where ${ids ? filtered : where} and ${partCondition(part)} ${from === undefined ? sql`` : sql`and ${afterSql(sorting, part, order.direction, from)}`}
      order by ${orderBySql(sorting, part, order.direction)}
      limit ${limit}`.execute(db);
  };

  // limit + 1 rows tell whether a next page exists; the unkeyed part follows the keyed one.
  const rows: (ListedRow & { part: ListPart })[] = [];
  for (const part of parts) {
    if (rows.length > page.limit || (after?.part === 'unkeyed' && part === 'keyed')) continue;
    const { rows: read } = await readPart(part, page.limit + 1 - rows.length, after?.part === part ? after : undefined);
    rows.push(...read.map((row) => ({ ...row, part })));
  }

  const shown = rows.slice(0, page.limit);
  const items = shown.map((row) => ({
    id: row.id,
    externalId: row.external_id,
    lifecycle: row.lifecycle,
    name: row.name,
    nameKana: row.name_kana,
    gender: row.gender,
    prefecture: row.prefecture,
    email: row.email,
    purchaseCount: row.purchase_count,
    purchaseTotal: row.purchase_total,
    lastPurchaseAt: row.last_purchase_at,
    clv: row.clv,
    createdAt: row.created_at,
  }));
  const last = shown.at(-1);
  return {
    items,
    nextCursor: rows.length > page.limit && last ? encodeCursor(order, { part: last.part, key: last.sort_key, id: last.id }) : null,
    total,
  };
}

interface ListedRow {
  id: string;
  external_id: string;
  lifecycle: Lifecycle;
  name: string | null;
  name_kana: string | null;
  gender: Gender | null;
  prefecture: string | null;
  email: string | null;
  purchase_count: number;
  purchase_total: string;
  last_purchase_at: Date | null;
  created_at: Date;
  clv: number | null;
  sort_key: string | null;
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

/**
 * The same test written per profile, for a walk of the sort's index that stops at a full page.
 * `offset 0` keeps the identity check per profile (an index lookup by customer): without it
 * PostgreSQL may turn the EXISTS into a hashed subplan that first reads every identity of the
 * workspace matching the prefix (1.4 s for a common given name at 1,000,000 profiles).
 */
function matchesByScan(keys: SearchKeys): RawBuilder<unknown> {
  const { prefix, kanaPrefix, identityPrefixes } = keys;
  return sql`(c.name like ${prefix} or split_part(c.name, ' ', 2) like ${prefix}
    or c.name_kana like ${kanaPrefix} or split_part(c.name_kana, ' ', 2) like ${kanaPrefix} or c.external_id like ${prefix}
    or exists (select 1 from customer_identities i where i.customer_id = c.id and (${identityCondition(identityPrefixes)}) offset 0))`;
}

function identityCondition(prefixes: string[]): RawBuilder<unknown> {
  return sql.join(
    prefixes.map((p) => sql`i.value like ${p}`),
    sql` or `,
  );
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** ひらがな → カタカナ, so "やまだ" finds ヤマダ. */
export function hiraganaToKatakana(text: string): string {
  return text.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}
