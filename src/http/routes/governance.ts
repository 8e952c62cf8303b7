import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEPARTMENTS } from '../../charter/types.ts';
import { CONTACT_CHANNELS, CONTACT_PURPOSES, ContactRules } from '../../governance/model.ts';
import { previewSend } from '../../governance/preview.ts';
import { readContactRules, saveContactRules } from '../../governance/rules-store.ts';
import { Condition } from '../../journey-map/model.ts';
import { measureGlobalControl } from '../../measurement/global-control.ts';
import { measureScenario } from '../../measurement/uplift.ts';
import { DEFAULT_WHEN_HELD, MeasurementPlan, WhenHeld } from '../../scenarios/model.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { AppDeps } from '../app.ts';
import { authorizeWorkspace } from '../auth.ts';
import { ErrorBody } from '../errors.ts';
import { WorkspaceParams } from './workspaces.ts';

const StoredRules = z
  .object({
    rules: ContactRules,
    workspaceTimezone: z.string(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'StoredContactRules' });

const RuleRefBody = z
  .object({
    kind: z.enum(['cap', 'quiet_hours', 'complaint', 'do_not_contact']),
    id: z.string().optional(),
    name: z.string().optional(),
    channel: z.string().optional(),
    until: z.string().optional(),
  })
  .meta({ id: 'ContactRuleRef', description: 'The rule a decision names' });

const PreviewBody = z
  .object({
    audience: Condition.optional().describe('A journey-rule condition (docs/journey-map.md); absent: every customer'),
    channel: z.enum(CONTACT_CHANNELS).default('email'),
    purpose: z.enum(CONTACT_PURPOSES).default('marketing'),
    department: z.enum(DEPARTMENTS).default('marketing'),
    priority: z.number().int().min(1).max(100).default(50),
    whenHeld: WhenHeld.default(DEFAULT_WHEN_HELD),
    rules: z.unknown().optional().describe('Contact rules to try instead of the saved ones (not saved)'),
  })
  .meta({ id: 'ContactPreviewRequest' });

const PreviewResult = z
  .object({
    audience: z.number().int(),
    send: z.number().int(),
    deferred: z.number().int(),
    skipped: z.number().int(),
    globalControl: z.number().int(),
    displacing: z.number().int(),
    byRule: z.array(z.object({ rule: RuleRefBody, deferred: z.number().int(), skipped: z.number().int() })),
    medianDeferMinutes: z.number().nullable(),
    sampled: z.boolean(),
    sampleRate: z.number(),
    at: z.string(),
  })
  .meta({ id: 'ContactPreview' });

const Arm = z.object({ customers: z.number().int(), conversions: z.number().int().nullable(), value: z.number().nullable() });
const EffectBody = z.union([
  z.object({
    kind: z.literal('proportion'),
    difference: z.number().describe('Treatment − holdout, as a fraction (0.023 = +2.3 points)'),
    low: z.number(),
    high: z.number(),
    pValue: z.number(),
    relativeLift: z.object({ lift: z.number(), low: z.number(), high: z.number() }).nullable(),
  }),
  z.object({
    kind: z.literal('mean'),
    difference: z.number().describe('Revenue per customer, treatment − holdout (capped)'),
    low: z.number(),
    high: z.number(),
    bootstrap: z.object({ low: z.number(), high: z.number(), resamples: z.number().int() }),
    cap: z.object({ percentile: z.number(), value: z.number(), capped: z.number().int() }),
    cuped: z.object({ difference: z.number(), low: z.number(), high: z.number(), theta: z.number(), varianceReduction: z.number() }).nullable(),
    relativeLift: z.number().nullable(),
  }),
]);
const ComparisonBody = {
  treatment: Arm,
  holdout: Arm,
  effect: EffectBody.nullable(),
  required: z.object({ treatment: z.number().int(), holdout: z.number().int() }).nullable(),
  detectable: z.number().nullable(),
  enoughData: z.boolean(),
  verdict: z.enum(['effective', 'harmful', 'inconclusive']).nullable(),
};
const Measurement = z
  .object({
    scenarioId: z.string(),
    scenarioKey: z.string(),
    plan: MeasurementPlan.nullable(),
    metric: z.enum(['purchase', 'subscription_start', 'continuation', 'revenue']).nullable(),
    kpi: z.object({ id: z.string(), name: z.string(), metric: z.string() }).nullable(),
    status: z.enum(['no_plan', 'collecting', 'judged']),
    launchedAt: z.string().nullable(),
    entriesUntil: z.string().nullable(),
    judgedAt: z.string().nullable(),
    pending: z.object({ treatment: z.number().int(), holdout: z.number().int() }),
    globalControl: z.number().int(),
    sampleRatio: z.object({ planned: z.number(), observed: z.number().nullable(), pValue: z.number().nullable() }),
    overall: z.object(ComparisonBody).nullable(),
    overTime: z.array(
      z.object({
        date: z.string(),
        treatment: z.number().nullable(),
        holdout: z.number().nullable(),
        treatmentCustomers: z.number().int(),
        holdoutCustomers: z.number().int(),
      }),
    ),
    steps: z.array(z.object({ stepId: z.string(), name: z.string().nullable(), kind: z.enum(['send', 'task']), ...ComparisonBody })),
  })
  .meta({ id: 'ScenarioMeasurement' });
const GroupFigures = z.object({ customers: z.number().int(), buyers: z.number().int(), revenuePerCustomer: z.number().nullable() });
const GlobalControl = z
  .object({
    percent: z.number().int(),
    from: z.string(),
    to: z.string(),
    control: GroupFigures,
    rest: GroupFigures,
    purchase: z.object({ difference: z.number(), low: z.number(), high: z.number() }).nullable(),
    revenue: z.object({ difference: z.number(), low: z.number(), high: z.number(), cap: z.number() }).nullable(),
    incrementalRevenue: z.number().nullable(),
  })
  .meta({ id: 'GlobalControlReport' });

const ADMINS = 'Needs the admin role: the rules bind every department.';

export function governanceRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db, pool } = deps.database;
  const clock = deps.clock;
  const body = (stored: Awaited<ReturnType<typeof readContactRules>>) => ({
    rules: stored.rules,
    workspaceTimezone: stored.workspaceTimezone,
    updatedAt: stored.updatedAt?.toISOString() ?? null,
    updatedBy: stored.updatedBy,
  });
  return async (app) => {
    app.get(
      '/workspaces/:workspace/contact-rules',
      {
        schema: {
          tags: ['governance'],
          summary: "The workspace's contact rules: frequency caps, quiet hours, suppression, the global control group",
          params: WorkspaceParams,
          response: { 200: StoredRules, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return body(await readContactRules(pool, workspace.id));
      },
    );

    app.put(
      '/workspaces/:workspace/contact-rules',
      {
        schema: {
          tags: ['governance'],
          summary: "Replace the workspace's contact rules",
          description: `Validated as a whole (422 with every problem by path; nothing saved on an error). Sends decided from then on follow them. ${ADMINS}`,
          params: WorkspaceParams,
          body: z.unknown(),
          response: { 200: StoredRules, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        if (principal.role !== 'admin') throw new KizunaError('forbidden', `The role "${principal.role}" may not change the contact rules; an admin can.`);
        const userId = principal.kind === 'user' ? principal.userId : null;
        return body(await saveContactRules(pool, { workspaceId: workspace.id, input: request.body, userId, now: clock.now() }));
      },
    );

    app.post(
      '/workspaces/:workspace/contact-rules/preview',
      {
        schema: {
          tags: ['governance'],
          summary: 'What would happen if a message went to this audience now: how many sent, deferred, skipped, and by which rules',
          description: `Writes nothing. Decides every customer of the audience (at most 200,000; a larger workspace is sampled by a fixed hash and the counts scaled: sampled = true). With \`rules\`, tries those rules instead of the saved ones.`,
          params: WorkspaceParams,
          body: PreviewBody,
          response: { 200: PreviewResult, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const stored = await readContactRules(pool, workspace.id);
        let rules = stored.rules;
        if (request.body.rules !== undefined) {
          const tried = ContactRules.safeParse(request.body.rules);
          if (!tried.success)
            throw new KizunaError(
              'validation_failed',
              `The rules to try are not valid: ${tried.error.issues.map((issue) => `${issue.path.join('.') || '(rules)'}: ${issue.message}`).join('; ')}`,
            );
          rules = tried.data;
        }
        const { rules: _rules, ...request_ } = request.body;
        return previewSend(pool, { workspaceId: workspace.id, timezone: stored.workspaceTimezone, rules, request: request_, now: clock.now() });
      },
    );

    app.get(
      '/workspaces/:workspace/scenarios/:scenario/measurement',
      {
        schema: {
          tags: ['measurement'],
          summary: "A scenario's effect against its holdout: by its plan, with confidence intervals, per step and over time",
          description:
            'Judged once, at the end of the planned run plus one window (status judged, with a verdict); before, the figures stand as they are with no verdict (status collecting). docs/measurement.md explains every figure.',
          params: WorkspaceParams.extend({ scenario: z.string().min(1).max(100) }),
          response: { 200: Measurement, 401: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return measureScenario(pool, { workspaceId: workspace.id, scenario: request.params.scenario, now: clock.now() });
      },
    );

    app.get(
      '/workspaces/:workspace/measurement/global-control',
      {
        schema: {
          tags: ['measurement'],
          summary: 'The total effect of CRM: the global control group against everyone else over a period',
          params: WorkspaceParams,
          querystring: z.object({
            from: z.iso.date().optional().describe('First local day (default: 90 days before to)'),
            to: z.iso.date().optional().describe('Last local day (default: yesterday)'),
          }),
          response: { 200: GlobalControl, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return measureGlobalControl(pool, { workspaceId: workspace.id, from: request.query.from, to: request.query.to, now: clock.now() });
      },
    );
  };
}
