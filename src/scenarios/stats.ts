import type pg from 'pg';
import type { EffectReason } from './runtime/effects.ts';
import { loadWhyNames, type Why, type WhyNames, whyInWords } from './why.ts';
import { exitRuleReason, nextStepIds, ScenarioDocument } from './model.ts';
import { readScenario } from './scenarios.ts';

/**
 * What the console shows of a scenario at work, read from the runtime's tables
 * (scenario_enrollments, scenario_step_log, scenario_effects; migrations 0018–0020):
 *
 * - per scenario: enrolled now (active enrollments), entered (every enrollment ever), sent
 *   (send effects the SMTP server accepted) and conversions — enrollments that left because a
 *   `condition` exit rule held (the customer did what the scenario was for: bought, started a
 *   定期 …). Leaving a cell (`left_cell`), an exit step or reaching the end is not a conversion;
 * - per step: entered, waiting (active at that step now), passed, exited (left while at it);
 * - the send log: a scenario's sends newest first, with the customer, the outcome and why.
 *
 * Every query reads one workspace's or one scenario's rows through the indexes of migration
 * 0023; the send log reads one bounded page (keyset on the effect id).
 */

type Queryable = pg.Pool | pg.ClientBase;

export interface ScenarioFigures {
  /** Active enrollments now. */
  enrolled: number;
  /** Every enrollment ever (each entry counts, re-entries too). */
  entered: number;
  /** Send effects the SMTP server accepted. */
  sent: number;
  /** Enrollments that left because a condition exit rule held. */
  conversions: number;
}

/** Whether an exit reason of a version is one of its condition exit rules (a left_cell rule of the same wording wins: not a conversion). */
export function isConversion(reason: string | null, document: ScenarioDocument | undefined): boolean {
  if (reason === null || !document) return false;
  const cellReasons = new Set(document.exitRules.filter((rule) => rule.kind === 'left_cell').map(exitRuleReason));
  if (cellReasons.has(reason)) return false;
  return document.exitRules.some((rule) => rule.kind === 'condition' && exitRuleReason(rule) === reason);
}

/**
 * The figures of every scenario of a workspace, by scenario id (a scenario nobody entered has
 * zeros). Two grouped queries: the enrollments by scenario, version, status and exit reason
 * (few groups), and the accepted sends by scenario.
 */
export async function scenarioFigures(params: { pool: Queryable; workspaceId: string }): Promise<Map<string, ScenarioFigures>> {
  const { pool, workspaceId } = params;
  const [groups, sends] = await Promise.all([
    pool.query<{ scenario_id: string; version: number; status: string; exit_reason: string | null; n: number }>(
      `select scenario_id::text, version, status, case when status = 'exited' then exit_reason end as exit_reason, count(*)::int as n
         from scenario_enrollments where workspace_id = $1
        group by 1, 2, 3, 4`,
      [workspaceId],
    ),
    pool.query<{ scenario_id: string; n: number }>(
      `select (why->>'scenarioId') as scenario_id, count(*)::int as n
         from scenario_effects where workspace_id = $1 and kind = 'send' and status = 'done'
        group by 1`,
      [workspaceId],
    ),
  ]);
  const documents = await versionDocuments(
    pool,
    groups.rows.filter((row) => row.exit_reason !== null).map((row) => ({ scenarioId: row.scenario_id, version: row.version })),
  );
  const figures = new Map<string, ScenarioFigures>();
  const of = (id: string) => {
    let entry = figures.get(id);
    if (!entry) figures.set(id, (entry = { enrolled: 0, entered: 0, sent: 0, conversions: 0 }));
    return entry;
  };
  for (const row of groups.rows) {
    const entry = of(row.scenario_id);
    entry.entered += row.n;
    if (row.status === 'active') entry.enrolled += row.n;
    if (row.status === 'exited' && isConversion(row.exit_reason, documents.get(`${row.scenario_id}:${row.version}`))) entry.conversions += row.n;
  }
  for (const row of sends.rows) of(row.scenario_id).sent += row.n;
  return figures;
}

async function versionDocuments(pool: Queryable, wanted: Array<{ scenarioId: string; version: number }>): Promise<Map<string, ScenarioDocument>> {
  const documents = new Map<string, ScenarioDocument>();
  if (wanted.length === 0) return documents;
  const { rows } = await pool.query<{ scenario_id: string; version: number; document: unknown }>(
    `select v.scenario_id::text, v.version, v.document from scenario_versions v
       join unnest($1::bigint[], $2::int[]) as w(scenario_id, version) on w.scenario_id = v.scenario_id and w.version = v.version`,
    [wanted.map((w) => w.scenarioId), wanted.map((w) => w.version)],
  );
  for (const row of rows) {
    const parsed = ScenarioDocument.safeParse(row.document);
    if (parsed.success) documents.set(`${row.scenario_id}:${row.version}`, parsed.data);
  }
  return documents;
}

export interface StepCounter {
  stepId: string;
  /** Visits of the step: passed + exited + waiting (every visit ends in one of them or still waits). */
  entered: number;
  /** Active enrollments at this step now. */
  waiting: number;
  /** Visits that went on to the next step. */
  passed: number;
  /** Visits that left the scenario at this step (an exit step, an exit rule during a wait, a step that could not run). */
  exited: number;
}

/**
 * The counters of every step of a scenario (of one version, or of all), in the order of the
 * version's steps (the published version's when all): each step of the document, even one
 * nobody reached, then any other step id the log names (a step of an older version).
 */
export async function stepCounters(params: { pool: Queryable; workspaceId: string; scenario: string; version?: number }): Promise<StepCounter[]> {
  const { pool, workspaceId } = params;
  const stored = await readScenario({ pool, workspaceId, scenario: params.scenario });
  const version = params.version ?? null;
  const [logged, waiting] = await Promise.all([
    pool.query<{ step_id: string; passed: number; exited: number }>(
      `select l.step_id, count(*) filter (where l.outcome = 'passed')::int as passed, count(*) filter (where l.outcome = 'exited')::int as exited
         from scenario_enrollments e join scenario_step_log l on l.enrollment_id = e.id
        where e.workspace_id = $1 and e.scenario_id = $2 and ($3::int is null or e.version = $3) and l.outcome in ('passed', 'exited')
        group by l.step_id`,
      [workspaceId, stored.id, version],
    ),
    pool.query<{ step_id: string; n: number }>(
      `select step_id, count(*)::int as n from scenario_enrollments
        where workspace_id = $1 and scenario_id = $2 and ($3::int is null or version = $3) and status = 'active' and step_id is not null
        group by step_id`,
      [workspaceId, stored.id, version],
    ),
  ]);
  let document = stored.published?.document;
  if (version !== null && version !== stored.published?.version)
    document = (await versionDocuments(pool, [{ scenarioId: stored.id, version }])).get(`${stored.id}:${version}`);
  const order = [...(document ? orderedStepIds(document) : [])];
  const counters = new Map<string, StepCounter>(order.map((stepId) => [stepId, { stepId, entered: 0, waiting: 0, passed: 0, exited: 0 }]));
  const of = (stepId: string) => {
    let counter = counters.get(stepId);
    if (!counter) counters.set(stepId, (counter = { stepId, entered: 0, waiting: 0, passed: 0, exited: 0 }));
    return counter;
  };
  for (const row of logged.rows) {
    // An exit rule that held before the first step logs '(entry)': not a step.
    if (row.step_id === '(entry)') continue;
    Object.assign(of(row.step_id), { passed: row.passed, exited: row.exited });
  }
  for (const row of waiting.rows) of(row.step_id).waiting = row.n;
  for (const counter of counters.values()) counter.entered = counter.passed + counter.exited + counter.waiting;
  return [...counters.values()];
}

/** A document's step ids from its start in the order a reader follows them (then any unreachable ones). */
function orderedStepIds(document: ScenarioDocument): string[] {
  const byId = new Map(document.steps.map((step) => [step.id, step]));
  const seen = new Set<string>();
  const queue = [document.start];
  while (queue.length > 0) {
    const id = queue.shift()!;
    const step = byId.get(id);
    if (!step || seen.has(id)) continue;
    seen.add(id);
    for (const next of nextStepIds(step)) if (next !== null) queue.push(next);
  }
  for (const step of document.steps) seen.add(step.id);
  return [...seen];
}

export const SEND_STATUSES = ['pending', 'sending', 'sent', 'not_sent', 'failed', 'interrupted'] as const;
/**
 * pending: written, waiting for the performer (or for a retry after the SMTP server deferred it);
 * sending: claimed by a performer; sent: accepted by the SMTP server; not_sent: deliberately not
 * sent (no consent, suppressed … see reason); failed: refused or broken (see reason);
 * interrupted: the performer stopped between the SMTP server and the record, so it is never sent again.
 */
export type SendStatus = (typeof SEND_STATUSES)[number];

export interface SendLogEntry {
  id: string;
  customer: { id: string; externalId: string | null; name: string | null };
  stepId: string;
  version: number;
  status: SendStatus;
  /** Why it was not sent or failed (EffectReason of runtime/effects.ts). */
  reason: EffectReason | null;
  /** The performer's message about it (a failure's, a refusal's). */
  message: string | null;
  /** What the contact rules decided (src/governance/govern.ts heldOutcome): deferred until …, skipped by …, displaced by …; null: nothing held it back. */
  governance: Record<string, unknown> | null;
  templateId: string | null;
  /** When it was written (the moment the scenario chose). */
  createdAt: Date;
  /** When its outcome was recorded (null while pending or sending). */
  doneAt: Date | null;
  whyText: { ja: string; en: string };
  why: Why;
}

/** The send log's page size by default and at most. */
export const SEND_LOG_PAGE = 50;
export const SEND_LOG_MAX_PAGE = 200;

/**
 * A page of a scenario's sends, newest first (by the order they were written). `before`: the
 * id of the last send of the previous page; `next` is the value for the following page (null
 * at the end). The reason in words is the footer's (whyInWords), its names loaded once per
 * scenario version and products named.
 */
export async function sendLog(params: {
  pool: Queryable;
  workspaceId: string;
  scenario: string;
  limit?: number;
  before?: string;
}): Promise<{ sends: SendLogEntry[]; next: string | null }> {
  const { pool, workspaceId } = params;
  const stored = await readScenario({ pool, workspaceId, scenario: params.scenario });
  const limit = Math.min(Math.max(params.limit ?? SEND_LOG_PAGE, 1), SEND_LOG_MAX_PAGE);
  const { rows } = await pool.query<{
    id: string;
    customer_id: string;
    external_id: string | null;
    name: string | null;
    step_id: string;
    status: 'pending' | 'sending' | 'done' | 'not_done' | 'failed';
    outcome: { reason?: string; message?: string; note?: string; governance?: Record<string, unknown> } | null;
    payload: { templateId?: string };
    why: Why;
    created_at: Date;
    done_at: Date | null;
  }>(
    `select f.id::text, f.customer_id::text, c.external_id, c.name, f.step_id, f.status, f.outcome, f.payload, f.why, f.created_at, f.done_at
       from scenario_effects f left join customers c on c.workspace_id = f.workspace_id and c.id = f.customer_id
      where f.workspace_id = $1 and (f.why->>'scenarioId')::bigint = $2 and f.kind = 'send' and ($3::bigint is null or f.id < $3)
      order by f.id desc limit $4`,
    [workspaceId, stored.id, params.before ?? null, limit + 1],
  );
  const page = rows.slice(0, limit);
  const names = new Map<string, Promise<WhyNames>>();
  const sends = await Promise.all(
    page.map(async (row) => {
      const namesKey = `${row.why.version}|${row.why.trigger.sku ?? ''}|${row.why.timing.kind === 'effect' ? row.why.timing.sku : ''}|${row.why.trigger.kind}`;
      let loading = names.get(namesKey);
      if (!loading) names.set(namesKey, (loading = loadWhyNames(pool, workspaceId, row.why)));
      const whyNames = await loading;
      const { status, reason } = sendStatusOf(row.status, row.outcome?.reason ?? null);
      return {
        id: row.id,
        customer: { id: row.customer_id, externalId: row.external_id, name: row.name },
        stepId: row.step_id,
        version: row.why.version,
        status,
        reason,
        message: row.outcome?.message ?? row.outcome?.note ?? null,
        governance: row.outcome?.governance ?? null,
        templateId: typeof row.payload.templateId === 'string' ? row.payload.templateId : null,
        createdAt: row.created_at,
        doneAt: row.done_at,
        whyText: { ja: whyInWords(row.why, whyNames, 'ja'), en: whyInWords(row.why, whyNames, 'en') },
        why: row.why,
      } satisfies SendLogEntry;
    }),
  );
  return { sends, next: rows.length > limit ? page.at(-1)!.id : null };
}

function sendStatusOf(
  status: 'pending' | 'sending' | 'done' | 'not_done' | 'failed',
  reason: string | null,
): { status: SendStatus; reason: EffectReason | null } {
  const known = reason as EffectReason | null;
  switch (status) {
    case 'pending':
    case 'sending':
      return { status, reason: null };
    case 'done':
      return { status: 'sent', reason: null };
    case 'not_done':
      return { status: 'not_sent', reason: known };
    case 'failed':
      return { status: reason === 'interrupted' ? 'interrupted' : 'failed', reason: known };
  }
}
