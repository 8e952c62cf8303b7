import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEFAULT_BOARD_BUCKETS, KpiBoard, kpiBoardOf, MAX_BOARD_BUCKETS } from '../../../kpis/board.ts';
import { DEFAULT_TOLERANCE, KPI_FILTER_KEYS, KPI_GRANULARITIES, KPI_METRICS, KpiChanges, KpiInput } from '../../../kpis/definition.ts';
import { TREND_BUCKETS, TREND_FLAT_BAND, TREND_MIN_POINTS } from '../../../kpis/status.ts';
import { KPI_TREE_NAMES, NoKpiBaseline, SeededKpiTree, seedKpiTree } from '../../../kpis/seed-tree.ts';
import { createKpi, DeletedKpis, deleteKpi, Kpi, KpiList, listKpis, readKpi, updateKpi } from '../../../kpis/store.ts';
import type { AppDeps } from '../../app.ts';
import { authorizeWorkspace } from '../../auth.ts';
import { ErrorBody } from '../../errors.ts';
import { WorkspaceParams } from '../workspaces.ts';
import { analysisDepsOf, asOfParam } from './parameters.ts';
import { todayIn } from '../../../analytics/analyses.ts';
import { systemClock } from '../../../shared/clock.ts';

/**
 * KPIs under /workspaces/{workspace}/analytics/kpis: the tree (list, create, read, change,
 * delete), the board and the tree seeded from the sales decomposition. A request body is
 * checked at the edge against the domain's own schemas (KpiInput, KpiChanges), so a field
 * of the wrong shape is a 400 naming it; what needs the whole definition or the other KPIs
 * (a filter the metric cannot take, a share above 1, an unknown parent, a cycle) is the
 * domain's 422, a name already taken or a KPI with KPIs below it 409.
 */

const KPI = `A KPI is a metric of the analyses (${KPI_METRICS.join(', ')}) with optional filters (sales metrics only, one dimension: ${KPI_FILTER_KEYS.join(', ')}), a granularity (week: ISO weeks, Monday to Sunday; month), a target per bucket (a sum per bucket for sales, customers and purchases; the quotient itself for frequency, items per purchase and price per item; a share from 0 to 1 for the rates), a direction and a tolerance. KPIs form a tree through parentId.`;

const STATUS_RULE = `Status of the current bucket (the one holding asOf − 1, measured to asOf): expected = the bucket's target, pro-rated by days elapsed ÷ days in the bucket for additive metrics (sales, customers, purchases, cancellation_rate), the target itself for the others; pace = actual ÷ expected; with tolerance t, a higher-is-better KPI is ahead when pace > 1 + t, behind when pace < 1 − t, on_track in between (lower-is-better the other way round); no_data without an actual. F2 conversion and the step-up rate are judged on the latest cohort whose window is over; the continuation rate on the latest start cohort with a decided subscription. Per bucket, active_subscribers counts the customers with a subscription in force at the bucket's end (as of asOf for the current one); continuation_rate (deliveryNumber k) is rate(k) of the subscriptions started in the bucket, as of asOf; cancellation_rate is cancelled in the bucket ÷ in force at its start, pro-rated like a sum in the current bucket; step_up_rate (within W) is the step-up rate of the trial buyers whose first purchase is in the bucket. Trend: least-squares slope of the last ${TREND_BUCKETS} complete buckets with an actual, relative to their mean level: up above ${TREND_FLAT_BAND * 100} % per bucket, down below −${TREND_FLAT_BAND * 100} %, flat in between; insufficient_data with fewer than ${TREND_MIN_POINTS} points.`;

const SeedTerms = z
  .object({
    salesTarget: z.number().positive().describe('The sales target per bucket of the root KPI'),
    granularity: z.enum(KPI_GRANULARITIES).default('month'),
    asOf: asOfParam.describe("The baseline is the last complete bucket before this local date (default: today in the workspace's time zone)"),
  })
  .meta({ id: 'KpiSeedTerms' });

// At most 18 digits: every such id fits the bigint column, so a long one is a 400, not a database error.
const KpiParams = WorkspaceParams.extend({
  kpiId: z
    .string()
    .regex(/^\d{1,18}$/, 'a KPI id is a whole number')
    .describe("The KPI's id"),
});

const readErrors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };
const writeErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
const WRITE = 'Needs the write permission (every role but read_only).';

export function kpiRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db, pool } = deps.database;
  return async (app) => {
    app.get(
      '/workspaces/:workspace/analytics/kpis',
      {
        schema: {
          tags: ['analytics'],
          summary: "The workspace's KPIs as a tree",
          description: `${KPI} Listed in tree order, each with its depth.`,
          params: WorkspaceParams,
          response: { 200: KpiList, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return { items: await listKpis({ pool, workspaceId: workspace.id }) };
      },
    );

    app.post(
      '/workspaces/:workspace/analytics/kpis',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Create a KPI',
          description: `${KPI} Defaults: no filters, no overrides, the metric's direction (lower_is_better for churn_rate and cancellation_rate), a tolerance of ±${DEFAULT_TOLERANCE * 100} %, no parent. A field of the wrong shape is a 400; a definition that does not hold together (a filter the metric cannot take, a share above 1, an override that is not the first date of a bucket, a parent that is not a KPI of the workspace) a 422; a name already taken a 409. ${WRITE}`,
          params: WorkspaceParams,
          body: KpiInput.meta({ id: 'NewKpi' }),
          response: { 201: Kpi, ...writeErrors },
        },
      },
      async (request, reply) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        return reply.status(201).send(await createKpi({ pool, workspaceId: workspace.id, input: request.body }));
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/kpis/board',
      {
        schema: {
          tags: ['analytics'],
          summary: "The KPI board: every KPI's actual per bucket, its target and attainment, the current bucket's status and the trend",
          description: `${STATUS_RULE} Actuals are read from the analyses themselves (sales decomposition and difference, repeat rate, F2 conversion, churn), so a KPI says what the analysis of the same dates says.`,
          params: WorkspaceParams,
          querystring: z.object({
            asOf: asOfParam.describe("Read the data to this local date, excluded (default: today in the workspace's time zone)"),
            buckets: z.coerce.number().int().min(1).max(MAX_BOARD_BUCKETS).default(DEFAULT_BOARD_BUCKETS).describe('Buckets shown before the current one'),
          }),
          response: { 200: KpiBoard, ...readErrors, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return kpiBoardOf(analysisDepsOf(deps), { workspace, ...request.query });
      },
    );

    app.post(
      '/workspaces/:workspace/analytics/kpis/seed',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Seed the KPI tree from the sales decomposition: sales at the root, its four factors below it',
          description: `Creates ${KPI_TREE_NAMES.sales} (sales, target salesTarget per bucket) and below it ${KPI_TREE_NAMES.customers} (customers), ${KPI_TREE_NAMES.frequency} (frequency), ${KPI_TREE_NAMES.itemsPerPurchase} (items per purchase) and ${KPI_TREE_NAMES.pricePerItem} (price per item). Against the baseline's sales S0, each factor's target is its baseline value × (T ÷ S0)^(1/4): the planned change split evenly in log terms, so the four targets multiply to the sales target. 201 with the tree; 200 with outcome no_baseline (nothing created) when the baseline bucket has no sales; 409 when a KPI already has one of the names. ${WRITE}`,
          params: WorkspaceParams,
          body: SeedTerms,
          response: { 201: SeededKpiTree, 200: NoKpiBaseline, ...writeErrors },
        },
      },
      async (request, reply) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        const { salesTarget, granularity, asOf } = request.body;
        const tree = await seedKpiTree({
          pool,
          workspaceId: workspace.id,
          salesTarget,
          granularity,
          asOf: asOf ?? todayIn(workspace, deps.clock ?? systemClock),
        });
        return reply.status(tree.outcome === 'seeded' ? 201 : 200).send(tree);
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/kpis/:kpiId',
      {
        schema: {
          tags: ['analytics'],
          summary: 'One KPI',
          description: KPI,
          params: KpiParams,
          response: { 200: Kpi, ...readErrors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return readKpi({ pool, workspaceId: workspace.id, kpiId: request.params.kpiId });
      },
    );

    app.patch(
      '/workspaces/:workspace/analytics/kpis/:kpiId',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Change a KPI: the fields given, the others kept',
          description: `The result must be a valid KPI as a whole (a new metric must accept the filters kept). A new metric without a direction takes the new metric's default direction; targetOverrides replaces every override; parentId null makes the KPI a root, and a parent below the KPI is refused (422: the tree would have a cycle). ${WRITE}`,
          params: KpiParams,
          body: KpiChanges.meta({ id: 'KpiChanges' }),
          response: { 200: Kpi, ...writeErrors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        return updateKpi({ pool, workspaceId: workspace.id, kpiId: request.params.kpiId, changes: request.body });
      },
    );

    app.delete(
      '/workspaces/:workspace/analytics/kpis/:kpiId',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Delete a KPI (with withDescendants, its whole subtree)',
          description: `A KPI with KPIs below it is refused (409, naming them) unless withDescendants=true. ${WRITE}`,
          params: KpiParams,
          querystring: z.object({
            withDescendants: z
              .enum(['true', 'false'])
              .default('false')
              .transform((text) => text === 'true')
              .describe('Also delete every KPI below it'),
          }),
          response: { 200: DeletedKpis, ...writeErrors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        const { kpiId } = request.params;
        return deleteKpi({ pool, workspaceId: workspace.id, kpiId, withDescendants: request.query.withDescendants });
      },
    );
  };
}
