import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WorkspacePrincipal } from '../../auth/permissions.ts';
import { actorOf } from '../../charter/actor.ts';
import { coverageOf } from '../../journey-map/coverage.ts';
import { journeyDiagramInput } from '../../journey-map/diagram-data.ts';
import { exportDiagram } from '../../journey-map/diagram/export.ts';
import {
  type JourneyMapVersion,
  activateJourneyMapVersion,
  checkedMap,
  listJourneyMapVersions,
  readActiveJourneyMap,
  readJourneyMapVersion,
  saveJourneyMap,
} from '../../journey-map/maps.ts';
import { JourneyMap, MAP_STATUSES, MOVE_CAUSES } from '../../journey-map/model.ts';
import { type PlacementOutcome, placeWorkspace, previewPlacement } from '../../journey-map/placement/place.ts';
import { customerJourney, journeyCellCounts, journeyFlows, journeyQueueStatus, stepDownPatterns } from '../../journey-map/placement/reads.ts';
import { technologyMap } from '../../journey-map/technology-map.ts';
import { todayIn } from '../../analytics/analyses.ts';
import { KizunaError } from '../../shared/errors.ts';
import { journeyPeriod } from '../../journey-map/period.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import type { AppDeps } from '../app.ts';
import { authorizeWorkspace } from '../auth.ts';
import { ErrorBody } from '../errors.ts';
import { WorkspaceParams } from './workspaces.ts';

const JourneyMapSchema = JourneyMap.meta({ id: 'JourneyMap' });

const CellKeySchema = z.object({ stage: z.string(), level: z.string() });
const CellCountSchema = CellKeySchema.extend({ customers: z.number().int() }).meta({ id: 'JourneyCellCount' });

const MapVersion = z
  .object({
    version: z.number().int(),
    status: z.enum(MAP_STATUSES),
    name: z.string(),
    changedBy: z.string(),
    changedAt: z.string(),
    summary: z.string(),
  })
  .meta({ id: 'JourneyMapVersion' });

const JourneyView = z
  .object({
    map: JourneyMapSchema.nullable().describe('The active map; null when the workspace has none yet'),
    version: MapVersion.nullable(),
    cells: z.array(CellCountSchema).describe('Live count of customers and leads per cell (cells with nobody are absent)'),
    profiles: z.number().int().describe('Every customer and lead of the workspace'),
    placed: z.number().int().describe('Σ of the cells: equals profiles when everyone is placed'),
    sweptAt: z.string().nullable().describe('When the facts that change with time alone (days since …) were last re-placed'),
    pending: z.number().int().describe('Writes queued for placement and not placed yet: the counts are final for every acknowledged write when 0'),
  })
  .meta({ id: 'JourneyView' });

const JourneyStatus = z
  .object({
    pending: z.number().int().describe('Writes queued for placement and not placed yet'),
    version: z.number().int().nullable().describe('The active version; null without a map'),
    sweptAt: z.string().nullable(),
  })
  .meta({ id: 'JourneyStatus' });

const SaveBody = z.object({
  map: z
    .unknown()
    .describe(
      'The map: a JourneyMap (see the schema JourneyMap and docs/journey-map.md). Checked whole: every problem is reported with its path (422, details.problems).',
    ),
  activate: z.boolean().default(true).describe('true: the new version becomes the active map and everyone is re-placed; false: saved as a draft'),
});

const Saved = z
  .object({
    outcome: z.enum(['saved', 'unchanged']),
    version: MapVersion,
    placement: z
      .object({ profiles: z.number().int(), moved: z.number().int(), seconds: z.number() })
      .nullable()
      .describe('The re-placement of everyone when the version was activated'),
  })
  .meta({ id: 'JourneyMapSaved' });

const FlowSchema = z
  .object({
    from: CellKeySchema.nullable(),
    to: CellKeySchema,
    customers: z.number().int(),
    kind: z.enum(['advance', 'rise', 'step_down', 'enter']),
  })
  .meta({ id: 'JourneyFlow' });

const StepDownPattern = z
  .object({
    from: CellKeySchema,
    to: CellKeySchema,
    moves: z.number().int().describe('Step-down moves of the pair in the period'),
    customers: z.number().int().describe('Distinct customers who made them'),
    sampled: z.number().int().describe('Of the latest moves (at most 5,000), how many the events before were read for'),
    eventsBefore: z
      .array(z.object({ type: z.string(), moves: z.number().int() }))
      .describe('The event types most often seen in the 14 days before the sampled moves: of those moves, how many had one (top 5)'),
  })
  .meta({ id: 'JourneyStepDown' });

const Period = z.object({
  from: z.iso.date().optional().describe('First local day (default: 30 days before to)'),
  to: z.iso.date().optional().describe("Last local day (default: today in the workspace's time zone)"),
});

const Flows = z.object({ from: z.string(), to: z.string(), flows: z.array(FlowSchema), stepDowns: z.array(StepDownPattern) }).meta({ id: 'JourneyFlows' });

const CoverageSchema = z
  .object({
    cells: z.array(CellCountSchema.extend({ service: z.enum(['measures', 'no_contact', 'uncovered']), measures: z.number().int(), inUse: z.number().int() })),
    uncovered: z.array(CellCountSchema.extend({ service: z.literal('uncovered').or(z.string()), measures: z.number().int(), inUse: z.number().int() })),
    uncoveredCustomers: z.number().int(),
    notYetServed: z.array(CellCountSchema.extend({ service: z.string(), measures: z.number().int(), inUse: z.number().int() })),
    check: z.object({ profiles: z.number().int(), placed: z.number().int(), addsUp: z.boolean() }),
  })
  .meta({ id: 'JourneyCoverage' });

const TechMeasure = z.object({
  name: z.string(),
  purpose: z.string().optional(),
  department: z.string(),
  status: z.string(),
  stage: z.string(),
  level: z.string(),
  channel: z.string().optional(),
  solution: z.string().optional(),
});
const TechRow = z.object({
  key: z.string(),
  channel: z.string().optional(),
  solution: z.string().optional(),
  byStage: z.record(z.string(), z.array(TechMeasure)),
  status: z.string(),
  departments: z.array(z.string()),
});
const TechnologyMapSchema = z
  .object({
    stages: z.array(z.object({ key: z.string(), name: z.string(), measures: z.number().int() })),
    rows: z.array(TechRow),
    gaps: z.object({ stages: z.array(z.string()), cells: z.array(CellKeySchema) }),
    duplicates: z.array(z.object({ stage: z.string(), level: z.string(), row: z.string(), measures: z.array(TechMeasure) })),
    notIntroduced: z.array(TechRow),
  })
  .meta({ id: 'TechnologyMap' });

const ExportQuery = Period.extend({
  format: z.enum(['svg', 'png', 'pdf']).default('svg'),
  paper: z.enum(['a4', 'a3']).default('a4'),
  width: z.coerce.number().int().min(400).max(8000).optional().describe('PNG width in pixels (default: the paper at 200 dpi); the height follows the paper'),
  locale: z.enum(['ja', 'en']).default('ja'),
  flows: z.enum(['on', 'off']).default('on').describe('Draw the flows of the period'),
});

const VersionParams = WorkspaceParams.extend({ version: z.coerce.number().int().min(1).max(1_000_000) });
const CustomerParams = WorkspaceParams.extend({ id: z.string().regex(/^\d{1,18}$/, 'a customer id is a number of at most 18 digits') });

const Preview = z.object({ cells: z.array(CellCountSchema), profiles: z.number().int() }).meta({ id: 'JourneyPreview' });

const Placement = z.object({ profiles: z.number().int(), moved: z.number().int(), seconds: z.number() }).meta({ id: 'JourneyPlacement' });

const MoveSchema = z.object({
  from: CellKeySchema.nullable(),
  to: CellKeySchema,
  movedAt: z.string(),
  cause: z.enum(MOVE_CAUSES),
  causeRef: z.string().nullable().describe("What changed: the order's external id, the event's idempotency key, the subscription's external id"),
  kind: z.enum(['advance', 'rise', 'step_down', 'enter']),
});

const CustomerJourney = z
  .object({
    cell: CellKeySchema.extend({ since: z.string() }).nullable().describe('Where the customer stands now; null before the first placement or without a map'),
    mapVersion: z.number().int().nullable(),
    moves: z.array(MoveSchema).describe('Newest first, at most 200'),
  })
  .meta({ id: 'CustomerJourney' });

const EDITORS = 'Needs the admin or marketing role.';

function versionBody(stored: JourneyMapVersion) {
  return {
    version: stored.version,
    status: stored.status,
    name: stored.map.name,
    changedBy: stored.changedBy,
    changedAt: stored.changedAt.toISOString(),
    summary: stored.summary,
  };
}

function placementBody(placement: PlacementOutcome | null) {
  return placement ? { profiles: placement.profiles, moved: placement.moved, seconds: placement.seconds } : null;
}

/**
 * One preview and one re-placement of everyone at a time per workspace in this process: each
 * reads every profile's facts (seconds at a million customers on two connections), so a user
 * pressing the button again, or a script looping on it, gets 429 instead of queueing more.
 */
export function oneAtATime() {
  const running = new Set<string>();
  return async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    if (running.has(key)) throw new KizunaError('too_many_requests', 'The same work is already running for this workspace; try again when it is done.');
    running.add(key);
    try {
      return await work();
    } finally {
      running.delete(key);
    }
  };
}

function requireMapEditor(principal: WorkspacePrincipal): void {
  if (principal.role !== 'admin' && principal.role !== 'marketing')
    throw new KizunaError('forbidden', `The role "${principal.role}" may not change the journey map; an admin or marketing member can.`);
}

/**
 * The two-axis journey map under /workspaces/{workspace}/journey: the active map with its live
 * counts, its versions, saving (a new version; everyone re-placed), the workshop's preview,
 * flows and step-downs over a period, coverage, the technology map and the diagram's exports.
 * Reading needs 'read'; saving, activating and re-placing the admin or marketing role.
 */
export function journeyRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db, pool } = deps.database;
  const clock = deps.clock;
  const exclusive = oneAtATime();
  return async (app) => {
    app.get(
      '/workspaces/:workspace/journey',
      {
        schema: {
          tags: ['journey'],
          summary: 'The active journey map with the live count of every cell',
          description: 'The diagram page reads this: the map, its version, and how many customers and leads stand in each cell now.',
          params: WorkspaceParams,
          response: { 200: JourneyView, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const active = await readActiveJourneyMap({ pool, workspaceId: workspace.id });
        const [counts, queue] = await Promise.all([
          journeyCellCounts({ pool, workspaceId: workspace.id }),
          journeyQueueStatus({ pool, workspaceId: workspace.id }),
        ]);
        return {
          map: active?.map ?? null,
          version: active ? versionBody(active) : null,
          cells: counts.cells,
          profiles: counts.profiles,
          placed: counts.placed,
          sweptAt: queue.sweptAt?.toISOString() ?? null,
          pending: queue.pending,
        };
      },
    );

    app.get(
      '/workspaces/:workspace/journey/status',
      {
        schema: {
          tags: ['journey'],
          summary: 'How far placement has got: the writes still queued for placement, the active version, the last sweep',
          description: 'Cheap enough to poll: when pending is 0, every write acknowledged before the request has been placed and GET …/journey shows it.',
          params: WorkspaceParams,
          response: { 200: JourneyStatus, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const status = await journeyQueueStatus({ pool, workspaceId: workspace.id });
        return { ...status, sweptAt: status.sweptAt?.toISOString() ?? null };
      },
    );

    app.put(
      '/workspaces/:workspace/journey',
      {
        schema: {
          tags: ['journey'],
          summary: 'Save the journey map: a new version, and (by default) everyone re-placed on it',
          description: `The whole map (JourneyMap). Every problem is reported at once with the JSON path of the offending node (422, details.problems: path and message); nothing is written. The same map as the active one writes no version (outcome unchanged). With activate false the version is saved as a draft. ${EDITORS}`,
          params: WorkspaceParams,
          body: SaveBody,
          response: { 200: Saved, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        requireMapEditor(principal);
        const saved = await saveJourneyMap({
          pool,
          workspaceId: workspace.id,
          input: request.body.map,
          actor: await actorOf(pool, principal),
          activate: request.body.activate,
          clock,
          analytics: deps.analytics,
        });
        return {
          outcome: saved.outcome,
          version: versionBody(saved.version),
          placement: saved.outcome === 'saved' ? placementBody(saved.placement) : null,
        };
      },
    );

    app.get(
      '/workspaces/:workspace/journey/versions',
      {
        schema: {
          tags: ['journey'],
          summary: 'Every saved version of the map, newest first: the active one, drafts and archived ones',
          params: WorkspaceParams,
          response: { 200: z.array(MapVersion), 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const versions = await listJourneyMapVersions({ pool, workspaceId: workspace.id });
        return versions.map(versionBody);
      },
    );

    app.get(
      '/workspaces/:workspace/journey/versions/:version',
      {
        schema: {
          tags: ['journey'],
          summary: 'One saved version of the map',
          params: VersionParams,
          response: { 200: z.object({ version: MapVersion, map: JourneyMapSchema }), 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const stored = await readJourneyMapVersion({ pool, workspaceId: workspace.id, version: request.params.version });
        return { version: versionBody(stored), map: stored.map };
      },
    );

    app.post(
      '/workspaces/:workspace/journey/versions/:version/activate',
      {
        schema: {
          tags: ['journey'],
          summary: 'Make a saved version the active map (the previous one is archived) and re-place everyone',
          description: EDITORS,
          params: VersionParams,
          response: { 200: Saved, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        requireMapEditor(principal);
        const activated = await activateJourneyMapVersion({
          pool,
          workspaceId: workspace.id,
          version: request.params.version,
          clock,
          analytics: deps.analytics,
        });
        return {
          outcome: activated.placement ? ('saved' as const) : ('unchanged' as const),
          version: versionBody(activated.version),
          placement: placementBody(activated.placement),
        };
      },
    );

    app.post(
      '/workspaces/:workspace/journey/preview',
      {
        schema: {
          tags: ['journey'],
          summary: 'How many customers each cell of an unsaved map would hold now (nothing is written)',
          description:
            "The workshop's preview: the map is checked like a save (422 with every problem), then every profile is placed on it in memory, keeping the stages already reached (by key) as saving would.",
          params: WorkspaceParams,
          body: z.object({ map: z.unknown().describe('A JourneyMap') }),
          response: { 200: Preview, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody, 429: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        const map = await checkedMap(pool, workspace.id, request.body.map);
        return exclusive(`preview:${workspace.id}`, () => previewPlacement({ pool, workspaceId: workspace.id, clock, map, analytics: deps.analytics }));
      },
    );

    app.post(
      '/workspaces/:workspace/journey/place',
      {
        schema: {
          tags: ['journey'],
          summary: 'Re-place every customer and lead on the active map now',
          description: `Writes happen live; this is for the facts that change with time alone (days since …) between the nightly sweeps, or after a bulk load. ${EDITORS}`,
          params: WorkspaceParams,
          response: { 200: Placement, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody, 429: ErrorBody },
        },
      },
      async (request) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        requireMapEditor(principal);
        const active = await readActiveJourneyMap({ pool, workspaceId: workspace.id });
        if (!active) throw new KizunaError('validation_failed', `Workspace "${workspace.name}" has no active journey map to place customers on.`);
        return placementBody(
          await exclusive(`place:${workspace.id}`, () => placeWorkspace({ pool, workspaceId: workspace.id, clock, cause: 'sweep', analytics: deps.analytics })),
        )!;
      },
    );

    app.get(
      '/workspaces/:workspace/journey/flows',
      {
        schema: {
          tags: ['journey'],
          summary: 'The moves between cells over a period: advances, rises, step-downs, and the step-down patterns',
          description:
            'Counts of moves per (from, to) cell over the local days from … to (both included); from is null for customers entering the map. A step-down (a lower level) is counted as such even when the stage advanced. stepDowns: for each step-down pair, the event types seen most often in the 14 days before the move.',
          params: WorkspaceParams,
          querystring: Period,
          response: { 200: Flows, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const period = journeyPeriod(request.query, todayIn(workspace, clock));
        const [flows, stepDowns] = await Promise.all([
          journeyFlows({ pool, workspaceId: workspace.id, ...period }),
          stepDownPatterns({ pool, workspaceId: workspace.id, ...period }),
        ]);
        return { ...period, flows, stepDowns };
      },
    );

    app.get(
      '/workspaces/:workspace/journey/coverage',
      {
        schema: {
          tags: ['journey'],
          summary: 'Coverage (漏れなく): the cells with neither a measure nor a no-contact decision, with their customers',
          description: 'Also the check that the cells add up to every customer and lead of the workspace.',
          params: WorkspaceParams,
          response: { 200: CoverageSchema, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const active = await requireActiveMap(workspace);
        const counts = await journeyCellCounts({ pool, workspaceId: workspace.id });
        return coverageOf(active.map, counts.cells, counts.profiles);
      },
    );

    app.get(
      '/workspaces/:workspace/journey/technology',
      {
        schema: {
          tags: ['journey'],
          summary: 'The technology map (テクノロジーマップ): stages × measures by channel or solution, with gaps, duplicates and solutions not introduced',
          params: WorkspaceParams,
          response: { 200: TechnologyMapSchema, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const active = await requireActiveMap(workspace);
        return technologyMap(active.map);
      },
    );

    app.get(
      '/workspaces/:workspace/journey/export',
      {
        schema: {
          tags: ['journey'],
          summary: 'The one-page diagram as SVG, PNG or PDF (A4 / A3 landscape), Japanese fonts embedded',
          description: 'The live counts, and the flows of the period when flows=on. Downloaded as an attachment.',
          params: WorkspaceParams,
          querystring: ExportQuery,
          produces: ['image/svg+xml', 'image/png', 'application/pdf'],
          response: { 200: z.any().describe('The file'), 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request, reply) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const active = await requireActiveMap(workspace);
        const { format, paper, width, locale, flows: drawFlows, ...periodQuery } = request.query;
        const period = journeyPeriod(periodQuery, todayIn(workspace, clock));
        const [counts, flows] = await Promise.all([
          journeyCellCounts({ pool, workspaceId: workspace.id }),
          drawFlows === 'on' ? journeyFlows({ pool, workspaceId: workspace.id, ...period }) : Promise.resolve([]),
        ]);
        const input = journeyDiagramInput({ map: active.map, cells: counts.cells, profiles: counts.profiles, flows, period, locale });
        const file = await exportDiagram({ input, format, paper, ...(width === undefined ? {} : { width }) });
        return reply.header('content-type', file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.body);
      },
    );

    app.get(
      '/workspaces/:workspace/customers/:id/journey',
      {
        schema: {
          tags: ['journey'],
          summary: "A customer's cell on the active map and their path: every move, newest first (at most 200)",
          params: CustomerParams,
          response: { 200: CustomerJourney, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const journey = await customerJourney({ pool, workspaceId: workspace.id, customerId: request.params.id });
        return {
          cell: journey.cell && journey.placedAt ? { ...journey.cell, since: journey.placedAt.toISOString() } : null,
          mapVersion: journey.moves[0]?.mapVersion ?? null,
          moves: journey.moves.map((move) => ({
            from: move.from,
            to: move.to,
            movedAt: move.movedAt.toISOString(),
            cause: move.cause,
            causeRef: move.causeRef,
            kind: move.kind,
          })),
        };
      },
    );

    async function requireActiveMap(workspace: Workspace) {
      const active = await readActiveJourneyMap({ pool, workspaceId: workspace.id });
      if (!active)
        throw new KizunaError('not_found', `Workspace "${workspace.name}" has no journey map yet: PUT one, or run npx kizuna journey set FILE.json.`);
      return active;
    }
  };
}
