import type pg from 'pg';
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import { localDateOf } from '../shared/time.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { listChurned, type ChurnList } from './churn.ts';
import { churnStatusOfCustomer, CustomerChurnStatus } from './churn-status.ts';
import { proposeChurnWindow, type ChurnWindowProposal } from './churn-window.ts';
import { customerValueOf, StoredCustomerValue } from './customer-value/read-values.ts';
import { runCustomerValue } from './customer-value/run.ts';
import type { CustomerValueRun, CustomerValueTerms } from './customer-value/terms.ts';
import type { AnalyticsEngine, EngineChoice } from './engine/analytics-engine.ts';
import { snapshotChurned, snapshotChurnProposal, snapshotChurnStatus } from './engine/churn.ts';
import { snapshotF2, snapshotRepeatRates } from './engine/customer-base.ts';
import { snapshotPurchaseRows } from './engine/snapshot/model-rows.ts';
import type { PurchaseSnapshot } from './engine/snapshot/purchase-snapshot.ts';
import type { SubscribedCustomers } from './engine/subscribed-customers.ts';
import { snapshotRetention } from './engine/retention.ts';
import { rfmTableOf, snapshotRfmCustomers, snapshotRfmOfCustomer } from './engine/rfm-customers.ts';
import { snapshotRfmSummary } from './engine/rfm.ts';
import { snapshotSales } from './engine/sales.ts';
import { addMonths, bucketStart, checkSeries, requireCalendarDate, type Comparison, type Granularity, type Period } from './periods.ts';
import { snapshotCancellationCounts, snapshotStepUpTally, snapshotSubscriberCounts } from './engine/subscriptions/base.ts';
import { snapshotContinuationCounts } from './engine/subscriptions/continuation.ts';
import { cancellationCounts, cancellationsOf, type Cancellations } from './subscriptions/cancellations.ts';
import { continuationCounts, continuationOf, type Continuation } from './subscriptions/continuation.ts';
import { cancelReasonLabels } from './subscriptions/reason-labels.ts';
import { stepUpOf, stepUpTally, type StepUp } from './subscriptions/step-up.ts';
import { measuredDates, subscriberCounts, subscribersOf, type Subscribers } from './subscriptions/subscribers.ts';
import { checkMaxDelivery, checkSplit, checkStepUpWindow, DEFAULT_MAX_DELIVERY, DEFAULT_STEP_UP_DAYS, type ContinuationSplit } from './subscriptions/terms.ts';
import { checkF2Terms, f2AsOf, f2Conversion, repeatRates, type F2Conversion, type RepeatRates } from './repeat-f2.ts';
import { checkRetentionTerms, cohortRetention, type CohortRetention } from './retention.ts';
import { listRfmCustomers, rfmOfCustomer, rfmScores, CustomerRfm, type RfmSummary } from './rfm.ts';
import { Day } from './result-shapes.ts';
import type { RfmSegmentCode } from './rfm-segments.ts';
import { decomposeSales, type SalesDecomposition } from './sales-decomposition.ts';
import { differenceBy, type DifferenceDimension, type SalesDifference } from './sales-difference.ts';

/**
 * One function per analysis, the one the edges call (HTTP routes, CLI commands): it applies
 * the analysis's defaults (`asOf` today in the workspace's time zone by the injected clock,
 * `to` = asOf, …), refuses terms beyond the bounds of periods.ts before anything is loaded,
 * and picks the implementation: the in-memory engine, or the SQL reference when asked
 * (`engine: 'sql'`) or when the data is beyond the engine (AnalyticsEngine.run).
 */

/** What every analysis reads: the database, the process's analytics engine and the clock. */
export interface AnalysisDeps {
  pool: pg.Pool;
  analytics: AnalyticsEngine;
  clock: Clock;
}

/** The workspace analysed and, optionally, which implementation answers (default: memory). */
interface Subject {
  workspace: Workspace;
  engine?: EngineChoice;
}

/** Who has a subscription, as the engine holds it for the snapshot's workspace and time zone. */
function subscribedOf(analytics: AnalyticsEngine, snapshot: PurchaseSnapshot): Promise<SubscribedCustomers> {
  return analytics.subscribedCustomers(snapshot.workspaceId, snapshot.timezone);
}

/** Today in the workspace's time zone by `clock`: the default "as of" of the analyses of the customer base. */
export function todayIn(workspace: Workspace, clock: Clock): string {
  return localDateOf(clock.now(), workspace.timezone);
}

export const DEFAULT_GRANULARITY: Granularity = 'month';
export const DEFAULT_F2_WITHIN_DAYS = 90;
export const DEFAULT_RETENTION_MONTHS = 12;
export const DEFAULT_PAGE_SIZE = 50;

/** Sales decomposition of a period (sales-decomposition.ts); compared with the previous period and a year earlier unless `compare` says otherwise. */
export function analyseSales(
  deps: AnalysisDeps,
  params: Subject & { period: Period; granularity?: Granularity; compare?: readonly Comparison[] },
): Promise<SalesDecomposition> {
  const { pool, analytics } = deps;
  const { workspace, period, compare } = params;
  const granularity = params.granularity ?? DEFAULT_GRANULARITY;
  checkSeries(period, granularity);
  return analytics.run(
    workspace.id,
    (snapshot) => snapshotSales(snapshot, { period, granularity, compare }),
    () => decomposeSales({ pool, workspaceId: workspace.id, period, granularity, compare }),
    params.engine,
  );
}

/** The change of sales split by a dimension (sales-difference.ts; SQL only); compared with the previous period by default. */
export function analyseSalesDifference(
  deps: AnalysisDeps,
  params: { workspace: Workspace; period: Period; dimension: DifferenceDimension; compare?: Comparison },
): Promise<SalesDifference> {
  return differenceBy({
    pool: deps.pool,
    workspaceId: params.workspace.id,
    period: params.period,
    compare: params.compare ?? 'previous',
    dimension: params.dimension,
  });
}

/** Repeat rate of a period and of each bucket (repeat-f2.ts). */
export function analyseRepeat(deps: AnalysisDeps, params: Subject & { period: Period; granularity?: Granularity }): Promise<RepeatRates> {
  const { pool, analytics } = deps;
  const { workspace, period } = params;
  const granularity = params.granularity ?? DEFAULT_GRANULARITY;
  checkSeries(period, granularity);
  return analytics.run(
    workspace.id,
    (snapshot) => snapshotRepeatRates(snapshot, { period, granularity }),
    () => repeatRates({ pool, workspaceId: workspace.id, period, granularity }),
    params.engine,
  );
}

/** F2 conversion of the cohorts of first purchases in a period (repeat-f2.ts); asOf defaults to the day after the latest order. */
export function analyseF2(
  deps: AnalysisDeps,
  params: Subject & { period: Period; granularity?: Granularity; within?: number; asOf?: string },
): Promise<F2Conversion> {
  const { pool, analytics } = deps;
  const { workspace, period } = params;
  const granularity = params.granularity ?? DEFAULT_GRANULARITY;
  const within = params.within ?? DEFAULT_F2_WITHIN_DAYS;
  checkF2Terms({ period, granularity, within });
  return analytics.run(
    workspace.id,
    async (snapshot) => {
      const asOf = await f2AsOf({ pool, workspaceId: workspace.id, timezone: workspace.timezone, period, asOf: params.asOf });
      return snapshotF2(snapshot, { period, granularity, within, asOf });
    },
    () => f2Conversion({ pool, workspaceId: workspace.id, period, granularity, within, asOf: params.asOf }),
    params.engine,
  );
}

/** Cohort retention (retention.ts): asOf today, cohorts from 12 months before `to` (default asOf), offsets 0..12 unless given. */
export function analyseRetention(
  deps: AnalysisDeps,
  params: Subject & { from?: string; to?: string; months?: number; asOf?: string },
): Promise<CohortRetention> {
  const { pool, analytics, clock } = deps;
  const { workspace } = params;
  const asOf = params.asOf ?? todayIn(workspace, clock);
  const to = params.to ?? asOf;
  const from = params.from ?? addMonths(to, -12);
  const months = params.months ?? DEFAULT_RETENTION_MONTHS;
  checkRetentionTerms({ from, to, months, asOf });
  return analytics.run(
    workspace.id,
    (snapshot) => snapshotRetention(snapshot, { from, to, months, asOf }),
    () => cohortRetention({ pool, workspaceId: workspace.id, from, to, months, asOf }),
    params.engine,
  );
}

/** Churned customers, most valuable first, with the rate (churn.ts): asOf today; the window given, else the setting, else the proposal. */
export function analyseChurn(deps: AnalysisDeps, params: Subject & { asOf?: string; window?: number; limit?: number; cursor?: string }): Promise<ChurnList> {
  const { pool, analytics, clock } = deps;
  const { workspace, window, cursor } = params;
  const asOf = params.asOf ?? todayIn(workspace, clock);
  const limit = params.limit ?? DEFAULT_PAGE_SIZE;
  return analytics.run(
    workspace.id,
    async (snapshot) => snapshotChurned({ pool, snapshot, subscribed: await subscribedOf(analytics, snapshot), asOf, window, limit, cursor }),
    () => listChurned({ pool, workspaceId: workspace.id, asOf, window, limit, cursor }),
    params.engine,
  );
}

/** The churn window proposed from the inter-purchase intervals (churn-window.ts), of all purchases or those before `asOf`. */
export function analyseChurnWindow(deps: AnalysisDeps, params: Subject & { asOf?: string }): Promise<ChurnWindowProposal> {
  const { workspace, asOf } = params;
  return deps.analytics.run(
    workspace.id,
    async (snapshot) => snapshotChurnProposal(snapshot, await subscribedOf(deps.analytics, snapshot), asOf),
    () => proposeChurnWindow({ pool: deps.pool, workspaceId: workspace.id, asOf }),
    params.engine,
  );
}

/** RFM: the grid, the segments and the boundaries (rfm.ts), as of today unless given. */
export function analyseRfm(deps: AnalysisDeps, params: Subject & { asOf?: string }): Promise<RfmSummary> {
  const { workspace } = params;
  const asOf = params.asOf ?? todayIn(workspace, deps.clock);
  return deps.analytics.run(
    workspace.id,
    async (snapshot) =>
      snapshotRfmSummary(snapshot, await rfmTableOf({ pool: deps.pool, snapshot, subscribed: await subscribedOf(deps.analytics, snapshot), asOf })),
    () => rfmScores({ pool: deps.pool, workspaceId: workspace.id, asOf }),
    params.engine,
  );
}

/** A page of customers with their RFM (rfm.ts), in customer id order, as of today unless given. */
export async function analyseRfmCustomers(deps: AnalysisDeps, params: Subject & { asOf?: string; segment?: RfmSegmentCode; limit?: number; cursor?: string }) {
  const { pool, analytics, clock } = deps;
  const { workspace, segment, cursor } = params;
  const asOf = params.asOf ?? todayIn(workspace, clock);
  const limit = params.limit ?? DEFAULT_PAGE_SIZE;
  const page = await analytics.run(
    workspace.id,
    async (snapshot) => snapshotRfmCustomers({ pool, snapshot, subscribed: await subscribedOf(analytics, snapshot), asOf, segment, limit, cursor }),
    () => listRfmCustomers({ pool, workspaceId: workspace.id, asOf, segment, limit, cursor }),
    params.engine,
  );
  return { asOf, ...page };
}

/** A customer's analytics: RFM, churn status and predicted value. */
export const CustomerAnalytics = z
  .object({
    asOf: Day.describe('The date the RFM and the churn status are as of'),
    rfm: CustomerRfm.nullable().describe('Null when the customer had no purchase before asOf'),
    churn: CustomerChurnStatus.nullable().describe(
      "The churn status with its reason (churn.ts: days since the last purchase against the window; a subscriber is never churned). Not the recency score, which is relative to the base; RFM's 離反 segment is this status. Null when the customer had no purchase before asOf",
    ),
    value: StoredCustomerValue.nullable().describe(
      'From the last customer value run; null without a run or when the customer had no purchase by its calibration end',
    ),
  })
  .meta({ id: 'CustomerAnalytics' });
export type CustomerAnalytics = z.infer<typeof CustomerAnalytics>;

/** One customer's RFM (scored against the whole base, as of today unless given), churn status and stored predicted value. */
export async function analyseCustomer(deps: AnalysisDeps, params: Subject & { customerId: string; asOf?: string }): Promise<CustomerAnalytics> {
  const { pool, analytics, clock } = deps;
  const { workspace, customerId } = params;
  const asOf = params.asOf ?? todayIn(workspace, clock);
  const [{ rfm, churn }, value] = await Promise.all([
    analytics.run(
      workspace.id,
      async (snapshot) => {
        const subscribed = await subscribedOf(analytics, snapshot);
        const rfm = await snapshotRfmOfCustomer({ pool, snapshot, subscribed, asOf, customerId });
        return { rfm, churn: await snapshotChurnStatus({ pool, snapshot, subscribed, asOf, customerId }) };
      },
      async () => {
        const rfm = await rfmOfCustomer({ pool, workspaceId: workspace.id, asOf, customerId });
        return { rfm, churn: await churnStatusOfCustomer({ pool, workspaceId: workspace.id, asOf, customerId }) };
      },
      params.engine,
    ),
    customerValueOf({ pool, workspaceId: workspace.id, customerId }),
  ]);
  return { asOf, rfm, churn, value };
}

/** Predicts and stores every customer's value (customer-value/run.ts), from the engine's purchases (shared with the other analyses) unless asked for SQL. */
export function predictCustomerValues(deps: AnalysisDeps, params: Subject & Partial<CustomerValueTerms>): Promise<CustomerValueRun> {
  const { pool, analytics, clock } = deps;
  const { workspace, engine, ...terms } = params;
  return analytics.run(
    workspace.id,
    (snapshot) => runCustomerValue({ pool, workspaceId: workspace.id, ...terms, clock, purchases: async () => snapshotPurchaseRows(snapshot) }),
    () => runCustomerValue({ pool, workspaceId: workspace.id, ...terms, clock }),
    engine,
  );
}

/**
 * Continuation by delivery number (subscriptions/continuation.ts) as of `asOf` (default today),
 * whole and split `by` start month, course, first product or source, for k = 1 … maxDelivery
 * (default 24). For an asOf before today the deliveries come from the orders naming the
 * subscriptions where there are such orders (`deliveriesCountedFrom: 'orders'`).
 */
export async function analyseContinuation(
  deps: AnalysisDeps,
  params: Subject & { asOf?: string; by?: ContinuationSplit; maxDelivery?: number },
): Promise<Continuation> {
  const { pool, analytics, clock } = deps;
  const { workspace, by } = params;
  const today = todayIn(workspace, clock);
  const asOf = params.asOf ?? today;
  const maxDelivery = params.maxDelivery ?? DEFAULT_MAX_DELIVERY;
  requireCalendarDate(asOf, 'asOf');
  checkSplit(by);
  checkMaxDelivery(maxDelivery);
  const terms = { asOf, grouping: by ?? null, maxDelivery, fromOrders: asOf < today };
  const counts = await analytics.runSubscriptions(
    workspace.id,
    (snapshot) => snapshotContinuationCounts(snapshot, terms),
    () => continuationCounts({ pool, workspaceId: workspace.id, ...terms }),
    params.engine,
  );
  return continuationOf({ asOf, by: by ?? null, maxDelivery, fromOrders: terms.fromOrders, counts });
}

/** The first local date of the 12th month before today's: the default start of the series over time (12 whole months and the current one). */
function yearBefore(today: string): string {
  return addMonths(bucketStart(today, 'month'), -12);
}

/**
 * Cancellations per bucket of [from, to) (default: from the month a year before today's to
 * today), the reasons ranked and the reasons by delivery number (subscriptions/cancellations.ts).
 */
export async function analyseCancellations(
  deps: AnalysisDeps,
  params: Subject & { from?: string; to?: string; granularity?: Granularity; maxDelivery?: number },
): Promise<Cancellations> {
  const { pool, analytics, clock } = deps;
  const { workspace } = params;
  const today = todayIn(workspace, clock);
  const period = { from: params.from ?? yearBefore(params.to ?? today), to: params.to ?? today };
  const granularity = params.granularity ?? DEFAULT_GRANULARITY;
  const maxDelivery = params.maxDelivery ?? DEFAULT_MAX_DELIVERY;
  checkSeries(period, granularity);
  checkMaxDelivery(maxDelivery);
  const terms = { period, granularity, maxDelivery };
  const [counts, labels] = await Promise.all([
    analytics.runSubscriptions(
      workspace.id,
      (snapshot) => snapshotCancellationCounts(snapshot, terms),
      () => cancellationCounts({ pool, workspaceId: workspace.id, ...terms }),
      params.engine,
    ),
    cancelReasonLabels(pool, workspace.id),
  ]);
  return cancellationsOf({ ...terms, counts, labels });
}

/**
 * The step-up rate of the trial starters of a period, per cohort and by source, within W days
 * (default 60), with what is dated before asOf (default today) (subscriptions/step-up.ts).
 */
export async function analyseStepUp(
  deps: AnalysisDeps,
  params: Subject & { period: Period; granularity?: Granularity; within?: number; asOf?: string },
): Promise<StepUp> {
  const { pool, analytics, clock } = deps;
  const { workspace, period } = params;
  const asOf = params.asOf ?? todayIn(workspace, clock);
  const granularity = params.granularity ?? DEFAULT_GRANULARITY;
  const within = params.within ?? DEFAULT_STEP_UP_DAYS;
  checkSeries(period, granularity);
  checkStepUpWindow(within);
  requireCalendarDate(asOf, 'asOf');
  const terms = { period, granularity, within, asOf };
  const tally = await analytics.runSubscriptions(
    workspace.id,
    (snapshot) => snapshotStepUpTally(snapshot, terms),
    () => stepUpTally({ pool, workspaceId: workspace.id, ...terms }),
    params.engine,
  );
  return stepUpOf({ ...terms, tally });
}

/**
 * Subscriptions in force (active, paused) and subscribers at the end of each bucket of
 * [from, to) (default: from the month a year before asOf's to asOf), none measured after asOf
 * (default today) (subscriptions/subscribers.ts).
 */
export async function analyseSubscribers(
  deps: AnalysisDeps,
  params: Subject & { from?: string; to?: string; granularity?: Granularity; asOf?: string },
): Promise<Subscribers> {
  const { pool, analytics, clock } = deps;
  const { workspace } = params;
  const asOf = params.asOf ?? todayIn(workspace, clock);
  requireCalendarDate(asOf, 'asOf');
  const period = { from: params.from ?? yearBefore(params.to ?? asOf), to: params.to ?? asOf };
  const granularity = params.granularity ?? DEFAULT_GRANULARITY;
  checkSeries(period, granularity);
  const dates = measuredDates(period, granularity, asOf);
  const counts = await analytics.runSubscriptions(
    workspace.id,
    (snapshot) => snapshotSubscriberCounts(snapshot, dates),
    () => subscriberCounts({ pool, workspaceId: workspace.id, dates }),
    params.engine,
  );
  return subscribersOf({ period, granularity, asOf, counts });
}
