import type pg from 'pg';
import type { ValidRecords } from '../../ingest/ingest-batch.ts';
import type { SubscriptionChange } from '../model.ts';

/**
 * The scenario trigger queue (scenario_signals, migration 0020): writers add one row per change
 * of a customer that a scenario may react to, in their own transaction, and NOTIFY
 * `kizuna_scenarios` with the workspace id; the scenario reactor (reactor.ts) processes them
 * (process-signals.ts). A workspace without an active scenario and without an active enrollment
 * gets no rows: the writers' gate (`scenarioSignalsWanted`) is one indexed lookup per batch.
 */

/** The channel the scenario reactor listens on; the payload is the workspace id. */
export const SCENARIO_CHANNEL = 'kizuna_scenarios';

export type SignalKind = 'event' | 'order' | 'subscription' | 'moved';

export interface CellRef {
  stage: string;
  level: string;
}

/** What a signal carries, by kind. */
export interface SignalData {
  event: { type: string; properties: Record<string, unknown> };
  /** orderId: the order's internal id; skus: its products in item order; delivered: a delivery is recorded. */
  order: { orderId: string; skus: string[]; delivered: boolean };
  /** delivery: the delivery's number (change "delivery"); skus: the subscription's products. */
  subscription: { change: SubscriptionChange; delivery: number | null; skus: string[] };
  moved: { from: CellRef | null; to: CellRef; cause: string; causeRef: string | null };
}

export type SignalInput = {
  [K in SignalKind]: { customerId: string; kind: K; ref: string | null; at: Date | string; data: SignalData[K] };
}[SignalKind];

/** Whether the workspace's writes must queue signals: it has an active scenario or an active enrollment. */
export async function scenarioSignalsWanted(client: pg.ClientBase, workspaceId: string): Promise<boolean> {
  const { rows } = await client.query<{ wanted: boolean }>(
    `select exists (select 1 from scenarios where workspace_id = $1 and status = 'active')
         or exists (select 1 from scenario_enrollments where workspace_id = $1 and status = 'active') as wanted`,
    [workspaceId],
  );
  return rows[0]!.wanted;
}

/** Queues signals in the caller's transaction (one insert) and notifies the reactor when it commits. */
export async function writeScenarioSignals(client: pg.ClientBase, workspaceId: string, signals: readonly SignalInput[]): Promise<void> {
  if (signals.length === 0) return;
  await client.query(
    `with queued as (
       insert into scenario_signals (workspace_id, customer_id, kind, ref, at, data)
       select $1, s.customer_id, s.kind, s.ref, s.at, s.data
         from unnest($2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[]) with ordinality as s(customer_id, kind, ref, at, data, n)
        order by s.n
     )
     select pg_notify($7, $1::text)`,
    [
      workspaceId,
      signals.map((s) => s.customerId),
      signals.map((s) => s.kind),
      signals.map((s) => s.ref),
      signals.map((s) => (typeof s.at === 'string' ? s.at : s.at.toISOString())),
      signals.map((s) => JSON.stringify(s.data)),
      SCENARIO_CHANNEL,
    ],
  );
}

/** A subscription's state before a batch writes it (to tell what changed). */
export interface SubscriptionBefore {
  status: string;
  deliveries: number;
  skips: number;
}

/** The stored states of a subscriptions batch before it is written; null when the workspace wants no signals. */
export async function subscriptionsBeforeWrite(
  client: pg.ClientBase,
  workspaceId: string,
  records: ReadonlyArray<{ subscription_id: string }>,
): Promise<Map<string, SubscriptionBefore> | null> {
  if (!(await scenarioSignalsWanted(client, workspaceId))) return null;
  const { rows } = await client.query<{ external_id: string; status: string; deliveries: number; skips: number }>(
    'select external_id, status, deliveries, skips from subscriptions where workspace_id = $1 and external_id = any($2::text[])',
    [workspaceId, records.map((r) => r.subscription_id)],
  );
  return new Map(rows.map((row) => [row.external_id, { status: row.status, deliveries: row.deliveries, skips: row.skips }]));
}

/**
 * The scenarios' hook in writeRecords, after the batch is written, in its transaction (next to
 * the journey map's, src/journey-map/record-changes.ts): one signal per event, per order, per
 * subscription change (started, paused, resumed, cancelled, skipped — by comparing with
 * `subscriptionsBefore` — and delivery: an order naming its subscription's delivery number).
 * Customers and products write none (a profile change reaches scenarios through the journey
 * map's moves; exit conditions are checked on the customer's next signal).
 */
export async function noteRecordsForScenarios(
  client: pg.ClientBase,
  workspaceId: string,
  valid: ValidRecords,
  written: { customerIds?: ReadonlyMap<string, string>; subscriptionsBefore?: Map<string, SubscriptionBefore> | null },
): Promise<void> {
  if (valid.records.length === 0 || valid.kind === 'customers' || valid.kind === 'products') return;
  if (valid.kind === 'subscriptions') {
    if (!written.subscriptionsBefore) return;
    await writeScenarioSignals(client, workspaceId, await subscriptionSignals(client, workspaceId, valid.records, written.subscriptionsBefore));
    return;
  }
  if (!(await scenarioSignalsWanted(client, workspaceId))) return;
  if (valid.kind === 'events') {
    const ids = written.customerIds ?? new Map<string, string>();
    const signals: SignalInput[] = [];
    for (const record of valid.records) {
      const customerId = ids.get(record.customer_id);
      if (customerId === undefined) continue;
      signals.push({
        customerId,
        kind: 'event',
        ref: record.idempotency_key,
        at: record.occurred_at,
        data: { type: record.type, properties: (record.properties ?? {}) as Record<string, unknown> },
      });
    }
    await writeScenarioSignals(client, workspaceId, signals);
    return;
  }
  // Orders: their internal ids and owners as written.
  const { rows } = await client.query<{ id: string; external_id: string; customer_id: string }>(
    'select id, external_id, customer_id from orders where workspace_id = $1 and external_id = any($2::text[])',
    [workspaceId, valid.records.map((r) => r.order_id)],
  );
  const stored = new Map(rows.map((row) => [row.external_id, row]));
  const signals: SignalInput[] = [];
  for (const record of valid.records) {
    const order = stored.get(record.order_id);
    if (!order) continue;
    const skus = [...new Set(record.items.map((item) => item.sku))];
    signals.push({
      customerId: order.customer_id,
      kind: 'order',
      ref: record.order_id,
      at: record.ordered_at,
      data: { orderId: order.id, skus, delivered: record.delivered_at != null },
    });
    if (record.subscription_id != null && record.delivery_number != null && record.delivered_at != null) {
      signals.push({
        customerId: order.customer_id,
        kind: 'subscription',
        ref: record.subscription_id,
        at: record.delivered_at,
        data: { change: 'delivery', delivery: record.delivery_number, skus },
      });
    }
  }
  await writeScenarioSignals(client, workspaceId, signals);
}

async function subscriptionSignals(
  client: pg.ClientBase,
  workspaceId: string,
  records: Extract<ValidRecords, { kind: 'subscriptions' }>['records'],
  before: Map<string, SubscriptionBefore>,
): Promise<SignalInput[]> {
  const { rows } = await client.query<{ external_id: string; customer_id: string; skus: string[] }>(
    `select s.external_id, s.customer_id,
            coalesce(array(select p.sku from subscription_items i join products p on p.id = i.product_id where i.subscription_id = s.id order by p.sku), '{}') as skus
       from subscriptions s where s.workspace_id = $1 and s.external_id = any($2::text[])`,
    [workspaceId, records.map((r) => r.subscription_id)],
  );
  const stored = new Map(rows.map((row) => [row.external_id, row]));
  const signals: SignalInput[] = [];
  for (const record of records) {
    const now = stored.get(record.subscription_id);
    if (!now) continue;
    const was = before.get(record.subscription_id);
    const at = record.status_changed_at ?? record.cancelled_at ?? record.started_at;
    const change = (kind: SubscriptionChange, when: Date = at): SignalInput => ({
      customerId: now.customer_id,
      kind: 'subscription',
      ref: record.subscription_id,
      at: when,
      data: { change: kind, delivery: null, skus: now.skus },
    });
    if (!was) {
      signals.push(change('started', record.started_at));
      if (record.status === 'paused') signals.push(change('paused'));
      if (record.status === 'cancelled') signals.push(change('cancelled'));
      continue;
    }
    if (record.skips > was.skips) signals.push(change('skipped'));
    if (record.status !== was.status) {
      if (record.status === 'paused') signals.push(change('paused'));
      else if (record.status === 'cancelled') signals.push(change('cancelled'));
      else if (record.status === 'active') signals.push(change('resumed'));
    }
  }
  return signals;
}

/**
 * Moves the journey placement wrote (placing-run.ts PlacementWrites.flush), in its transaction:
 * `moved` signals, only while an active scenario has a cell trigger or a left_cell exit rule.
 */
export async function writeMoveSignals(
  client: pg.ClientBase,
  workspaceId: string,
  at: string,
  moves: {
    ids: readonly string[];
    fromStages: readonly (string | null)[];
    fromLevels: readonly (string | null)[];
    stages: readonly string[];
    levels: readonly string[];
    causes: readonly string[];
    refs: readonly (string | null)[];
    moved: readonly boolean[];
  },
): Promise<void> {
  await client.query(
    `with wanted as (
       select 1 from scenarios s join scenario_versions v on v.scenario_id = s.id and v.version = s.published_version
        where s.workspace_id = $1 and s.status = 'active'
          and (v.document->'trigger'->>'kind' in ('cell_entered', 'cell_left') or v.document->'exitRules' @> '[{"kind": "left_cell"}]')
        limit 1
     ), queued as (
       insert into scenario_signals (workspace_id, customer_id, kind, ref, at, data)
       select $1, m.customer_id, 'moved', m.to_stage || '/' || m.to_level, $2::timestamptz,
              jsonb_build_object(
                'from', case when m.from_stage is null then null else jsonb_build_object('stage', m.from_stage, 'level', m.from_level) end,
                'to', jsonb_build_object('stage', m.to_stage, 'level', m.to_level),
                'cause', m.cause, 'causeRef', m.cause_ref)
         from unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[])
                with ordinality as m(customer_id, from_stage, from_level, to_stage, to_level, cause, cause_ref, moved, n)
        where m.moved and exists (select 1 from wanted)
        order by m.n
       returning 1
     )
     select pg_notify($11, $1::text) from (select 1 from queued limit 1) as any_queued`,
    [workspaceId, at, moves.ids, moves.fromStages, moves.fromLevels, moves.stages, moves.levels, moves.causes, moves.refs, moves.moved, SCENARIO_CHANNEL],
  );
}
