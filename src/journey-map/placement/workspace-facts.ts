import type pg from 'pg';
import { copyRows, readInteger } from '../../analytics/engine/snapshot/copy-text.ts';
import { NO_DAY } from '../../analytics/engine/snapshot/purchase-snapshot.ts';
import type { CompiledMap } from '../rules/compile.ts';
import type { SubscriptionState } from '../model.ts';
import type { CustomerFacts, EventNeed, ProductFacts } from '../rules/facts.ts';
import { propertyTestSql } from '../rules/sql.ts';
import { baseParams, baseSelect, type FactsRequest, type FactsScope, PURCHASE, pAliveSql, purchasesAsOfSql, subscriptionsSql } from './facts-loader.ts';
import { inlineOperands, localDaySql } from './facts-sql.ts';
import { localDayStartInstant, todayOf } from './local-days.ts';
import type { RfmSegmentLookup } from './rfm-lookup.ts';

/**
 * The facts of every profile of a workspace, for a full placement (and its preview), in
 * columns indexed by the profile's position in customer id order: one COPY of the profiles,
 * then one pass per kind of fact, each read with COPY into typed arrays (no row objects, no
 * map per need):
 * - products: ONE scan of the items of every selected product joined with their orders once,
 *   each order flagged per product need (an order counts once per need, however many of its
 *   items match), aggregated per customer with a filter per need;
 * - events: ONE scan per event type (events_type_time_idx) over the widest window of the
 *   needs of that type, counted per need with `count(*) filter (its window and tests)`;
 * - subscriptions, P(alive), purchases as of a past instant: the live path's statements
 *   (facts-loader.ts) for the whole workspace.
 * At most two statements run at once (the database's cores), each with JIT off (its compile
 * time exceeds the gain on these scans) and room to hash in memory. The semantics are the
 * facts loader's (the live path): the property-based test in live.test.ts compares them.
 */

const EVERYONE: FactsScope = { after: null, upTo: null };
/** Statements run at once over a pool. */
const CONCURRENCY = 2;

export const SUBSCRIPTION_STATES = ['none', 'active', 'paused', 'cancelled'] as const;

export interface WorkspaceFacts {
  /** Profiles, in customer id order. */
  count: number;
  ids: Float64Array;
  /** 1: customer (as of `at`), 0: lead. */
  customer: Uint8Array;
  purchaseCount: Float64Array;
  totalSpend: Float64Array;
  /** NO_DAY: none. */
  firstPurchaseDay: Int32Array;
  lastPurchaseDay: Int32Array;
  /** Per attribute name (needs.attributes), per profile: the parsed JSON value, undefined when absent or null. */
  attributes: unknown[][];
  /** Per product need. */
  products: Array<{ purchases: Int32Array; firstDeliveredDay: Int32Array; lastDeliveredDay: Int32Array }>;
  /** Index in SUBSCRIPTION_STATES. */
  subscriptionState: Uint8Array;
  subscriptionDeliveries: Int32Array;
  subscriptionStartedDay: Int32Array;
  /** Per event need. */
  events: Int32Array[];
  /** NaN: none. */
  pAlive: Float64Array;
}

/** A statement's rows, field by field: `bytes` holds the whole row; fields [starts[i], ends[i]). */
type RowReader = (bytes: Buffer, starts: Int32Array, ends: Int32Array) => void;

/** Runs statements with COPY, at most CONCURRENCY at once on a pool (one at a time on a client). */
export class CopyRunner {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly db: pg.Pool | pg.ClientBase) {}

  private get pooled(): boolean {
    return 'idleCount' in this.db;
  }

  async copy(sql: string, values: readonly unknown[], fields: number, read: RowReader, settings: readonly string[] = []): Promise<void> {
    const limit = this.pooled ? CONCURRENCY : 1;
    if (this.running >= limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      await this.run(`copy (${inlineOperands(sql, values)}) to stdout`, fields, read, settings);
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private async run(copySql: string, fields: number, read: RowReader, settings: readonly string[]): Promise<void> {
    const starts = new Int32Array(fields);
    const ends = new Int32Array(fields);
    let rowBytes: Buffer | null = null;
    const consumer = {
      field(bytes: Buffer, from: number, to: number, field: number) {
        rowBytes = bytes;
        starts[field] = from;
        ends[field] = to;
      },
      endRow() {
        read(rowBytes!, starts, ends);
      },
    };
    if (!this.pooled) {
      await copyRows(this.db as pg.PoolClient, copySql, consumer);
      return;
    }
    const client = await (this.db as pg.Pool).connect();
    try {
      await client.query(["begin; set local jit = off; set local work_mem = '256MB'", ...settings.map((setting) => `set local ${setting}`)].join('; '));
      await copyRows(client, copySql, consumer);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** The RFM segment of a customer by id: the facts' lookup, with a numeric variant when it has one. */
type RfmSegment = ((customerId: string) => string | null) | RfmSegmentLookup;

/** A field of COPY text as a string (escapes undone). */
export function copyText(bytes: Buffer, from: number, to: number): string {
  const raw = bytes.toString('utf8', from, to);
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\(.)/g, (_, c: string) => {
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      default:
        return c;
    }
  });
}

const isNull = (bytes: Buffer, from: number, to: number) => to - from === 2 && bytes[from] === 92 && bytes[from + 1] === 78;
export const readFloat = (bytes: Buffer, from: number, to: number) => (isNull(bytes, from, to) ? Number.NaN : Number(bytes.toString('latin1', from, to)));

/** Growable column of doubles. */
class Doubles {
  values = new Float64Array(1 << 16);
  length = 0;
  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
}

/** How a field of a need's rows is read: a whole number (null: NO_DAY), a float (null: NaN), a subscription state. */
type FieldKind = 'int' | 'float' | 'state';

/** A need's statement, read into columns by customer id, then applied to the profiles (`apply(facts, profile index, columns, row)`). */
interface NeedLoad {
  sql: string;
  values: unknown[];
  kinds: FieldKind[];
  /** Planner settings for this statement only (`set local`). */
  settings?: string[];
  apply: (facts: WorkspaceFacts, i: number, columns: Float64Array[], r: number) => void;
}

/** Every profile's facts and the index of each customer id in them. */
export interface IndexedFacts {
  facts: WorkspaceFacts;
  indexOf: Map<number, number>;
}

/** The facts of every profile of the workspace as of request.at (past: the profiles that existed then). */
export async function loadWorkspaceFacts(request: FactsRequest): Promise<IndexedFacts> {
  const runner = new CopyRunner(request.db);
  // The profiles first in the queue, the needs behind them (the longest first); a need's rows
  // wait in columns until the profiles' index exists.
  const profiles = loadProfiles(request, runner);
  const loads = needLoads(request).map(async (load) => {
    const ids = new Doubles();
    const columns = load.kinds.map(() => new Doubles());
    const kinds = load.kinds;
    await runner.copy(
      load.sql,
      load.values,
      1 + kinds.length,
      (bytes, s, e) => {
        ids.push(readInteger(bytes, s[0]!, e[0]!));
        for (let k = 0; k < kinds.length; k++) {
          const from = s[1 + k]!;
          const to = e[1 + k]!;
          const kind = kinds[k];
          columns[k]!.push(
            kind === 'int'
              ? readInteger(bytes, from, to)
              : kind === 'float'
                ? readFloat(bytes, from, to)
                : SUBSCRIPTION_STATES.indexOf(bytes.toString('latin1', from, to) as SubscriptionState),
          );
        }
      },
      load.settings,
    );
    const { facts, indexOf } = await profiles;
    const values = columns.map((column) => column.values);
    for (let r = 0; r < ids.length; r++) {
      const i = indexOf.get(ids.values[r]!);
      if (i !== undefined) load.apply(facts, i, values, r);
    }
  });
  // Every load settles before the result (or the first failure) is returned: no COPY is left running.
  const settled = await Promise.allSettled([profiles, ...loads]);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  return profiles;
}

async function loadProfiles(request: FactsRequest, runner: CopyRunner): Promise<{ facts: WorkspaceFacts; indexOf: Map<number, number> }> {
  const { needs } = request;
  const base = baseSelect(request, EVERYONE);
  const names = needs.attributes;
  const ids = new Doubles();
  const customerColumn = new Doubles();
  const counts = new Doubles();
  const totals = new Doubles();
  const firsts = new Doubles();
  const lasts = new Doubles();
  const later: number[] = [];
  const attributeColumns: unknown[][] = names.map(() => []);
  await runner.copy(`select ${base.columns.join(', ')} ${base.fromSql} order by c.id`, base.values, base.columns.length, (bytes, s, e) => {
    const index = ids.length;
    ids.push(readInteger(bytes, s[0]!, e[0]!));
    // lifecycle 'customer' (starts with c) and, as of a past instant, a customer by then (t).
    customerColumn.push(bytes[s[1]!] === 99 && bytes[s[2]!] === 116 ? 1 : 0);
    if (bytes[s[3]!] === 116) later.push(index);
    counts.push(readInteger(bytes, s[4]!, e[4]!));
    totals.push(readFloat(bytes, s[5]!, e[5]!));
    firsts.push(readInteger(bytes, s[6]!, e[6]!));
    lasts.push(readInteger(bytes, s[7]!, e[7]!));
    for (let a = 0; a < names.length; a++) {
      const from = s[8 + a]!;
      const to = e[8 + a]!;
      const value = isNull(bytes, from, to) ? null : (JSON.parse(copyText(bytes, from, to)) as unknown);
      attributeColumns[a]![index] = value === null ? undefined : value;
    }
  });
  const count = ids.length;
  const facts: WorkspaceFacts = {
    count,
    ids: ids.values.slice(0, count),
    customer: Uint8Array.from(customerColumn.values.subarray(0, count)),
    purchaseCount: counts.values.slice(0, count),
    totalSpend: totals.values.slice(0, count),
    firstPurchaseDay: Int32Array.from(firsts.values.subarray(0, count)),
    lastPurchaseDay: Int32Array.from(lasts.values.subarray(0, count)),
    attributes: attributeColumns,
    products: needs.products.map(() => ({
      purchases: new Int32Array(count),
      firstDeliveredDay: new Int32Array(count).fill(NO_DAY),
      lastDeliveredDay: new Int32Array(count).fill(NO_DAY),
    })),
    subscriptionState: new Uint8Array(count),
    subscriptionDeliveries: new Int32Array(count),
    subscriptionStartedDay: new Int32Array(count).fill(NO_DAY),
    events: needs.events.map(() => new Int32Array(count)),
    pAlive: new Float64Array(count).fill(Number.NaN),
  };
  if (needs.purchases) {
    // Profiles with a purchase after `at`: their purchases up to `at` are summed again (none by then: no purchase).
    for (const index of later) {
      facts.purchaseCount[index] = 0;
      facts.totalSpend[index] = 0;
      facts.firstPurchaseDay[index] = NO_DAY;
      facts.lastPurchaseDay[index] = NO_DAY;
    }
  }
  const indexOf = new Map<number, number>();
  for (let i = 0; i < count; i++) indexOf.set(facts.ids[i]!, i);
  return { facts, indexOf };
}

/** The statements of the needs, the longest first (they run in this order, two at a time). */
function needLoads(request: FactsRequest): NeedLoad[] {
  const { needs } = request;
  const loads: NeedLoad[] = [];
  const products = needs.products.map((need, n) => ({ need, n })).filter(({ need }) => need.productIds.length > 0);
  if (products.length > 0) {
    const params = baseParams(request);
    const all = params.add([...new Set(products.flatMap(({ need }) => need.productIds))], '::bigint[]');
    const flags = products.map(({ need }, k) => `bool_or(i.product_id = any(${params.add(need.productIds, '::bigint[]')})) as m${k}`);
    const delivered = `o.delivered_at <= ${params.at}`;
    const columns = products.map(
      (_, k) =>
        `count(*) filter (where i.m${k})::int,
         ${localDaySql(`min(o.delivered_at) filter (where i.m${k} and ${delivered})`, params.tz)},
         ${localDaySql(`max(o.delivered_at) filter (where i.m${k} and ${delivered})`, params.tz)}`,
    );
    const sql = `select o.customer_id, ${columns.join(', ')}
       from (select i.order_id, ${flags.join(', ')} from order_items i where i.product_id = any(${all}) group by i.order_id) i
       join orders o on o.id = i.order_id
      where o.workspace_id = ${params.ws} and o.ordered_at <= ${params.at} and ${PURCHASE}
      group by o.customer_id`;
    loads.push({
      sql,
      values: params.values,
      kinds: products.flatMap(() => ['int', 'int', 'int'] as const),
      // The flagged orders (a few hundred thousand, sorted by id) merged with the orders in id
      // order: measured at 1,000,000 customers, a quarter faster than hashing them and probing
      // with all 5,200,000 orders, and far faster than an index lookup per order.
      settings: ['enable_hashjoin = off', 'enable_nestloop = off'],
      apply: (facts, i, c, r) => {
        for (let k = 0; k < products.length; k++) {
          const target = facts.products[products[k]!.n]!;
          target.purchases[i] = c[3 * k]![r]!;
          target.firstDeliveredDay[i] = c[3 * k + 1]![r]!;
          target.lastDeliveredDay[i] = c[3 * k + 2]![r]!;
        }
      },
    });
  }
  const byType = new Map<string, Array<{ need: EventNeed; n: number }>>();
  for (const [n, need] of needs.events.entries()) byType.set(need.type, [...(byType.get(need.type) ?? []), { need, n }]);
  const today = todayOf(request.at, request.timezone);
  const widest = (group: Array<{ need: EventNeed }>) => Math.max(...group.map(({ need }) => need.withinDays));
  for (const group of [...byType.values()].sort((a, b) => widest(b) - widest(a))) {
    const params = baseParams(request);
    const since = (withinDays: number) => localDayStartInstant(today - withinDays + 1, request.timezone).toISOString();
    const type = params.add(group[0]!.need.type, '::text');
    const from = params.add(since(widest(group)), '::timestamptz');
    const columns = group.map(({ need }) => {
      const tests = [
        `e.occurred_at >= ${params.add(since(need.withinDays), '::timestamptz')}`,
        ...need.where.map((test) => propertyTestSql('e.properties', test, params)),
      ];
      return `count(*) filter (where ${tests.join(' and ')})::int`;
    });
    const sql = `select e.customer_id, ${columns.join(', ')}
       from events e
      where e.workspace_id = ${params.ws} and e.type = ${type} and e.occurred_at >= ${from} and e.occurred_at <= ${params.at}
      group by e.customer_id`;
    loads.push({
      sql,
      values: params.values,
      kinds: group.map(() => 'int' as const),
      apply: (facts, i, c, r) => {
        for (let k = 0; k < group.length; k++) facts.events[group[k]!.n]![i] = c[k]![r]!;
      },
    });
  }
  if (needs.subscriptions) {
    const { sql, values } = subscriptionsSql(request, EVERYONE);
    loads.push({
      sql,
      values,
      kinds: ['state', 'int', 'int'],
      apply: (facts, i, c, r) => {
        facts.subscriptionState[i] = c[0]![r]!;
        facts.subscriptionDeliveries[i] = c[1]![r]!;
        facts.subscriptionStartedDay[i] = c[2]![r]!;
      },
    });
  }
  if (needs.purchases) {
    // Applied only to profiles with a purchase after `at` (the query selects only those).
    const { sql, values } = purchasesAsOfSql(request, EVERYONE);
    loads.push({
      sql,
      values,
      kinds: ['int', 'float', 'int', 'int'],
      apply: (facts, i, c, r) => {
        facts.purchaseCount[i] = c[0]![r]!;
        facts.totalSpend[i] = c[1]![r]!;
        facts.firstPurchaseDay[i] = c[2]![r]!;
        facts.lastPurchaseDay[i] = c[3]![r]!;
      },
    });
  }
  if (needs.pAlive) {
    const { sql, values } = pAliveSql(request, EVERYONE);
    loads.push({
      sql,
      values,
      kinds: ['float'],
      apply: (facts, i, c, r) => {
        facts.pAlive[i] = c[0]![r]!;
      },
    });
  }
  return loads;
}

/**
 * One CustomerFacts object whose fields are overwritten with profile `index`'s facts on each
 * `fill` (no allocation per profile): the predicates read it as they read the facts loader's.
 * A product selection never bought reads as purchases 0 and no delivery, an event count of
 * zero as 0, a missing attribute as undefined: the same as the loader's absent entries.
 */
export class FactsCursor {
  readonly facts: CustomerFacts;
  private readonly productFacts: ProductFacts[];
  private readonly eventKeys: string[];
  private readonly attributeNames: string[];
  private readonly rfmOfId: ((customerId: number) => string | null) | undefined;

  constructor(
    private readonly columns: WorkspaceFacts,
    compiled: CompiledMap,
    private readonly rfmSegment?: RfmSegment,
  ) {
    this.rfmOfId = rfmSegment && 'ofId' in rfmSegment ? rfmSegment.ofId : undefined;
    const { needs } = compiled;
    this.productFacts = needs.products.map(() => ({ purchases: 0, firstDeliveredDay: null, lastDeliveredDay: null }));
    const products: Record<string, ProductFacts> = {};
    needs.products.forEach((need, n) => {
      products[need.key] = this.productFacts[n]!;
    });
    this.eventKeys = needs.events.map((need) => need.key);
    this.attributeNames = needs.attributes;
    this.facts = {
      customerId: '',
      lifecycle: 'lead',
      purchaseCount: 0,
      totalSpend: 0,
      firstPurchaseDay: null,
      lastPurchaseDay: null,
      products,
      subscription: { state: 'none', deliveries: 0, startedDay: null },
      events: Object.fromEntries(this.eventKeys.map((key) => [key, 0])),
      rfmSegment: null,
      pAlive: null,
      attributes: Object.fromEntries(this.attributeNames.map((name) => [name, undefined])),
    };
  }

  fill(i: number): CustomerFacts {
    const c = this.columns;
    const f = this.facts;
    f.customerId = String(c.ids[i]!);
    f.lifecycle = c.customer[i] === 1 ? 'customer' : 'lead';
    f.purchaseCount = c.purchaseCount[i]!;
    f.totalSpend = c.totalSpend[i]!;
    f.firstPurchaseDay = day(c.firstPurchaseDay[i]!);
    f.lastPurchaseDay = day(c.lastPurchaseDay[i]!);
    for (let n = 0; n < this.productFacts.length; n++) {
      const target = this.productFacts[n]!;
      const source = c.products[n]!;
      target.purchases = source.purchases[i]!;
      target.firstDeliveredDay = day(source.firstDeliveredDay[i]!);
      target.lastDeliveredDay = day(source.lastDeliveredDay[i]!);
    }
    f.subscription.state = SUBSCRIPTION_STATES[c.subscriptionState[i]!]!;
    f.subscription.deliveries = c.subscriptionDeliveries[i]!;
    f.subscription.startedDay = day(c.subscriptionStartedDay[i]!);
    for (let n = 0; n < this.eventKeys.length; n++) f.events[this.eventKeys[n]!] = c.events[n]![i]!;
    f.rfmSegment = this.rfmOfId ? this.rfmOfId(c.ids[i]!) : this.rfmSegment ? this.rfmSegment(f.customerId) : null;
    const p = c.pAlive[i]!;
    f.pAlive = Number.isNaN(p) ? null : p;
    for (let a = 0; a < this.attributeNames.length; a++) f.attributes[this.attributeNames[a]!] = c.attributes[a]![i];
    return f;
  }
}

const day = (value: number): number | null => (value === NO_DAY ? null : value);

/** The stored placements of the workspace (read in the caller's transaction), each keyed by the profile's index; `gone`: those of no profile. */
export interface StoredColumns {
  /** Per profile: index in `keys` of the stored stage / level, -1 when none. */
  stage: Int32Array;
  level: Int32Array;
  mapVersion: Int32Array;
  keys: string[];
  gone: Array<{ customerId: string; stage: string; level: string }>;
}

/** The stored placements of the workspace, in customer id order, read in the caller's transaction (`client`). */
export async function loadStoredPlacements(client: pg.ClientBase, workspaceId: string): Promise<StoredRows> {
  const rows: StoredRows = { ids: new Doubles(), stage: [], level: [], mapVersion: [], keys: [] };
  const codes = new Map<string, number>();
  const code = (key: string) => {
    let found = codes.get(key);
    if (found === undefined) {
      found = rows.keys.length;
      rows.keys.push(key);
      codes.set(key, found);
    }
    return found;
  };
  // The keys are few: each distinct text is decoded once.
  const decoded = new Map<string, number>();
  const keyAt = (bytes: Buffer, from: number, to: number) => {
    const raw = bytes.toString('latin1', from, to);
    let found = decoded.get(raw);
    if (found === undefined) {
      found = code(copyText(bytes, from, to));
      decoded.set(raw, found);
    }
    return found;
  };
  await new CopyRunner(client).copy(
    'select customer_id, stage, level, map_version from journey_placements where workspace_id = $1::bigint order by customer_id',
    [workspaceId],
    4,
    (bytes, s, e) => {
      rows.ids.push(readInteger(bytes, s[0]!, e[0]!));
      rows.stage.push(keyAt(bytes, s[1]!, e[1]!));
      rows.level.push(keyAt(bytes, s[2]!, e[2]!));
      rows.mapVersion.push(readInteger(bytes, s[3]!, e[3]!));
    },
  );
  return rows;
}

export interface StoredRows {
  ids: Doubles;
  stage: number[];
  level: number[];
  mapVersion: number[];
  keys: string[];
}

/** The stored placements matched with the profiles. */
export function storedColumns(rows: StoredRows, { facts, indexOf }: IndexedFacts): StoredColumns {
  const count = facts.count;
  const stored: StoredColumns = {
    stage: new Int32Array(count).fill(-1),
    level: new Int32Array(count).fill(-1),
    mapVersion: new Int32Array(count),
    keys: rows.keys,
    gone: [],
  };
  for (let r = 0; r < rows.ids.length; r++) {
    const id = rows.ids.values[r]!;
    const i = indexOf.get(id);
    if (i !== undefined) {
      stored.stage[i] = rows.stage[r]!;
      stored.level[i] = rows.level[r]!;
      stored.mapVersion[i] = rows.mapVersion[r]!;
    } else {
      stored.gone.push({ customerId: String(id), stage: rows.keys[rows.stage[r]!]!, level: rows.keys[rows.level[r]!]! });
    }
  }
  return stored;
}

/**
 * Everything a full placement (or its preview) reads: the profiles' facts (read through the
 * pool by `loadFacts`, by default all of them from the tables), the stored placements (through
 * `client`, the caller's transaction) and the RFM lookup under way (context.rfmLookup), all at once.
 */
export async function loadEveryone(
  client: pg.ClientBase,
  context: { workspaceId: string; facts: FactsRequest; rfmLookup: Promise<RfmSegmentLookup> | null },
  loadFacts: () => Promise<IndexedFacts> = () => loadWorkspaceFacts(context.facts),
): Promise<{ facts: WorkspaceFacts; stored: StoredColumns; rfmSegment: RfmSegment | undefined }> {
  const [indexed, rows, lookup] = await Promise.all([
    loadFacts(),
    loadStoredPlacements(client, context.workspaceId),
    context.rfmLookup ?? Promise.resolve(context.facts.rfmSegment),
  ]);
  return { facts: indexed.facts, stored: storedColumns(rows, indexed), rfmSegment: lookup };
}
