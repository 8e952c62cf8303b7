import type pg from 'pg';
import { z } from 'zod';
import { KizunaError } from '../shared/errors.ts';
import { ChurnWindowUsed, resolveChurnWindow } from './churn-window.ts';
import { DataEndsOn, dataEndsOnOf, lastPurchaseDay } from './data-end.ts';
import { workspaceTimezone } from './purchases-as-of.ts';
import { quintileScore, RFM_DIMENSIONS, rfmBaseCte, rfmScoredCtes, scoreBandsSql, type RfmDimension } from './rfm-quintiles.ts';
import { RFM_SEGMENTS, segmentOf, type RfmSegmentCode } from './rfm-segments.ts';
import { checkPageSize, requireCalendarDate } from './periods.ts';
import { Count, Day, Decimal, Quotient } from './result-shapes.ts';

/**
 * RFM as of a local date d (purchases before d): recency in days since the last purchase day,
 * frequency = purchases, monetary = Σ amount; scores 1–5 by cume_dist quintiles (see
 * rfm-quintiles.ts) and the named segments of rfm-segments.ts. For a base of 1,000,000
 * customers: rfmScores gives the whole picture in a few hundred rows, listRfmCustomers pages
 * the customers, rfmOfCustomer looks one up. The segment 離反 is the churn status of churn.ts
 * (rfm-segments.ts), with the window the churn list of the date uses (setting, else proposal).
 */

const SegmentCode = z.enum(RFM_SEGMENTS.map((segment) => segment.code) as [RfmSegmentCode, ...RfmSegmentCode[]]).meta({ id: 'RfmSegmentCode' });
const Score = z.number().int().min(1).max(5);

/** The values that got one score in one dimension; min and max null when none did. */
function scoreBand<Value extends z.ZodType>(value: Value) {
  return z
    .object({ score: Score, customers: Count, min: value.nullable(), max: value.nullable() })
    .describe('The values that got one score; min and max null when none did');
}
export interface ScoreBand<Value> {
  score: number;
  customers: number;
  min: Value | null;
  max: Value | null;
}

/** The result of rfmScores (and of the engine's snapshotRfmSummary), as the API serialises it. */
export const RfmSummary = z
  .object({
    asOf: Day,
    dataEndsOn: DataEndsOn,
    churnWindow: ChurnWindowUsed.nullable().describe(
      "The churn window of the segment 離反 (the churn list's of the same date: the setting, else the proposal); null when there is none, and then nobody is 離反",
    ),
    customers: Count.describe('Customers with a purchase before asOf'),
    monetary: Decimal.describe('Σ monetary of all of them'),
    grid: z
      .array(z.object({ recencyScore: Score, frequencyScore: Score, customers: Count, monetary: Decimal }))
      .describe('25 cells: recency score 1..5 × frequency score 1..5, empty ones with 0'),
    segments: z
      .array(
        z.object({
          code: SegmentCode,
          ja: z.string(),
          en: z.string(),
          meaning: z.string(),
          customers: Count,
          monetary: Decimal,
          customerShare: Quotient.describe('Share of all customers; null when there are none'),
          monetaryShare: Quotient.describe('Share of all monetary; null when there is none'),
        }),
      )
      .describe('Every segment, in the order of the rules: a customer is in the first whose rule holds'),
    boundaries: z
      .object({
        recency: z.array(scoreBand(z.number().int())),
        frequency: z.array(scoreBand(z.number().int())),
        monetary: z.array(scoreBand(Decimal)),
      })
      .describe('The quintile boundaries used: per dimension, scores 1..5 with the values each covers'),
  })
  .meta({ id: 'RfmSummary' });
export type RfmSummary = z.infer<typeof RfmSummary>;

export const CustomerRfm = z
  .object({
    customerId: z.string(),
    externalId: z.string(),
    name: z.string().nullable(),
    lastPurchaseDay: Day,
    recency: z.number().int().describe('Days from the last purchase day to asOf'),
    frequency: Count.describe('Purchases before asOf'),
    monetary: Decimal.describe('Σ amount of those purchases'),
    scores: z.object({ recency: Score, frequency: Score, monetary: Score }),
    segment: SegmentCode,
  })
  .meta({ id: 'CustomerRfm' });
export type CustomerRfm = z.infer<typeof CustomerRfm>;

/**
 * The RFM picture of a workspace's customers as of `asOf`: the R × F grid, the segments with
 * their customers and value, and the quintile boundaries. One statement: one pass over the
 * customers' purchases as of the date, histograms of the three values, one grouping of the
 * scored customers by (R, F) and by segment.
 */
export async function rfmScores(params: { pool: pg.Pool; workspaceId: string; asOf: string }): Promise<RfmSummary> {
  const { pool, workspaceId, asOf } = params;
  requireCalendarDate(asOf, 'asOf');
  const timezone = await workspaceTimezone(pool, workspaceId);
  const churnWindow = await rfmChurnWindow(pool, workspaceId, asOf);
  const dataEndsOn = dataEndsOnOf(await lastPurchaseDay(pool, workspaceId, timezone), asOf);
  type Group = { r: number | null; f: number | null; segment: RfmSegmentCode | null; customers: number; monetary: string | null };
  type Band = { dimension: RfmDimension; score: number; customers: number; min: string; max: string };
  const { rows } = await pool.query<{ groups: Group[]; bands: Band[] | null }>(
    `with ${rfmBaseCte('$4')}, ${rfmScoredCtes()}
     select (select json_agg(g) from (
               select r, f, segment, count(*)::int as customers, sum(monetary)::text as monetary
                 from segmented group by grouping sets ((r, f), (segment), ())) g) as groups,
            (select json_agg(b) from (${scoreBandsSql()}) b) as bands`,
    [workspaceId, timezone, asOf, churnWindow?.days ?? null],
  );
  const { groups, bands } = rows[0]!;
  const total = groups.find((g) => g.r === null && g.segment === null)!;
  const customers = total.customers;
  const monetary = total.monetary ?? '0';
  const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);
  const grid: RfmSummary['grid'][number][] = [];
  for (let recencyScore = 1; recencyScore <= 5; recencyScore++) {
    for (let frequencyScore = 1; frequencyScore <= 5; frequencyScore++) {
      const cell = groups.find((g) => g.r === recencyScore && g.f === frequencyScore);
      grid.push({ recencyScore, frequencyScore, customers: cell?.customers ?? 0, monetary: cell?.monetary ?? '0' });
    }
  }
  const segments = RFM_SEGMENTS.map(({ code, ja, en, meaning }) => {
    const group = groups.find((g) => g.segment === code);
    const figures = { customers: group?.customers ?? 0, monetary: group?.monetary ?? '0' };
    return {
      code,
      ja,
      en,
      meaning,
      ...figures,
      customerShare: share(figures.customers, customers),
      monetaryShare: share(Number(figures.monetary), Number(monetary)),
    };
  });
  const bandsOf = <Value>(dimension: RfmDimension, read: (text: string) => Value): ScoreBand<Value>[] =>
    [1, 2, 3, 4, 5].map((score) => {
      const band = bands?.find((b) => b.dimension === dimension && b.score === score);
      return band ? { score, customers: band.customers, min: read(band.min), max: read(band.max) } : { score, customers: 0, min: null, max: null };
    });
  return {
    asOf,
    dataEndsOn,
    churnWindow,
    customers,
    monetary,
    grid,
    segments,
    boundaries: { recency: bandsOf('recency', Number), frequency: bandsOf('frequency', Number), monetary: bandsOf('monetary', String) },
  };
}

/** The churn window RFM's 離反 uses as of `asOf`: the churn list's when none is given (setting, else proposal); null when none. */
export async function rfmChurnWindow(pool: pg.Pool, workspaceId: string, asOf: string): Promise<ChurnWindowUsed | null> {
  const resolved = await resolveChurnWindow({ pool, workspaceId, asOf, window: undefined });
  return resolved.outcome === 'resolved' ? resolved.window : null;
}

/** Throws unless limit is a page size (checkPageSize) and the cursor (if any) a customer id. */
export function checkRfmPage(limit: number, cursor: string | undefined): void {
  checkPageSize(limit);
  if (cursor !== undefined && !/^\d+$/.test(cursor)) throw new KizunaError('bad_request', 'The RFM page cursor is not valid; start again from the first page.');
}

/**
 * One page of the customers with their RFM values, scores and segment as of `asOf`, in
 * customer id order (keyset: `cursor` is the last id of the previous page), optionally of
 * one segment. Each page scores the whole base again (the scores are relative to it).
 */
export async function listRfmCustomers(params: {
  pool: pg.Pool;
  workspaceId: string;
  asOf: string;
  segment?: RfmSegmentCode;
  limit: number;
  cursor?: string;
}): Promise<{ items: CustomerRfm[]; nextCursor: string | null }> {
  const { pool, workspaceId, asOf, limit, cursor } = params;
  requireCalendarDate(asOf, 'asOf');
  checkRfmPage(limit, cursor);
  const timezone = await workspaceTimezone(pool, workspaceId);
  const churnWindow = await rfmChurnWindow(pool, workspaceId, asOf);
  const { rows } = await pool.query<{
    customer_id: string;
    external_id: string;
    name: string | null;
    last_day: string;
    recency: number;
    frequency: number;
    monetary: string;
    r: number;
    f: number;
    m: number;
    segment: RfmSegmentCode;
  }>(
    `with ${rfmBaseCte('$7')}, ${rfmScoredCtes()}
     select s.customer_id, c.external_id, c.name, s.last_day::text, s.recency, s.frequency, s.monetary::text, s.r, s.f, s.m, s.segment
       from segmented s join customers c on c.id = s.customer_id
      where ($4::text is null or s.segment = $4::text) and ($5::bigint is null or s.customer_id > $5::bigint)
      order by s.customer_id
      limit $6`,
    [workspaceId, timezone, asOf, params.segment ?? null, cursor ?? null, limit + 1, churnWindow?.days ?? null],
  );
  const items = rows.slice(0, limit).map((row) => ({
    customerId: row.customer_id,
    externalId: row.external_id,
    name: row.name,
    lastPurchaseDay: row.last_day,
    recency: row.recency,
    frequency: row.frequency,
    monetary: row.monetary,
    scores: { recency: row.r, frequency: row.f, monetary: row.m },
    segment: row.segment,
  }));
  return { items, nextCursor: rows.length > limit ? items.at(-1)!.customerId : null };
}

/**
 * One customer's RFM as of `asOf`, scored against the whole base; null when they had no
 * purchase before `asOf`, `not_found` when the workspace has no such customer. One
 * aggregation over the base counts the customers each value does not beat, so no sort.
 */
export async function rfmOfCustomer(params: { pool: pg.Pool; workspaceId: string; asOf: string; customerId: string }): Promise<CustomerRfm | null> {
  const { pool, workspaceId, asOf, customerId } = params;
  requireCalendarDate(asOf, 'asOf');
  const timezone = await workspaceTimezone(pool, workspaceId);
  const profile = /^\d+$/.test(customerId)
    ? (
        await pool.query<{ external_id: string; name: string | null }>('select external_id, name from customers where id = $1 and workspace_id = $2', [
          customerId,
          workspaceId,
        ])
      ).rows[0]
    : undefined;
  if (!profile) throw new KizunaError('not_found', `No customer ${customerId} in this workspace.`);
  const { rows } = await pool.query<{
    last_day: string;
    recency: number;
    frequency: number;
    monetary: string;
    customers: number;
    recency_at_or_worse: number;
    frequency_at_or_worse: number;
    monetary_at_or_worse: number;
    churned: boolean;
  }>(
    `with ${rfmBaseCte('$5')}, me as (select * from base where customer_id = $4)
     select me.last_day::text, me.recency, me.frequency, me.monetary::text, me.churned, count(*)::int as customers,
            count(*) filter (where b.recency >= me.recency)::int as recency_at_or_worse,
            count(*) filter (where b.frequency <= me.frequency)::int as frequency_at_or_worse,
            count(*) filter (where b.monetary <= me.monetary)::int as monetary_at_or_worse
       from me cross join base b
      group by me.last_day, me.recency, me.frequency, me.monetary, me.churned`,
    [workspaceId, timezone, asOf, customerId, (await rfmChurnWindow(pool, workspaceId, asOf))?.days ?? null],
  );
  const row = rows[0];
  if (!row) return null;
  const scores = Object.fromEntries(RFM_DIMENSIONS.map((dimension) => [dimension, quintileScore(row[`${dimension}_at_or_worse`], row.customers)])) as Record<
    RfmDimension,
    number
  >;
  const segment = segmentOf({
    recencyScore: scores.recency,
    frequencyScore: scores.frequency,
    monetaryScore: scores.monetary,
    purchases: row.frequency,
    churned: row.churned,
  });
  return {
    customerId,
    externalId: profile.external_id,
    name: profile.name,
    lastPurchaseDay: row.last_day,
    recency: row.recency,
    frequency: row.frequency,
    monetary: row.monetary,
    scores,
    segment: segment.code,
  };
}
