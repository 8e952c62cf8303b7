import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { analyseChurn, analyseChurnWindow, analyseRetention, analyseRfm, analyseRfmCustomers } from '../../../analytics/analyses.ts';
import { ChurnList } from '../../../analytics/churn.ts';
import { ChurnWindowProposal } from '../../../analytics/churn-window.ts';
import { CohortRetention } from '../../../analytics/retention.ts';
import { CustomerRfm, RfmSummary } from '../../../analytics/rfm.ts';
import { RFM_SEGMENTS } from '../../../analytics/rfm-segments.ts';
import { CHURN_WINDOW_DAYS, readAnalyticsSettings, setAnalyticsSettings } from '../../../analytics/settings.ts';
import type { AppDeps } from '../../app.ts';
import { authorizeWorkspace } from '../../auth.ts';
import { ErrorBody } from '../../errors.ts';
import { WorkspaceParams } from '../workspaces.ts';
import {
  analysisDepsOf,
  asOfParam,
  churnWindowParam,
  cursorParam,
  engineParam,
  limitParam,
  localDateParam,
  refusePeriodBackwards,
  retentionMonthsParam,
  segmentParam,
} from './parameters.ts';
import { Day, pageOf } from '../../../analytics/result-shapes.ts';

const CHURN_SETTING =
  'The churn window is the number of days without a purchase after which a customer counts as churned (離反). A workspace that never set one (or set null) uses the window proposed from its own inter-purchase intervals (GET …/analytics/churn/window).';

const AS_OF = "As of a local date d: the state at the start of d in the workspace's time zone (purchases before d count).";

const ChurnWindowSetting = z
  .number()
  .int()
  .min(CHURN_WINDOW_DAYS.min)
  .max(CHURN_WINDOW_DAYS.max)
  .nullable()
  .describe('Days without a purchase after which a customer counts as churned (離反); null: use the proposed window');

const AnalyticsSettings = z.object({ churnWindowDays: ChurnWindowSetting }).meta({ id: 'AnalyticsSettings' });

const ChurnWindow = z.object({ proposal: ChurnWindowProposal, churnWindowDays: ChurnWindowSetting }).meta({ id: 'ChurnWindow' });

export const RFM_DEFINITION = `${AS_OF} Recency = days from the last purchase day to d; frequency = purchases; monetary = Σ amount. Scores 1–5 by quintile: ⌈5 × the share of customers whose value is no better⌉, so ties share a score and 5 is best (most recent, most frequent, highest). Segments, first rule that holds: ${RFM_SEGMENTS.map((segment) => `${segment.en} (${segment.ja}): ${segment.meaning}`).join(' ')}`;

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 422: ErrorBody };

/** Cohort retention, churn and its window, and RFM: the customer base as of a date. */
export function customerBaseAnalyticsRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db, pool } = deps.database;
  const analysis = analysisDepsOf(deps);
  return async (app) => {
    app.get(
      '/workspaces/:workspace/analytics/retention',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Cohort retention and the historical LTV curve',
          description:
            "A customer's cohort is the local month of their first purchase ever. Cell (c, k) is the share of cohort c with a purchase in calendar month c + k, and the cohort's revenue in that month per cohort customer, also cumulated over k (historical LTV). A cell is known once its month is complete before asOf.",
          params: WorkspaceParams,
          querystring: z
            .object({
              from: localDateParam('from').optional().describe('Cohorts from the month holding this date (default: 12 months before `to`)'),
              to: localDateParam('to').optional().describe('Cohorts whose month starts before this date (default: asOf)'),
              months: retentionMonthsParam,
              asOf: asOfParam.describe("Purchases before this local date count (default: today in the workspace's time zone)"),
              engine: engineParam,
            })
            .superRefine(refusePeriodBackwards),
          response: { 200: CohortRetention, ...errors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const { from, to, months, asOf, engine } = request.query;
        return analyseRetention(analysis, { workspace, from, to, months, asOf, engine });
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/churn',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Churned customers (離反), most valuable first, with the churn rate',
          description: `Churned at date d with window w: customers with a purchase before d whose last purchase is more than w days before d (its local day is before d − w). Churn rate = churned ÷ customers with a purchase before d. The window is \`window\` when given, else the workspace's setting, else the proposal from its inter-purchase intervals (outcome no_window when none can be proposed yet). ${AS_OF}`,
          params: WorkspaceParams,
          querystring: z.object({
            asOf: asOfParam.describe("d (default: today in the workspace's time zone)"),
            window: churnWindowParam,
            limit: limitParam,
            cursor: cursorParam,
            engine: engineParam,
          }),
          response: { 200: ChurnList, ...errors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return analyseChurn(analysis, { workspace, ...request.query });
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/churn/window',
      {
        schema: {
          tags: ['analytics'],
          summary: "The proposed churn window, the intervals it comes from, and the workspace's setting",
          description:
            'The proposal is the 90th percentile of the gaps in days between consecutive purchase days of the same customer, rounded up: nine in ten of the returns the brand has seen came within it. Two orders on one day are one purchase day.',
          params: WorkspaceParams,
          querystring: z.object({ asOf: asOfParam.describe('Only purchases before this local date (default: all)'), engine: engineParam }),
          response: { 200: ChurnWindow, ...errors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const [proposal, settings] = await Promise.all([
          analyseChurnWindow(analysis, { workspace, ...request.query }),
          readAnalyticsSettings({ pool, workspaceId: workspace.id }),
        ]);
        return { proposal, churnWindowDays: settings.churnWindowDays };
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/settings',
      {
        schema: {
          tags: ['analytics'],
          summary: "The workspace's analytics settings",
          description: CHURN_SETTING,
          params: WorkspaceParams,
          response: { 200: AnalyticsSettings, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return readAnalyticsSettings({ pool, workspaceId: workspace.id });
      },
    );

    app.put(
      '/workspaces/:workspace/analytics/settings',
      {
        schema: {
          tags: ['analytics'],
          summary: "Set the workspace's churn window (null: use the proposal)",
          description: `${CHURN_SETTING} Needs the write permission (every role but read_only).`,
          params: WorkspaceParams,
          body: AnalyticsSettings,
          response: { 200: AnalyticsSettings, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        return setAnalyticsSettings({ pool, workspaceId: workspace.id, changes: request.body });
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/rfm',
      {
        schema: {
          tags: ['analytics'],
          summary: 'RFM: the R × F grid, the segments and the quintile boundaries',
          description: RFM_DEFINITION,
          params: WorkspaceParams,
          querystring: z.object({ asOf: asOfParam.describe("d (default: today in the workspace's time zone)"), engine: engineParam }),
          response: { 200: RfmSummary, ...errors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return analyseRfm(analysis, { workspace, ...request.query });
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/rfm/customers',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Customers with their RFM values, scores and segment, in customer id order',
          description: `${RFM_DEFINITION} Scores are relative to the whole base as of d.`,
          params: WorkspaceParams,
          querystring: z.object({
            asOf: asOfParam.describe("d (default: today in the workspace's time zone)"),
            segment: segmentParam.optional(),
            limit: limitParam,
            cursor: cursorParam,
            engine: engineParam,
          }),
          response: { 200: z.object({ asOf: Day, ...pageOf(CustomerRfm) }).meta({ id: 'RfmCustomerPage' }), ...errors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return analyseRfmCustomers(analysis, { workspace, ...request.query });
      },
    );
  };
}
