import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { analyseF2, analyseRepeat, analyseSales, analyseSalesDifference } from '../../../analytics/analyses.ts';
import { COMPARISONS } from '../../../analytics/periods.ts';
import { DIMENSION_KINDS } from '../../../analytics/sales-difference.ts';
import { SalesChange, SalesDecomposition, SalesTotals } from '../../../analytics/sales-decomposition.ts';
import { F2Conversion, RepeatRates } from '../../../analytics/repeat-f2.ts';
import type { AppDeps } from '../../app.ts';
import { authorizeWorkspace } from '../../auth.ts';
import { ErrorBody } from '../../errors.ts';
import { WorkspaceParams } from '../workspaces.ts';
import {
  analysisDepsOf,
  asOfParam,
  comparisonListParam,
  comparisonParam,
  dimensionParam,
  engineParam,
  f2WithinParam,
  granularityParam,
  periodOf,
  periodShape,
  refusePeriodBackwards,
} from './parameters.ts';
import { AnalyticsPeriod, Quotient } from '../../../analytics/result-shapes.ts';

const PURCHASE =
  "A purchase is an order neither cancelled nor returned; its amount is Σ quantity × unit price of its items, its items Σ quantity. It belongs to the local day of its order time in the workspace's time zone.";

const DifferenceDimension = z
  .union([z.object({ kind: z.enum(DIMENSION_KINDS.filter((kind) => kind !== 'attribute')) }), z.object({ kind: z.literal('attribute'), key: z.string() })])
  .meta({ id: 'DifferenceDimension' });

const SalesDifference = z
  .object({
    dimension: DifferenceDimension,
    period: AnalyticsPeriod,
    comparison: z.enum(COMPARISONS),
    comparedPeriod: AnalyticsPeriod,
    totals: z.object({ current: SalesTotals, compared: SalesTotals, change: SalesChange }),
    overlap: z
      .enum(['none', 'customers', 'customers_and_purchases'])
      .describe(
        'What the groups share. none (customer dimensions): every sum adds up to the totals. customers (order dimensions): a customer can be in several groups, so customers add up to more. customers_and_purchases (product, category): a purchase also counts in every group it holds items of; items and sales add up.',
      ),
    groups: z
      .array(
        z.object({
          key: z.string().nullable().describe("The group's value; null when not recorded"),
          name: z.string().nullable().describe("The product's name when by=product, else null"),
          current: SalesTotals,
          compared: SalesTotals,
          contribution: Quotient.describe("(S1g − S0g) ÷ (S1 − S0): the group's share of the change in total sales; null when total sales did not change"),
          change: SalesChange,
        }),
      )
      .describe('Groups seen in either period, by contribution, largest first (by the size of their own change when total sales did not change)'),
  })
  .meta({ id: 'SalesDifference' });

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 422: ErrorBody };

/** Sales decomposition, its difference by a dimension, repeat rate and F2 conversion of a period. */
export function salesAnalyticsRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db } = deps.database;
  const analysis = analysisDepsOf(deps);
  return async (app) => {
    app.get(
      '/workspaces/:workspace/analytics/sales',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Sales decomposition: customers × frequency × items per purchase × price per item, per bucket, with change',
          description: `${PURCHASE} For the period [from, to): sales = Σ amount; customers = distinct customers with ≥ 1 purchase; frequency = purchases ÷ customers; items per purchase = items ÷ purchases; price per item = sales ÷ items, so sales = customers × frequency × items per purchase × price per item exactly. Change against each compared period: each factor's ratio f1 ÷ f0 and its share of the change in sales, ln(f1/f0) ÷ ln(S1/S0).`,
          params: WorkspaceParams,
          querystring: z
            .object({ ...periodShape, granularity: granularityParam, compare: comparisonListParam, engine: engineParam })
            .superRefine(refusePeriodBackwards),
          response: { 200: SalesDecomposition, ...errors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const { granularity, compare, engine } = request.query;
        return analyseSales(analysis, { workspace, period: periodOf(request.query), granularity, compare, engine });
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/sales/difference',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Sales difference: the change of sales split by a dimension, groups ranked by contribution',
          description: `${PURCHASE} Each group's sales decomposition in the period and in the compared one, its factors' ratios and log shares, and its contribution to the change in total sales, (S1g − S0g) ÷ (S1 − S0), which adds up to 1 over the groups.`,
          params: WorkspaceParams,
          querystring: z.object({ ...periodShape, by: dimensionParam, compare: comparisonParam }).superRefine(refusePeriodBackwards),
          response: { 200: SalesDifference, ...errors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const { by, compare } = request.query;
        return analyseSalesDifference(analysis, { workspace, period: periodOf(request.query), compare, dimension: by });
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/repeat',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Repeat rate of a period and of each bucket',
          description: `${PURCHASE} Repeat rate of a period: customers with ≥ 2 purchases in it ÷ customers with ≥ 1. Two purchases on the same day are two purchases.`,
          params: WorkspaceParams,
          querystring: z.object({ ...periodShape, granularity: granularityParam, engine: engineParam }).superRefine(refusePeriodBackwards),
          response: { 200: RepeatRates, ...errors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const { granularity, engine } = request.query;
        return analyseRepeat(analysis, { workspace, period: periodOf(request.query), granularity, engine });
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/f2',
      {
        schema: {
          tags: ['analytics'],
          summary: 'F2 conversion of the cohorts of first purchases in a period',
          description: `${PURCHASE} A cohort is the customers whose first purchase ever falls in a bucket of the period; F2 conversion is the share of them with a second purchase on a later local day within W (\`within\`) days of the first. asOf (default: the day after the workspace's latest order) is how far the data goes; a cohort whose window is not over by then is incomplete.`,
          params: WorkspaceParams,
          querystring: z
            .object({
              ...periodShape,
              granularity: granularityParam,
              within: f2WithinParam,
              asOf: asOfParam.describe('First local date not covered by the data (default: the day after the latest order)'),
              engine: engineParam,
            })
            .superRefine(refusePeriodBackwards),
          response: { 200: F2Conversion, ...errors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const { granularity, within, asOf, engine } = request.query;
        return analyseF2(analysis, { workspace, period: periodOf(request.query), granularity, within, asOf, engine });
      },
    );
  };
}
