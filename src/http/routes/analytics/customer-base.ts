import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { analyseChurn, analyseChurnWindow, analyseRetention, analyseRfm, analyseRfmCustomers } from '../../../analytics/analyses.ts';
import { ChurnList } from '../../../analytics/churn.ts';
import { ChurnWindowProposal, MIN_POPULATION_GAPS } from '../../../analytics/churn-window.ts';
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
  'The churn window is the number of days without a purchase after which a customer without a subscription in force counts as churned (離反). A workspace that never set one (or set null) uses the window proposed from its own inter-purchase intervals (GET …/analytics/churn/window). The CLV margin (clvMargin) is the share of spend kept as profit every customer value run uses unless one is given; null: not set, and a run without one is refused (no margin is assumed).';

/** The one rule of churn, stated in the API's descriptions of the churn list, RFM and the customer analytics. */
export const CHURN_RULE =
  "Churned (離反) at date d with window w: a purchase before d, the last more than w days before d (its local day before d − w), and no subscription in force on d (a subscription's status on a day is its last change at or before the day; active or paused is in force). A subscriber is never churned. RFM's segment 離反 is exactly this status; the RFM recency score is a quintile relative to the base, a different thing (R = 1 is not churned by itself).";

const AS_OF = "As of a local date d: the state at the start of d in the workspace's time zone (purchases before d count).";

const ChurnWindowSetting = z
  .number()
  .int()
  .min(CHURN_WINDOW_DAYS.min)
  .max(CHURN_WINDOW_DAYS.max)
  .nullable()
  .describe('Days without a purchase after which a customer counts as churned (離反); null: use the proposed window');

const ClvMarginSetting = z
  .number()
  .gt(0)
  .max(1)
  .nullable()
  .describe('Share of spend kept as profit (粗利率) that every CLV uses unless a run gives one; null: not set (runs without a margin are refused)');

const AnalyticsSettings = z.object({ churnWindowDays: ChurnWindowSetting, clvMargin: ClvMarginSetting }).meta({ id: 'AnalyticsSettings' });
const AnalyticsSettingsChange = AnalyticsSettings.partial().meta({
  id: 'AnalyticsSettingsChange',
  description: 'The settings to change; those left out keep their value',
});

const ChurnWindow = z.object({ proposal: ChurnWindowProposal, churnWindowDays: ChurnWindowSetting }).meta({ id: 'ChurnWindow' });

export const RFM_DEFINITION = `${AS_OF} ${CHURN_RULE} Recency = days from the last purchase day to d; frequency = purchases; monetary = Σ amount. Scores 1–5 by quintile: ⌈5 × the share of customers whose value is no better⌉, so ties share a score and 5 is best (most recent, most frequent, highest). Segments, first rule that holds: ${RFM_SEGMENTS.map((segment) => `${segment.en} (${segment.ja}): ${segment.meaning}`).join(' ')}`;

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
          description: `${CHURN_RULE} Churn rate = churned ÷ customers with a purchase before d; keptBySubscription counts the silent customers a subscription keeps out. The window is \`window\` when given, else the workspace's setting, else the proposal from its inter-purchase intervals (outcome no_window when none can be proposed yet). ${AS_OF}`,
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
          description: `The proposal is the 90th percentile of the gaps in days between consecutive purchase days of the same customer, rounded up: nine in ten of the returns the brand has seen came within it. Two orders on one day are one purchase day. The gaps are those of the customers who never had a subscription (by asOf): a subscriber's follow the delivery cycle; when they give fewer than ${MIN_POPULATION_GAPS}, every customer's are read, and population says so.`,
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
          summary: "Set the workspace's churn window (null: use the proposal) and CLV margin (null: unset)",
          description: `${CHURN_SETTING} Needs the write permission (every role but read_only).`,
          params: WorkspaceParams,
          body: AnalyticsSettingsChange,
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
