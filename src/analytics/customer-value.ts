import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { StringDecoder } from 'node:string_decoder';
import { withTransaction } from '../db/transaction.ts';
import { purchaseCondition } from '../orders/purchase.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { KizunaError } from '../shared/errors.ts';
import type { BgNbdFit } from './clv/bg-nbd.ts';
import { predictCustomerValue, summarisePurchaseDays, type CustomerValue, type PurchaseSummary, type TimeUnit } from './clv/clv.ts';
import { fitAndScoreSummary } from './clv/fit-and-score.ts';
import { readCopyOut } from './engine/copy-out.ts';
import type { GammaGammaFit } from './clv/gamma-gamma.ts';
import { DAYS_PER_UNIT } from './clv/purchase-days.ts';
import { addDays, checkPageSize, dayNumber, localDate, requireCalendarDate } from './periods.ts';
import { workspaceTimezone } from './purchases-as-of.ts';
import { localDateOf } from '../shared/time.ts';

/** What a predicted-value run is asked for. */
export interface CustomerValueTerms {
  /** Last day of calibration, 'YYYY-MM-DD', included; default: yesterday in the workspace's time zone. */
  calibrationEnd?: string;
  unit: TimeUnit;
  /** Horizon of the prediction in months (discounting is monthly). */
  horizonMonths: number;
  /** Share of spend kept as profit, in [0, 1]. */
  margin: number;
  /** Discount rate per month, in [0, 1). */
  discountRate: number;
}

export const CUSTOMER_VALUE_DEFAULTS = { unit: 'week', horizonMonths: 12, margin: 1, discountRate: 0.01 } as const satisfies Omit<CustomerValueTerms, 'calibrationEnd'>;

/** A distribution as quantiles (p10 … p99) with its mean. */
export interface Distribution {
  mean: number;
  p10: number;
  p25: number;
  median: number;
  p75: number;
  p90: number;
  p99: number;
  /** 20 equal bins from 0: `counts[i]` customers in [i·width, (i+1)·width); the last bin also holds the values above (CLV: above p99). */
  histogram: { width: number; counts: number[] };
}

export interface CustomerValueRun {
  calibrationEnd: string;
  unit: TimeUnit;
  horizonMonths: number;
  margin: number;
  discountRate: number;
  /** Customers with a purchase by the end of calibration: the ones scored. */
  customers: number;
  repeatCustomers: number;
  bgNbd: BgNbdFit;
  gammaGamma: GammaGammaFit;
  /** Σ CLV over the customers scored. */
  totalClv: number;
  clv: Distribution;
  probabilityAlive: Distribution;
  /**
   * When there are purchases after calibration: the days from the end of calibration to the
   * last purchase day, repeat purchase days the model expected in them, and how many there were.
   */
  holdout: { days: number; expected: number; actual: number } | null;
  computedAt: Date;
}

/** What a run stores beside its fits (null in runs stored before the results were kept). */
type CustomerValueResults = Pick<CustomerValueRun, 'repeatCustomers' | 'totalClv' | 'clv' | 'probabilityAlive' | 'holdout'>;

const DAYS_PER_MONTH = 365.25 / 12;
/** PostgreSQL's binary COPY signature, flags and header extension length. */
const BINARY_COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
/** A customer_values row in binary COPY: field count, then 2 bigints, 1 integer and 6 doubles, each after its length. */
const BINARY_ROW_BYTES = 2 + 9 * 4 + 2 * 8 + 4 + 6 * 8;

/**
 * Predicts each customer's value: fits BG/NBD (purchase days after the first) and Gamma-Gamma
 * (spend per repeat purchase day) on the purchases up to the end of calibration, scores every
 * customer (P(alive), expected purchases over the horizon, expected spend per purchase, CLV),
 * and stores the run and the scores, replacing the workspace's previous ones.
 *
 * The purchases stream out of PostgreSQL with COPY into typed arrays, ordered by customer and
 * day, so memory is about 20 bytes a purchase.
 */
export async function runCustomerValue(params: {
  pool: pg.Pool;
  workspaceId: string;
  /** The purchases, when the caller holds them already (the analytics engine's snapshot); else read with COPY. */
  purchases?: () => Promise<LoadedPurchases>;
  /** The time: the default end of calibration (yesterday) and the run's computedAt (default systemClock). */
  clock?: Clock;
} & Partial<CustomerValueTerms>): Promise<CustomerValueRun> {
  const { pool, workspaceId } = params;
  const terms = checkCustomerValueTerms(params);
  const timezone = await workspaceTimezone(pool, workspaceId);
  const clock = params.clock ?? systemClock;
  const calibrationEnd = params.calibrationEnd ?? addDays(localDateOf(clock.now(), timezone), -1);
  requireCalendarDate(calibrationEnd, 'calibrationEnd');

  const purchases = params.purchases ? await params.purchases() : await loadPurchases(pool, workspaceId, timezone);
  const { run, summary, value } = computeCustomerValue({ purchases, calibrationEnd, terms, clock });
  await storeRun({ pool, workspaceId, calibrationEnd, terms, run, ids: purchases.ids, summary, value });
  return run;
}

/**
 * The models on purchases held in memory, nothing stored: the summaries, both fits, every
 * customer's scores, the distributions and the holdout check. `runCustomerValue` stores the
 * result; the benchmark times this part alone against its numpy/scipy baseline.
 */
export function computeCustomerValue(params: {
  purchases: LoadedPurchases;
  calibrationEnd: string;
  terms: Omit<CustomerValueTerms, 'calibrationEnd'>;
  /** Stamps computedAt (default systemClock). */
  clock?: Clock;
}): { run: CustomerValueRun; summary: PurchaseSummary; value: CustomerValue } {
  const { purchases, calibrationEnd, terms } = params;
  const summary = summarisePurchaseDays({ customerDays: purchases, calibrationEnd, unit: terms.unit });
  const n = summary.customer.length;
  if (n === 0) throw new KizunaError('validation_failed', `No customer has a purchase on or before ${calibrationEnd}: there is nothing to fit.`);
  const repeatCustomers = summary.x.reduce((count, x) => count + (x > 0 ? 1 : 0), 0);
  if (repeatCustomers === 0) {
    throw new KizunaError('validation_failed', `No customer bought on two different days by ${calibrationEnd}: the models learn from repeat purchases, so there is nothing to fit yet.`);
  }
  const periodLength = DAYS_PER_MONTH / DAYS_PER_UNIT[terms.unit];
  const { bgNbd, gammaGamma, value } = fitAndScoreSummary(summary, {
    periods: terms.horizonMonths, periodLength, margin: terms.margin, discountRate: terms.discountRate,
  });
  const run: CustomerValueRun = {
    calibrationEnd, ...terms, customers: n, repeatCustomers, bgNbd, gammaGamma,
    totalClv: value.clv.reduce((sum, v) => sum + v, 0),
    clv: distribution(value.clv), probabilityAlive: distribution(value.probabilityAlive, 1),
    holdout: holdoutCheck({ purchases, summary, bgNbd, gammaGamma, calibrationEnd, unit: terms.unit }),
    computedAt: (params.clock ?? systemClock).now(),
  };
  return { run, summary, value };
}

function checkCustomerValueTerms(params: Partial<CustomerValueTerms>): Omit<CustomerValueTerms, 'calibrationEnd'> {
  const terms = {
    unit: params.unit ?? CUSTOMER_VALUE_DEFAULTS.unit,
    horizonMonths: params.horizonMonths ?? CUSTOMER_VALUE_DEFAULTS.horizonMonths,
    margin: params.margin ?? CUSTOMER_VALUE_DEFAULTS.margin,
    discountRate: params.discountRate ?? CUSTOMER_VALUE_DEFAULTS.discountRate,
  };
  const problems = [
    terms.unit === 'day' || terms.unit === 'week' ? null : `unit must be day or week, not "${terms.unit}"`,
    Number.isInteger(terms.horizonMonths) && terms.horizonMonths >= 1 && terms.horizonMonths <= 120 ? null : 'horizon must be a whole number of months from 1 to 120',
    terms.margin >= 0 && terms.margin <= 1 ? null : 'margin must be between 0 and 1 (a share of spend)',
    terms.discountRate >= 0 && terms.discountRate < 1 ? null : 'discount rate must be at least 0 and below 1 (per month)',
  ].filter((problem): problem is string => problem !== null);
  if (problems.length > 0) throw new KizunaError('validation_failed', `${problems.join('; ')}.`);
  return terms;
}

/** Purchases as columns ordered by customer and day: what the models read. */
export interface LoadedPurchases {
  /** Customer index of each purchase, 0 … ids.length − 1, in customer order. */
  customer: Int32Array;
  /** Local day number of each purchase. */
  day: Int32Array;
  amount: Float64Array;
  /** Customer id of each index. */
  ids: ArrayLike<string | number>;
}

/** Every purchase of the workspace as (customer, local day, amount), ordered by customer and day, through COPY. */
async function loadPurchases(pool: pg.Pool, workspaceId: string, timezone: string): Promise<LoadedPurchases> {
  const client = await pool.connect();
  try {
    const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
    const tz = literal(timezone);
    const columns = new GrowingColumns();
    const decoder = new StringDecoder('utf8');
    let rest = '';
    await readCopyOut(client,
      `copy (select o.customer_id, ${localDate('o.ordered_at', tz)} - date '1970-01-01', o.amount
               from orders o
              where o.workspace_id = ${Number(workspaceId)} and ${purchaseCondition('o')}
              order by o.customer_id, o.ordered_at) to stdout`,
      (chunk) => {
        const text = rest + decoder.write(chunk);
        let start = 0;
        for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
          const first = text.indexOf('\t', start);
          const second = text.indexOf('\t', first + 1);
          columns.push(text.slice(start, first), Number(text.slice(first + 1, second)), Number(text.slice(second + 1, end)));
          start = end + 1;
        }
        rest = text.slice(start);
      });
    return columns.done();
  } finally {
    client.release();
  }
}

class GrowingColumns {
  private customer = new Int32Array(1 << 16);
  private day = new Int32Array(1 << 16);
  private amount = new Float64Array(1 << 16);
  private length = 0;
  private readonly ids: string[] = [];

  push(id: string, day: number, amount: number): void {
    if (this.length === this.customer.length) this.grow();
    if (this.ids.at(-1) !== id) this.ids.push(id);
    this.customer[this.length] = this.ids.length - 1;
    this.day[this.length] = day;
    this.amount[this.length] = amount;
    this.length += 1;
  }

  done(): LoadedPurchases {
    return { customer: this.customer.slice(0, this.length), day: this.day.slice(0, this.length), amount: this.amount.slice(0, this.length), ids: this.ids };
  }

  private grow(): void {
    const size = this.customer.length * 2;
    const resize = <T extends Int32Array | Float64Array>(array: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(array);
      return next;
    };
    this.customer = resize(this.customer, (k) => new Int32Array(k));
    this.day = resize(this.day, (k) => new Int32Array(k));
    this.amount = resize(this.amount, (k) => new Float64Array(k));
  }
}

/** Replaces the workspace's run and scores in one transaction; the scores go in through COPY. */
async function storeRun(params: {
  pool: pg.Pool; workspaceId: string; calibrationEnd: string; terms: Omit<CustomerValueTerms, 'calibrationEnd'>;
  run: CustomerValueRun; ids: ArrayLike<string | number>; summary: PurchaseSummary; value: CustomerValue;
}): Promise<void> {
  const { pool, workspaceId, calibrationEnd, terms, run, ids, summary, value } = params;
  const { bgNbd, gammaGamma, customers } = run;
  const results: CustomerValueResults = {
    repeatCustomers: run.repeatCustomers, totalClv: run.totalClv, clv: run.clv, probabilityAlive: run.probabilityAlive, holdout: run.holdout,
  };
  await withTransaction(pool, async (client) => {
    await client.query('delete from customer_values where workspace_id = $1', [workspaceId]);
    await client.query(
      `insert into customer_value_runs (workspace_id, calibration_end, unit, horizon_months, margin, discount_rate, bg_nbd, gamma_gamma, customers, results, computed_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       on conflict (workspace_id) do update set calibration_end = excluded.calibration_end, unit = excluded.unit,
         horizon_months = excluded.horizon_months, margin = excluded.margin, discount_rate = excluded.discount_rate,
         bg_nbd = excluded.bg_nbd, gamma_gamma = excluded.gamma_gamma, customers = excluded.customers, results = excluded.results,
         computed_at = excluded.computed_at`,
      [workspaceId, calibrationEnd, terms.unit, terms.horizonMonths, terms.margin, terms.discountRate, JSON.stringify(bgNbd), JSON.stringify(gammaGamma), customers,
        JSON.stringify(results), run.computedAt],
    );
    // Binary COPY: no number is turned into text and parsed back (830,000 rows carry 5 million floats).
    const copy = client.query(copyFrom(
      'copy customer_values (workspace_id, customer_id, repeat_purchases, recency, age, probability_alive, expected_purchases, expected_spend, clv) from stdin (format binary)',
    ));
    const done = finished(copy);
    const { tx, T } = summary;
    const workspace = BigInt(workspaceId);
    const rowsPerChunk = 10_000;
    const n = summary.customer.length;
    for (let first = 0; first < n || first === 0; first += rowsPerChunk) {
      const last = Math.min(n, first + rowsPerChunk);
      const header = first === 0 ? BINARY_COPY_HEADER.length : 0;
      const trailer = last === n ? 2 : 0;
      const chunk = Buffer.allocUnsafe(header + (last - first) * BINARY_ROW_BYTES + trailer);
      let at = 0;
      if (header > 0) at = BINARY_COPY_HEADER.copy(chunk, 0);
      for (let i = first; i < last; i++) {
        at = chunk.writeInt16BE(9, at);
        at = chunk.writeInt32BE(8, at);
        at = chunk.writeBigInt64BE(workspace, at);
        at = chunk.writeInt32BE(8, at);
        at = chunk.writeBigInt64BE(BigInt(ids[summary.customer[i]!]!), at);
        at = chunk.writeInt32BE(4, at);
        at = chunk.writeInt32BE(summary.x[i]!, at);
        for (const v of [tx[i]!, T[i]!, value.probabilityAlive[i]!, value.expectedPurchases[i]!, value.expectedSpend[i]!, value.clv[i]!]) {
          at = chunk.writeInt32BE(8, at);
          at = chunk.writeDoubleBE(v, at);
        }
      }
      if (trailer > 0) chunk.writeInt16BE(-1, at);
      // A failed COPY never drains: wait for whichever comes first.
      if (!copy.write(chunk)) await Promise.race([once(copy, 'drain'), done]);
      if (last === n) break;
    }
    copy.end();
    await done;
  });
}

/**
 * Out-of-sample check: the repeat purchase days the model expects between the end of
 * calibration and the last purchase day of the data, against those that happened (for the
 * customers scored). Null when no purchase follows calibration.
 */
function holdoutCheck(params: { purchases: LoadedPurchases; summary: PurchaseSummary; bgNbd: BgNbdFit; gammaGamma: GammaGammaFit; calibrationEnd: string; unit: TimeUnit }) {
  const { purchases, summary, bgNbd, gammaGamma, calibrationEnd, unit } = params;
  const endDay = dayNumber(calibrationEnd);
  let lastDay = endDay;
  const laterDays = new Int32Array(purchases.ids.length);
  for (let i = 0; i < purchases.day.length; i++) {
    const day = purchases.day[i]!;
    if (day <= endDay) continue;
    lastDay = Math.max(lastDay, day);
    const sameDayAsPrevious = i > 0 && purchases.customer[i - 1] === purchases.customer[i] && purchases.day[i - 1] === day;
    if (!sameDayAsPrevious) laterDays[purchases.customer[i]!]! += 1;
  }
  if (lastDay === endDay) return null;
  const days = lastDay - endDay;
  // One undiscounted period as long as the holdout: its expected purchases are E[Y(holdout) | x, t_x, T].
  const expected = predictCustomerValue({ bgNbd, gammaGamma, summary, periods: 1, periodLength: days / DAYS_PER_UNIT[unit], margin: 1, discountRate: 0 }).expectedPurchases;
  let actual = 0;
  for (let i = 0; i < summary.customer.length; i++) actual += laterDays[summary.customer[i]!]!;
  return { days, expected: expected.reduce((sum, v) => sum + v, 0), actual };
}

export function distribution(values: Float64Array, histogramMax?: number): Distribution {
  const n = values.length;
  // Quantiles by selection (the value of rank ⌊q·n⌋), not a sort: each select partitions the
  // part above the previous rank, O(n) in all.
  const ranked = Float64Array.from(values);
  const quantiles = [0.1, 0.25, 0.5, 0.75, 0.9, 0.99].map((q) => Math.min(n - 1, Math.floor(q * n)));
  const at: number[] = [];
  let from = 0;
  for (const rank of quantiles) {
    if (n === 0) {
      at.push(0);
      continue;
    }
    select(ranked, from, n - 1, rank);
    at.push(ranked[rank]!);
    from = rank;
  }
  const [p10, p25, median, p75, p90, p99] = at as [number, number, number, number, number, number];
  const max = histogramMax ?? p99;
  const bins = 20;
  const width = max > 0 ? max / bins : 1;
  const counts = new Float64Array(bins);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    counts[Math.min(bins - 1, Math.floor(v / width))]! += 1;
    sum += v;
  }
  return { mean: sum / Math.max(1, n), p10, p25, median, p75, p90, p99, histogram: { width, counts: Array.from(counts) } };
}

/** Rearranges a[lo..hi] so that a[k] holds the value of rank k, smaller ones before it, larger after (Hoare's selection). */
function select(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const pivot = median3(a[lo]!, a[(lo + hi) >> 1]!, a[hi]!);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function median3(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}

export interface StoredCustomerValue {
  customerId: string;
  externalId: string;
  name: string | null;
  repeatPurchases: number;
  probabilityAlive: number;
  expectedPurchases: number;
  expectedSpend: number;
  clv: number;
}

/** The workspace's last run (terms, fits, distributions and holdout check), or null when none was made. */
export async function readCustomerValueRun(params: { pool: pg.Pool; workspaceId: string }) {
  const { rows } = await params.pool.query<{
    calibration_end: string; unit: TimeUnit; horizon_months: number; margin: string; discount_rate: string;
    bg_nbd: BgNbdFit; gamma_gamma: GammaGammaFit; customers: number; results: CustomerValueResults | null; computed_at: Date;
  }>('select * from customer_value_runs where workspace_id = $1', [params.workspaceId]);
  const row = rows[0];
  if (!row) return null;
  const results = row.results ?? { repeatCustomers: null, totalClv: null, clv: null, probabilityAlive: null, holdout: null };
  return {
    calibrationEnd: row.calibration_end, unit: row.unit, horizonMonths: row.horizon_months, margin: Number(row.margin),
    discountRate: Number(row.discount_rate), bgNbd: row.bg_nbd, gammaGamma: row.gamma_gamma, customers: row.customers, computedAt: row.computed_at,
    ...results,
  };
}

/** One customer's scores from the last run; null when there is no run or the customer had no purchase by its calibration end. */
export async function customerValueOf(params: { pool: pg.Pool; workspaceId: string; customerId: string }): Promise<StoredCustomerValue | null> {
  const rows = await selectValues(params.pool, 'v.workspace_id = $1 and v.customer_id = $2', [params.workspaceId, params.customerId], 1);
  return rows[0] ?? null;
}

/** Customers by predicted value, highest first, with keyset paging (cursor: the last item's `clv:customerId`). */
export async function listCustomerValues(params: { pool: pg.Pool; workspaceId: string; limit: number; cursor?: string }) {
  const { pool, workspaceId, limit, cursor } = params;
  checkPageSize(limit);
  const after = cursor === undefined ? null : decodeCursor(cursor);
  const rows = await selectValues(
    pool,
    `v.workspace_id = $1 and ($2::float8 is null or (v.clv, v.customer_id) < ($2::float8, $3::bigint))`,
    [workspaceId, after?.clv ?? null, after?.customerId ?? null],
    limit + 1,
  );
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? `${last.clv}:${last.customerId}` : null };
}

function decodeCursor(cursor: string): { clv: number; customerId: string } {
  const match = /^(-?[\d.e+-]+):(\d+)$/.exec(cursor);
  if (!match || Number.isNaN(Number(match[1]))) throw new KizunaError('bad_request', `Not a cursor of this list: "${cursor}".`);
  return { clv: Number(match[1]), customerId: match[2]! };
}

async function selectValues(pool: pg.Pool, where: string, values: unknown[], limit: number): Promise<StoredCustomerValue[]> {
  const { rows } = await pool.query<{
    customer_id: string; external_id: string; name: string | null; repeat_purchases: number; probability_alive: number;
    expected_purchases: number; expected_spend: number; clv: number;
  }>(
    `select v.customer_id, c.external_id, c.name, v.repeat_purchases, v.probability_alive, v.expected_purchases, v.expected_spend, v.clv
       from customer_values v join customers c on c.id = v.customer_id
      where ${where}
      order by v.clv desc, v.customer_id desc
      limit ${Number(limit)}`,
    values,
  );
  return rows.map((row) => ({
    customerId: row.customer_id, externalId: row.external_id, name: row.name, repeatPurchases: row.repeat_purchases,
    probabilityAlive: row.probability_alive, expectedPurchases: row.expected_purchases, expectedSpend: row.expected_spend, clv: row.clv,
  }));
}
