import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { analyseCancellations, analyseContinuation, analyseStepUp, analyseSubscribers } from '../../../analytics/analyses.ts';
import { Cancellations } from '../../../analytics/subscriptions/cancellations.ts';
import { Continuation } from '../../../analytics/subscriptions/continuation.ts';
import { StepUp } from '../../../analytics/subscriptions/step-up.ts';
import { Subscribers } from '../../../analytics/subscriptions/subscribers.ts';
import { CONTINUATION_SPLITS, DEFAULT_MAX_DELIVERY, DEFAULT_STEP_UP_DAYS, MAX_DELIVERY, MAX_STEP_UP_DAYS } from '../../../analytics/subscriptions/terms.ts';
import type { AppDeps } from '../../app.ts';
import { authorizeWorkspace } from '../../auth.ts';
import { ErrorBody } from '../../errors.ts';
import { WorkspaceParams } from '../workspaces.ts';
import { analysisDepsOf, asOfParam, engineParam, granularityParam, localDateParam, periodOf, periodShape, refusePeriodBackwards } from './parameters.ts';

const IN_FORCE =
  "A subscription is in force as of a date d when it started before d and its status at the start of d is active or paused: cancelled when its cancellation is before d, else the status of its last change before d (subscription_status_changes), else active. Dates are local dates in the workspace's time zone.";

const maxDeliveryParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_DELIVERY)
  .default(DEFAULT_MAX_DELIVERY)
  .describe(`K: rows for deliveries 1 … K, then one K+ row for the rest (1 to ${MAX_DELIVERY})`);

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 422: ErrorBody };

/** The subscription (定期) analyses: continuation by delivery number, cancellations, step-up rate, subscribers over time. */
export function subscriptionAnalyticsRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db } = deps.database;
  const analysis = analysisDepsOf(deps);
  return async (app) => {
    app.get(
      '/workspaces/:workspace/analytics/subscriptions/continuation',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Continuation by delivery number (回数別継続率), whole and split',
          description: `For k = 1 … K, of the subscriptions started before asOf: reached(k) = deliveries ≥ k; continued(k) = deliveries ≥ k + 1; censored(k) = active or paused with exactly k (not decided yet, left out of the rate); stopped(k) = cancelled with exactly k; rate(k) = continued ÷ (continued + stopped); survival S(1) = 1, S(k + 1) = S(k) × rate(k). A re-subscription under a new 定期番号 is a new subscription with its own delivery 1. Deliveries: the stored count when asOf is today or later; for a past asOf, the highest delivery number of the orders before asOf naming the subscription, where orders name it. ${IN_FORCE}`,
          params: WorkspaceParams,
          querystring: z.object({
            asOf: asOfParam.describe("Subscriptions started before this date, with their status at its start (default: today in the workspace's time zone)"),
            by: z.enum(CONTINUATION_SPLITS).optional().describe('Split by start month (cohort), course, first product (SKU) or acquisition source'),
            maxDelivery: maxDeliveryParam,
            engine: engineParam,
          }),
          response: { 200: Continuation, ...errors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return analyseContinuation(analysis, { workspace, ...request.query });
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/subscriptions/cancellations',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Cancellations (解約): the rate per bucket, the reasons ranked, the reasons by delivery number',
          description: `Per bucket: subscriptions cancelled on its dates ÷ those in force at its start (as of its first date). Reasons: the period's cancellations by reason code, with the built-in words or the workspace's own (subscription_cancel_reasons); null when none was given. By delivery: the cancellations by the deliveries they had (0: before the first; the last row K or more). ${IN_FORCE}`,
          params: WorkspaceParams,
          querystring: z
            .object({
              from: localDateParam('from').optional().describe("First date (default: the 1st of the month a year before `to`'s month)"),
              to: localDateParam('to').optional().describe("First date after the period (default: today in the workspace's time zone)"),
              granularity: granularityParam,
              maxDelivery: maxDeliveryParam,
              engine: engineParam,
            })
            .superRefine(refusePeriodBackwards),
          response: { 200: Cancellations, ...errors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return analyseCancellations(analysis, { workspace, ...request.query });
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/subscriptions/step-up',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Step-up rate (引き上げ率): trial buyers who start a subscription within W days',
          description:
            'Of the customers whose first purchase ever falls in [from, to) and holds a trial product (a purchase on that local day holds a product with is_trial), the share who start a subscription on days first … first + within. One cohort per bucket of first purchases and the period by acquisition source. Only first purchases and starts before asOf count; a cohort whose window reaches asOf is complete: false (its rate may still rise), as F2 conversion treats it.',
          params: WorkspaceParams,
          querystring: z
            .object({
              ...periodShape,
              granularity: granularityParam,
              within: z.coerce.number().int().min(1).max(MAX_STEP_UP_DAYS).default(DEFAULT_STEP_UP_DAYS).describe('W: days after the trial purchase'),
              asOf: asOfParam.describe("What is dated before this date counts (default: today in the workspace's time zone)"),
              engine: engineParam,
            })
            .superRefine(refusePeriodBackwards),
          response: { 200: StepUp, ...errors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const { granularity, within, asOf, engine } = request.query;
        return analyseStepUp(analysis, { workspace, period: periodOf(request.query), granularity, within, asOf, engine });
      },
    );

    app.get(
      '/workspaces/:workspace/analytics/subscriptions/subscribers',
      {
        schema: {
          tags: ['analytics'],
          summary: 'Subscriptions in force and subscribers over time',
          description: `Per bucket: the subscriptions in force at its end (as of the next bucket's first date, or asOf for the current bucket), active and paused apart, and the customers with at least one. ${IN_FORCE}`,
          params: WorkspaceParams,
          querystring: z
            .object({
              from: localDateParam('from').optional().describe("First date (default: the 1st of the month a year before `to`'s month)"),
              to: localDateParam('to').optional().describe('First date after the period (default: asOf)'),
              granularity: granularityParam,
              asOf: asOfParam.describe("No bucket is measured later than this date (default: today in the workspace's time zone)"),
              engine: engineParam,
            })
            .superRefine(refusePeriodBackwards),
          response: { 200: Subscribers, ...errors },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return analyseSubscribers(analysis, { workspace, ...request.query });
      },
    );
  };
}
