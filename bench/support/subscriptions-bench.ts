import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { AnalyticsEngine } from '../../src/analytics/engine/analytics-engine.ts';
import { snapshotCancellationCounts, snapshotStepUpTally } from '../../src/analytics/engine/subscriptions/base.ts';
import { snapshotContinuationCounts } from '../../src/analytics/engine/subscriptions/continuation.ts';
import { addMonths, localDate } from '../../src/analytics/periods.ts';
import { firstPurchaseEverSql } from '../../src/analytics/repeat-f2.ts';
import { cancellationCounts, cancellationsOf } from '../../src/analytics/subscriptions/cancellations.ts';
import { continuationCounts, continuationOf } from '../../src/analytics/subscriptions/continuation.ts';
import { stepUpOf, stepUpTally } from '../../src/analytics/subscriptions/step-up.ts';
import { purchaseCondition } from '../../src/orders/purchase.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';

/**
 * The subscription part of `npm run bench:analytics`: continuation by delivery number split by
 * start month, the cancellation reasons (with the monthly rate and the reasons by delivery)
 * and the step-up rate, by the engine, by the SQL reference and by DuckDB from an export,
 * cross-checked figure by figure.
 */

type Timer = <T>(work: () => T | Promise<T>, runs?: number) => Promise<{ seconds: number; result: T }>;

/** Cancellation reasons drawn for the generated subscriptions, weighted by repetition (飲み忘れ first). */
const REASONS = [
  'forgot_or_surplus',
  'forgot_or_surplus',
  'forgot_or_surplus',
  'no_effect',
  'no_effect',
  'price',
  'price',
  'taste',
  'moving',
  'health',
  'switched',
  'achieved',
  'other',
];

/**
 * Subscriptions for a workspace that has none (the demo generator does not write them yet):
 * one per customer and subscription product (products.is_subscription), started at the first
 * purchase of it, with as many deliveries as purchases of it; cancelled 20 days after the last
 * when that is more than 45 days before the data's end (a reason drawn from REASONS), else
 * running (one in twenty paused). The demo's own behaviour model thus gives the continuation
 * curve (steep at the 2nd and 3rd delivery, flatter after). The trial products are those the
 * demo catalogue marks with role 'trial'. All set-based SQL; returns the subscriptions written.
 */
export async function generateSubscriptions(pool: pg.Pool, workspace: Workspace): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query("update products set is_trial = true where workspace_id = $1 and (attributes->>'role' = 'trial' or sku like '%TRIAL%')", [workspace.id]);
    const { rowCount } = await client.query(
      `with bought as (
         select o.customer_id, i.product_id, min(o.ordered_at) as started_at, max(o.ordered_at) as last_at, count(distinct o.id)::int as deliveries
           from orders o join order_items i on i.order_id = o.id join products p on p.id = i.product_id
          where o.workspace_id = $1 and p.workspace_id = $1 and p.is_subscription and ${purchaseCondition('o')}
          group by o.customer_id, i.product_id),
       drawn as (
         select b.*, random() as r, (select max(ordered_at) from orders where workspace_id = $1) as data_end from bought b)
       insert into subscriptions (workspace_id, external_id, customer_id, course, cycle_unit, cycle_every, status, status_changed_at, started_at,
                                  deliveries, cancelled_at, cancel_reason, first_product_id)
       select $1, 'BENCH-' || customer_id || '-' || product_id, customer_id, '毎月お届けコース', 'months', 1,
              s.status,
              case s.status when 'cancelled' then last_at + interval '20 days' when 'paused' then last_at + interval '10 days' else started_at end,
              started_at, deliveries,
              case when s.status = 'cancelled' then last_at + interval '20 days' end,
              case when s.status = 'cancelled' then ($2::text[])[1 + floor(r * ${REASONS.length})::int] end,
              product_id
         from drawn cross join lateral (select case when last_at < data_end - interval '45 days' then 'cancelled'
                                                    when r < 0.05 then 'paused' else 'active' end as status) s`,
      [workspace.id, REASONS],
    );
    await client.query(
      `insert into subscription_status_changes (workspace_id, subscription_id, customer_id, status, changed_at, reason, actor)
       select workspace_id, id, customer_id, 'active', started_at, null, 'bench' from subscriptions where workspace_id = $1
       union all
       select workspace_id, id, customer_id, status, status_changed_at, cancel_reason, 'bench' from subscriptions where workspace_id = $1 and status <> 'active'`,
      [workspace.id],
    );
    await client.query('insert into subscription_changes (workspace_id) values ($1)', [workspace.id]);
    await client.query('commit');
    await client.query('analyze subscriptions; analyze subscription_status_changes; analyze products');
    return rowCount ?? 0;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

async function exportTsv(pool: pg.Pool, sql: string, file: string): Promise<void> {
  const client = await pool.connect();
  try {
    await pipeline(client.query(copyTo(`copy (${sql}) to stdout`)), createWriteStream(file));
  } finally {
    client.release();
  }
}

export interface SubscriptionBenchRow {
  label: string;
  engine: number;
  duckdb: number;
  sql: number | null;
}

/** Times the three analyses, returns the table's rows, the lines to print after it, and whether every cross-check agreed. */
export async function benchSubscriptions(params: {
  pool: pg.Pool;
  workspace: Workspace;
  engine: AnalyticsEngine;
  duck: DuckDBConnection;
  directory: string;
  time: Timer;
  asOf: string;
  /** The first of the month of the data's last day: the year before it is analysed. */
  to: string;
  withSql: boolean;
}): Promise<{ rows: SubscriptionBenchRow[]; lines: string[]; agree: boolean }> {
  const { pool, workspace, engine, duck, directory, time, asOf, to, withSql } = params;
  const lines: string[] = [];
  const { rows: counted } = await pool.query<{ n: number }>('select count(*)::int as n from subscriptions where workspace_id = $1', [workspace.id]);
  if (counted[0]!.n === 0) {
    const startedAt = performance.now();
    const written = await generateSubscriptions(pool, workspace);
    lines.push(
      `subscriptions: the workspace had none, so the benchmark generated ${written.toLocaleString('en-US')} from the demo's purchases of its subscription product (set-based SQL, ${((performance.now() - startedAt) / 1000).toFixed(1)} s; see bench/support/subscriptions-bench.ts)`,
    );
  }
  const load = await time(() => engine.subscriptionSnapshot(workspace.id), 1);
  const snapshot = load.result;
  lines.push(
    `subscription snapshot: ${snapshot.subscriptions.toLocaleString('en-US')} subscriptions, ${snapshot.customers.toLocaleString('en-US')} customers, loaded in ${load.seconds.toFixed(2)} s`,
  );

  const K = 24;
  const period = { from: addMonths(to, -12), to };
  const W = 60;
  const continuationTerms = { asOf, grouping: 'cohort' as const, maxDelivery: K, fromOrders: false };
  const cancellationTerms = { period, granularity: 'month' as const, maxDelivery: K };
  const stepUpTerms = { period, granularity: 'month' as const, within: W, asOf };
  const ws = { pool, workspaceId: workspace.id };
  const ours = {
    continuation: await time(() =>
      continuationOf({ asOf, by: 'cohort', maxDelivery: K, fromOrders: false, counts: snapshotContinuationCounts(snapshot, continuationTerms) }),
    ),
    cancellations: await time(() =>
      cancellationsOf({ ...cancellationTerms, counts: snapshotCancellationCounts(snapshot, cancellationTerms), labels: new Map() }),
    ),
    stepUp: await time(() => stepUpOf({ ...stepUpTerms, tally: snapshotStepUpTally(snapshot, stepUpTerms) })),
  };
  const sql = withSql
    ? {
        continuation: await time(
          async () =>
            continuationOf({ asOf, by: 'cohort', maxDelivery: K, fromOrders: false, counts: await continuationCounts({ ...ws, ...continuationTerms }) }),
          1,
        ),
        cancellations: await time(
          async () => cancellationsOf({ ...cancellationTerms, counts: await cancellationCounts({ ...ws, ...cancellationTerms }), labels: new Map() }),
          1,
        ),
        stepUp: await time(async () => stepUpOf({ ...stepUpTerms, tally: await stepUpTally({ ...ws, ...stepUpTerms }) }), 1),
      }
    : null;

  // DuckDB: the subscriptions, their history, the customers and their trial purchase days exported once (timed apart).
  const tz = `'${workspace.timezone.replaceAll("'", "''")}'`;
  const wsId = Number(workspace.id);
  const file = (name: string) => path.join(directory, `${name}.tsv`);
  let startedAt = performance.now();
  await exportTsv(
    pool,
    `select id, customer_id, ${localDate('started_at', tz)}, ${localDate('cancelled_at', tz)}, deliveries, cancel_reason from subscriptions where workspace_id = ${wsId}`,
    file('subscriptions'),
  );
  await exportTsv(
    pool,
    `select subscription_id, ${localDate('changed_at', tz)}, status, row_number() over (partition by subscription_id order by changed_at, id) from subscription_status_changes where workspace_id = ${wsId}`,
    file('history'),
  );
  await exportTsv(
    pool,
    `select id, ${localDate(firstPurchaseEverSql('c'), tz)}, attributes->>'acquisition_source' from customers c where workspace_id = ${wsId} and ${firstPurchaseEverSql('c')} is not null`,
    file('customers'),
  );
  await exportTsv(
    pool,
    `select distinct o.customer_id, ${localDate('o.ordered_at', tz)} from orders o join order_items i on i.order_id = o.id join products p on p.id = i.product_id
      where o.workspace_id = ${wsId} and p.is_trial and ${purchaseCondition('o')}`,
    file('trial_days'),
  );
  const exportSeconds = (performance.now() - startedAt) / 1000;
  startedAt = performance.now();
  const read = (name: string, columns: string) =>
    `create or replace table ${name} as select * from read_csv('${file(name)}', delim = '\t', header = false, nullstr = '\\N', columns = ${columns})`;
  await duck.run(
    read(
      'subscriptions',
      "{ 'id': 'BIGINT', 'customer_id': 'BIGINT', 'start_day': 'DATE', 'cancel_day': 'DATE', 'deliveries': 'INTEGER', 'reason': 'VARCHAR' }",
    ),
  );
  await duck.run(read('history', "{ 'sid': 'BIGINT', 'day': 'DATE', 'status': 'VARCHAR', 'seq': 'BIGINT' }"));
  await duck.run(read('customers', "{ 'id': 'BIGINT', 'first_day': 'DATE', 'source': 'VARCHAR' }"));
  await duck.run(read('trial_days', "{ 'customer_id': 'BIGINT', 'day': 'DATE' }"));
  const duckLoadSeconds = (performance.now() - startedAt) / 1000;
  const rowsOf = async (query: string) => (await duck.runAndReadAll(query)).getRowObjectsJson();
  const baseline = {
    continuation: await time(() =>
      rowsOf(`
      with last as (select sid, arg_max(status, seq) as status from history where day < date '${asOf}' group by sid),
      st as (select strftime(s.start_day, '%Y-%m') as cohort, s.deliveries as d,
                    (s.cancel_day < date '${asOf}' or coalesce(l.status, 'active') = 'cancelled') as cancelled
               from subscriptions s left join last l on l.sid = s.id where s.start_day < date '${asOf}')
      select cohort, k, count(*) filter (where d >= k + 1) as continued, count(*) filter (where cancelled and d = k) as stopped
        from st, range(1, ${K + 1}) r(k) where d >= k group by 1, 2`),
    ),
    cancellations: await time(() =>
      rowsOf(`
      select reason, least(deliveries, ${K + 1}) as j, date_trunc('month', cancel_day) as month, count(*) as n
        from subscriptions where cancel_day >= date '${period.from}' and cancel_day < date '${period.to}' group by 1, 2, 3`),
    ),
    stepUp: await time(() =>
      rowsOf(`
      with starters as (select c.id, c.first_day from customers c semi join trial_days t on t.customer_id = c.id and t.day = c.first_day
                         where c.first_day >= date '${period.from}' and c.first_day < least(date '${period.to}', date '${asOf}'))
      select date_trunc('month', st.first_day) as month, count(*) as trial,
             count(*) filter (where exists (select 1 from subscriptions s where s.customer_id = st.id and s.start_day >= st.first_day
                                              and s.start_day <= st.first_day + ${W} and s.start_day < date '${asOf}')) as stepped
        from starters st group by 1`),
    ),
  };

  // Cross-checks, figure by figure.
  const duckContinuation = new Map(baseline.continuation.result.map((row) => [`${row.cohort}|${row.k}`, [Number(row.continued), Number(row.stopped)]]));
  const continuationAgree =
    ours.continuation.result.groups.every((group) =>
      group.rows.every((row) => {
        const [continued, stopped] = duckContinuation.get(`${group.key}|${row.delivery}`) ?? [0, 0];
        return row.continued === continued && row.stopped === stopped;
      }),
    ) && baseline.continuation.result.every((row) => ours.continuation.result.groups.some((group) => group.key === row.cohort));
  const duckReasons = new Map<string, number>();
  for (const row of baseline.cancellations.result) duckReasons.set(String(row.reason), (duckReasons.get(String(row.reason)) ?? 0) + Number(row.n));
  const cancellationsAgree =
    ours.cancellations.result.reasons.every((reason) => duckReasons.get(String(reason.code)) === reason.count) &&
    duckReasons.size === ours.cancellations.result.reasons.length;
  const duckStepUp = new Map(baseline.stepUp.result.map((row) => [String(row.month).slice(0, 10), [Number(row.trial), Number(row.stepped)]]));
  const stepUpAgree = ours.stepUp.result.cohorts.every((cohort) => {
    const [trial, stepped] = duckStepUp.get(cohort.bucket) ?? [0, 0];
    return cohort.trialCustomers === trial && cohort.steppedUp === stepped;
  });
  const sqlAgree = sql
    ? JSON.stringify(sql.continuation.result) === JSON.stringify(ours.continuation.result) &&
      JSON.stringify(sql.cancellations.result) === JSON.stringify(ours.cancellations.result) &&
      JSON.stringify(sql.stepUp.result) === JSON.stringify(ours.stepUp.result)
    : null;

  const total = ours.continuation.result.total;
  lines.push(
    `continuation (all cohorts, as of ${asOf}): ${total.rows
      .slice(0, 6)
      .map((row) => `k=${row.delivery} ${row.rate === null ? '-' : `${(row.rate * 100).toFixed(1)}%`}`)
      .join(
        ', ',
      )}; step-up within ${W} days ${((ours.stepUp.result.total.rate ?? 0) * 100).toFixed(1)}% of ${ours.stepUp.result.total.trialCustomers.toLocaleString('en-US')} trial buyers`,
    `DuckDB subscription baseline needs an export first: ${exportSeconds.toFixed(1)} s out of PostgreSQL, ${duckLoadSeconds.toFixed(1)} s into DuckDB`,
    `cross-checks (subscriptions): continuation by cohort = DuckDB: ${continuationAgree ? 'yes' : 'NO'}; cancellation reasons = DuckDB: ${cancellationsAgree ? 'yes' : 'NO'}; step-up by cohort = DuckDB: ${stepUpAgree ? 'yes' : 'NO'}` +
      (sqlAgree === null ? '' : `; engine = SQL reference: ${sqlAgree ? 'yes' : 'NO'}`),
  );
  const over = [ours.continuation, ours.cancellations, ours.stepUp].filter((timing) => timing.seconds >= 0.3).length;
  lines.push(`goal: each subscription analysis under 300 ms — ${over === 0 ? 'met' : `NOT met for ${over}`}`);
  return {
    rows: [
      {
        label: `continuation by delivery (K=${K}) split by ${ours.continuation.result.groups.length} start months`,
        engine: ours.continuation.seconds,
        duckdb: baseline.continuation.seconds,
        sql: sql?.continuation.seconds ?? null,
      },
      {
        label: `cancellations: 12 months, reasons ranked, by delivery`,
        engine: ours.cancellations.seconds,
        duckdb: baseline.cancellations.seconds,
        sql: sql?.cancellations.seconds ?? null,
      },
      {
        label: `step-up rate within ${W} days, 12 trial cohorts, by source`,
        engine: ours.stepUp.seconds,
        duckdb: baseline.stepUp.seconds,
        sql: sql?.stepUp.seconds ?? null,
      },
    ],
    lines,
    agree: continuationAgree && cancellationsAgree && stepUpAgree && sqlAgree !== false,
  };
}
