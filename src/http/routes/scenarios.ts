import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WorkspacePrincipal } from '../../auth/permissions.ts';
import { actorOf } from '../../charter/actor.ts';
import { checkScenario } from '../../scenarios/check-scenario.ts';
import { dryRunScenario } from '../../scenarios/dry-run.ts';
import { ScenarioDocument, SCENARIO_STATUSES } from '../../scenarios/model.ts';
import {
  listScenarios,
  MAX_SCENARIO_JSON_CHARS,
  listScenarioVersions,
  pauseScenario,
  publishScenario,
  readScenario,
  readScenarioVersion,
  resumeScenario,
  saveScenarioDraft,
  type ScenarioVersion,
  type StoredScenario,
} from '../../scenarios/scenarios.ts';
import { SEND_STATUSES, scenarioFigures, SEND_LOG_MAX_PAGE, SEND_LOG_PAGE, sendLog, stepCounters } from '../../scenarios/stats.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { AppDeps } from '../app.ts';
import { authorizeWorkspace } from '../auth.ts';
import { ErrorBody } from '../errors.ts';
import { WorkspaceParams } from './workspaces.ts';

const EDITORS = 'Needs the admin or marketing role.';

const ScenarioParams = WorkspaceParams.extend({
  scenario: z.string().min(1).max(100).describe('The scenario id, or its key (e.g. aojiru_step_up)'),
});
const VersionParams = ScenarioParams.extend({ version: z.coerce.number().int().min(1).max(1_000_000) });

const DryRunBody = z
  .object({
    scenario: z.object({ id: z.string(), key: z.string(), version: z.union([z.number().int(), z.literal('draft')]) }),
    customer: z.object({ id: z.string(), externalId: z.string() }),
    trigger: z.record(z.string(), z.unknown()),
    path: z.array(
      z.object({
        stepId: z.string(),
        kind: z.string(),
        at: z.string(),
        outcome: z.enum(['waiting', 'passed', 'exited', 'completed']),
        next: z.string().nullable().optional(),
        until: z.string().optional(),
        detail: z.string().optional(),
      }),
    ),
    effects: z.array(z.record(z.string(), z.unknown())),
    end: z.object({
      status: z
        .enum(['active', 'completed', 'exited', 'waiting', 'not_entered'])
        .describe('not_entered: the customer would not be enrolled now (reason: the exit rule that holds, or the re-entry rule)'),
      reason: z.string().nullable(),
    }),
    notes: z.array(z.string()),
  })
  .meta({ id: 'ScenarioDryRun' });

const Problem = z
  .object({ path: z.string(), message: z.string(), severity: z.enum(['error', 'warning']) })
  .meta({ id: 'ScenarioProblem', description: 'A problem of a scenario: the JSON path of the node and why; errors refuse a publish' });

const Version = z
  .object({
    scenarioId: z.string(),
    version: z.number().int(),
    document: ScenarioDocument,
    createdBy: z.string(),
    createdAt: z.string(),
    summary: z.string(),
  })
  .meta({ id: 'ScenarioVersion' });

const Scenario = z
  .object({
    id: z.string(),
    key: z.string(),
    status: z.enum(SCENARIO_STATUSES),
    published: Version.nullable().describe('The version customers enter now; null before the first publish'),
    draft: z
      .object({
        document: z.record(z.string(), z.unknown()).describe('As saved; possibly not (yet) a valid ScenarioDocument'),
        savedBy: z.string(),
        savedAt: z.string(),
        problems: z.array(Problem).describe("The checker's problems of the draft now"),
      })
      .nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Scenario' });

const ScenarioListItem = z
  .object({
    id: z.string(),
    key: z.string(),
    status: z.enum(SCENARIO_STATUSES),
    name: z.string().nullable(),
    purpose: z.string().nullable(),
    department: z.string().nullable(),
    priority: z.number().int().nullable(),
    triggerKind: z.string().nullable(),
    publishedVersion: z.number().int().nullable(),
    hasDraft: z.boolean(),
    updatedAt: z.string(),
    enrolled: z.number().int().describe('Customers in the scenario now (active enrollments)'),
    entered: z.number().int().describe('Enrollments ever (each entry counts, re-entries too)'),
    sent: z.number().int().describe('Messages the SMTP server accepted'),
    conversions: z
      .number()
      .int()
      .describe(
        'Enrollments that left because a condition exit rule held (the customer did what the scenario is for); leaving a cell, an exit step or the end are not conversions',
      ),
  })
  .meta({ id: 'ScenarioListItem' });

const StepCounterBody = z
  .object({
    stepId: z.string(),
    entered: z.number().int().describe('Visits of the step: passed + exited + waiting'),
    waiting: z.number().int().describe('Customers at this step now'),
    passed: z.number().int().describe('Visits that went on to the next step'),
    exited: z.number().int().describe('Visits that left the scenario at this step (exit step, exit rule during a wait, a step that could not run)'),
  })
  .meta({ id: 'ScenarioStepCounter' });

const WhyBody = z
  .object({
    scenarioId: z.string(),
    key: z.string(),
    version: z.number().int(),
    stepId: z.string(),
    trigger: z.record(z.string(), z.unknown()).describe('What enrolled the customer: kind, ref, at, sku'),
    timing: z.record(z.string(), z.unknown()).describe('The timing rule that chose the moment (kind: trigger, after, local_time, effect, event, timeout)'),
  })
  .meta({ id: 'ScenarioWhy', description: 'The structured reason of a send (scenario_effects.why)' });

const SendLogEntryBody = z
  .object({
    id: z.string(),
    customer: z.object({ id: z.string(), externalId: z.string().nullable(), name: z.string().nullable() }),
    stepId: z.string(),
    version: z.number().int(),
    status: z
      .enum(SEND_STATUSES)
      .describe(
        'pending: waiting for the performer (or a retry); sending: being sent; sent: accepted by the SMTP server; not_sent: deliberately not sent (reason); failed: refused or broken (reason); interrupted: the sender stopped between the SMTP server and the record, never sent again',
      ),
    reason: z.string().nullable().describe('Why not sent or failed: no_consent, consent_withdrawn, suppressed, template_not_published, rejected, …'),
    message: z.string().nullable(),
    governance: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe(
        'What the contact rules decided: { decision: "deferred", until, rule } (still pending), { decision: "skipped", rule, why } (not_sent; reason capped, quiet_hours, complaint or do_not_contact), { decision: "displaced", byScenarioId, byEffectId, byPriority }; null: nothing held it back',
      ),
    templateId: z.string().nullable(),
    createdAt: z.string().describe('When the scenario wrote the send'),
    doneAt: z.string().nullable().describe('When its outcome was recorded'),
    whyText: z.object({ ja: z.string(), en: z.string() }).describe("Why, in words: the mail footer's sentence"),
    why: WhyBody,
  })
  .meta({ id: 'ScenarioSend' });

const SendLogBody = z
  .object({ sends: z.array(SendLogEntryBody), next: z.string().nullable().describe('Pass as before= for the next page; null: no more') })
  .meta({ id: 'ScenarioSendLog' });

const DocumentBody = z
  .record(z.string(), z.unknown())
  .describe('A ScenarioDocument (see the schema ScenarioDocument and docs/scenarios.md); checked whole, every problem with its path');

const PublishBody = z
  .object({ document: DocumentBody.optional().describe('The document to publish; absent: the saved draft') })
  .meta({ id: 'ScenarioPublishRequest' });

const Published = z.object({ outcome: z.enum(['published', 'unchanged']), scenario: Scenario, warnings: z.array(Problem) }).meta({ id: 'ScenarioPublished' });

/**
 * Scenarios under /workspaces/{workspace}/scenarios: the list, one scenario with its draft and
 * published version, saving a draft, publishing (checked whole: 422 with details.problems, every
 * problem with its JSON path), pausing and resuming, and the versions. Reading needs 'read';
 * changing, the admin or marketing role.
 */
export function scenarioRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db, pool } = deps.database;
  const clock = deps.clock;
  const senderSettingsMissing = deps.senderSettingsMissing;

  const scenarioBody = async (workspaceId: string, stored: StoredScenario) => ({
    id: stored.id,
    key: stored.key,
    status: stored.status,
    published: stored.published ? versionBody(stored.published) : null,
    draft: stored.draft
      ? {
          document: stored.draft.document,
          savedBy: stored.draft.savedBy,
          savedAt: stored.draft.savedAt.toISOString(),
          problems: await draftProblems(workspaceId, stored.draft.document),
        }
      : null,
    createdAt: stored.createdAt.toISOString(),
    updatedAt: stored.updatedAt.toISOString(),
  });
  const draftProblems = async (workspaceId: string, document: unknown) => {
    const checked = await checkScenario({ pool, workspaceId, input: document });
    return checked.ok ? checked.warnings : checked.problems;
  };

  return async (app) => {
    app.get(
      '/workspaces/:workspace/scenarios',
      {
        schema: {
          tags: ['scenarios'],
          summary: 'Every scenario of the workspace, by key',
          params: WorkspaceParams,
          response: { 200: z.array(ScenarioListItem), 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const [list, figures] = await Promise.all([listScenarios({ pool, workspaceId: workspace.id }), scenarioFigures({ pool, workspaceId: workspace.id })]);
        const none = { enrolled: 0, entered: 0, sent: 0, conversions: 0 };
        return list.map((item) => ({ ...item, ...(figures.get(item.id) ?? none), updatedAt: item.updatedAt.toISOString() }));
      },
    );

    app.post(
      '/workspaces/:workspace/scenarios/check',
      {
        schema: {
          tags: ['scenarios'],
          summary: "Check a scenario document without saving it: the checker's problems (the editor's live validation)",
          description: 'The same checks as a publish, except the sender settings; errors refuse a publish, warnings let it through. Writes nothing.',
          params: WorkspaceParams,
          body: z.object({ document: DocumentBody }).meta({ id: 'ScenarioCheckRequest' }),
          response: {
            200: z.object({ problems: z.array(Problem) }).meta({ id: 'ScenarioCheck' }),
            400: ErrorBody,
            401: ErrorBody,
            404: ErrorBody,
            413: ErrorBody,
          },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const length = JSON.stringify(request.body.document).length;
        if (length > MAX_SCENARIO_JSON_CHARS)
          throw new KizunaError('payload_too_large', `The scenario is ${length} characters of JSON; at most ${MAX_SCENARIO_JSON_CHARS}.`);
        return { problems: await draftProblems(workspace.id, request.body.document) };
      },
    );

    app.get(
      '/workspaces/:workspace/scenarios/:scenario',
      {
        schema: {
          tags: ['scenarios'],
          summary: 'One scenario: its status, the published version and the draft with its problems',
          params: ScenarioParams,
          response: { 200: Scenario, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return scenarioBody(workspace.id, await readScenario({ pool, workspaceId: workspace.id, scenario: request.params.scenario }));
      },
    );

    app.put(
      '/workspaces/:workspace/scenarios/:scenario/draft',
      {
        schema: {
          tags: ['scenarios'],
          summary: "Save the editor's draft of a scenario (created when its key is new)",
          description: `The draft is kept even with problems: they are answered (draft.problems) for the editor to show. Refused (422) only when the document has no valid key or its key is not the scenario addressed. ${EDITORS}`,
          params: ScenarioParams,
          body: DocumentBody,
          response: { 200: Scenario, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        requireScenarioEditor(principal);
        const saved = await saveScenarioDraft({
          pool,
          workspaceId: workspace.id,
          input: request.body,
          scenario: request.params.scenario,
          actor: await actorOf(pool, principal),
          clock,
        });
        return scenarioBody(workspace.id, saved.scenario);
      },
    );

    app.post(
      '/workspaces/:workspace/scenarios/:scenario/publish',
      {
        schema: {
          tags: ['scenarios'],
          summary: 'Publish a scenario: a new version, and the scenario active',
          description: `Publishes the document given, or the saved draft. Checked whole: while any error remains it is refused (422, details.problems: path, message, severity) and nothing is written; warnings are answered. An advertising scenario is refused while the workspace's sender settings are incomplete. The same document as the published version writes no version (outcome unchanged). Customers already in the scenario stay on their version. ${EDITORS}`,
          params: ScenarioParams,
          body: PublishBody,
          response: { 200: Published, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        requireScenarioEditor(principal);
        const published = await publishScenario({
          pool,
          workspaceId: workspace.id,
          scenario: request.params.scenario,
          ...(request.body.document !== undefined ? { input: request.body.document } : {}),
          actor: await actorOf(pool, principal),
          clock,
          ...(senderSettingsMissing ? { senderSettingsMissing } : {}),
        });
        return { outcome: published.outcome, scenario: await scenarioBody(workspace.id, published.scenario), warnings: published.warnings };
      },
    );

    for (const action of ['pause', 'resume'] as const) {
      app.post(
        `/workspaces/:workspace/scenarios/:scenario/${action}`,
        {
          schema: {
            tags: ['scenarios'],
            summary: action === 'pause' ? 'Pause a scenario: nobody enters it until it is resumed' : 'Resume a paused scenario',
            description: `${action === 'pause' ? 'Only an active scenario can be paused' : 'Only a paused scenario can be resumed'} (409 otherwise). ${EDITORS}`,
            params: ScenarioParams,
            response: { 200: Scenario, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
          },
        },
        async (request) => {
          const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
          requireScenarioEditor(principal);
          const change = action === 'pause' ? pauseScenario : resumeScenario;
          return scenarioBody(workspace.id, await change({ pool, workspaceId: workspace.id, scenario: request.params.scenario, clock }));
        },
      );
    }

    app.get(
      '/workspaces/:workspace/scenarios/:scenario/dry-run',
      {
        schema: {
          tags: ['scenarios'],
          summary: 'The path one customer would take if the scenario triggered for them now (writes and sends nothing)',
          description:
            'Every step with the moment it would run, and the effects (sends, tasks, attributes) with the timing rule that chose each moment. The customer is given by external id (or Kizuna id); draft=true runs the draft.',
          params: ScenarioParams,
          querystring: z.object({
            customer: z.string().trim().min(1).max(200),
            draft: z.enum(['true', 'false']).optional(),
          }),
          response: { 200: DryRunBody, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const run = await dryRunScenario({
          pool,
          workspaceId: workspace.id,
          scenario: request.params.scenario,
          customer: request.query.customer,
          clock,
          ...(request.query.draft === 'true' ? { draft: true } : {}),
        });
        return { ...run, trigger: { ...run.trigger }, effects: run.effects.map((effect) => ({ ...effect })) };
      },
    );

    app.get(
      '/workspaces/:workspace/scenarios/:scenario/steps',
      {
        schema: {
          tags: ['scenarios'],
          summary: 'Per step: entered, waiting (there now), passed and exited',
          description:
            'Every step of the published version (or of `version`) in the order a reader follows them from the start, then any other step the log names. Counts the customers of all versions unless `version` is given.',
          params: ScenarioParams,
          querystring: z.object({ version: z.coerce.number().int().min(1).max(1_000_000).optional() }),
          response: { 200: z.array(StepCounterBody), 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const { version } = request.query;
        return stepCounters({ pool, workspaceId: workspace.id, scenario: request.params.scenario, ...(version !== undefined ? { version } : {}) });
      },
    );

    app.get(
      '/workspaces/:workspace/scenarios/:scenario/sends',
      {
        schema: {
          tags: ['scenarios'],
          summary: "The scenario's send log, newest first, each send with its outcome and why",
          description: `A page of at most \`limit\` sends (default ${SEND_LOG_PAGE}, at most ${SEND_LOG_MAX_PAGE}); \`next\` is the \`before\` of the following page.`,
          params: ScenarioParams,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(SEND_LOG_MAX_PAGE).default(SEND_LOG_PAGE),
            before: z
              .string()
              .regex(/^[1-9][0-9]{0,17}$/, 'before is the `next` of the previous page')
              .optional(),
          }),
          response: { 200: SendLogBody, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const { limit, before } = request.query;
        const log = await sendLog({ pool, workspaceId: workspace.id, scenario: request.params.scenario, limit, ...(before ? { before } : {}) });
        return {
          next: log.next,
          sends: log.sends.map((send) => ({
            ...send,
            why: { ...send.why, trigger: { ...send.why.trigger }, timing: { ...send.why.timing } },
            createdAt: send.createdAt.toISOString(),
            doneAt: send.doneAt?.toISOString() ?? null,
          })),
        };
      },
    );

    app.get(
      '/workspaces/:workspace/scenarios/:scenario/versions',
      {
        schema: {
          tags: ['scenarios'],
          summary: 'Every published version of a scenario, newest first',
          params: ScenarioParams,
          response: { 200: z.array(Version), 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return (await listScenarioVersions({ pool, workspaceId: workspace.id, scenario: request.params.scenario })).map(versionBody);
      },
    );

    app.get(
      '/workspaces/:workspace/scenarios/:scenario/versions/:version',
      {
        schema: {
          tags: ['scenarios'],
          summary: 'One published version of a scenario',
          params: VersionParams,
          response: { 200: Version, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const { scenario, version } = request.params;
        return versionBody(await readScenarioVersion({ pool, workspaceId: workspace.id, scenario, version }));
      },
    );
  };
}

function requireScenarioEditor(principal: WorkspacePrincipal): void {
  if (principal.role !== 'admin' && principal.role !== 'marketing')
    throw new KizunaError('forbidden', `The role "${principal.role}" may not change scenarios; an admin or marketing member can.`);
}

function versionBody(version: ScenarioVersion) {
  return { ...version, createdAt: version.createdAt.toISOString() };
}
