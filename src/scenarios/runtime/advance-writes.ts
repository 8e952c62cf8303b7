import type pg from 'pg';
import type { Advance, StepEffect } from '../interpreter.ts';
import { DEFAULT_WHEN_HELD } from '../model.ts';
import type { RunnableVersion, ScheduleWake, TriggerRecord } from './enrollments.ts';

/** One enrollment's advance to write: the interpreter's answer and what it ran for. */
export interface AdvanceToWrite {
  workspaceId: string;
  customerId: string;
  version: RunnableVersion;
  trigger: TriggerRecord;
  result: Advance;
  /** The enrollment's arm (default treatment): a holdout or the global control group gets no messages. */
  arm?: EnrollmentArm;
}

export const ENROLLMENT_ARMS = ['treatment', 'holdout', 'global_control'] as const;
/** treatment: gets the messages; holdout: the scenario's control group; global_control: the workspace's (no marketing at all). */
export type EnrollmentArm = (typeof ENROLLMENT_ARMS)[number];

/**
 * Whether an effect is withheld from a customer in a control group: a holdout gets none of the
 * scenario's marketing messages or tasks (transactional messages are never withheld: what the
 * customer must know about an order); the global control group gets no marketing at all.
 * Attribute updates are data, not contact: they happen for every arm.
 */
export function withheld(arm: EnrollmentArm, effect: StepEffect, scenarioPurpose: 'marketing' | 'transactional'): boolean {
  if (arm === 'treatment' || effect.kind === 'update_attribute') return false;
  const purpose = effect.kind === 'send' ? effect.purpose : scenarioPurpose;
  return purpose === 'marketing';
}

/**
 * Writes the interpreter's answers for enrollments whose rows the caller's transaction holds:
 * their state (one update), their step log (one insert), their effects (one insert; a key that
 * exists is not written again) and their wake-ups (`schedule.many` when it has it, else one call
 * each); then rings the effects of each workspace that got some, once, with the kinds written.
 */
export async function applyAdvances(client: pg.ClientBase, items: readonly AdvanceToWrite[], now: Date, schedule?: ScheduleWake): Promise<void> {
  if (items.length === 0) return;
  const states = items.map((item) => ({ state: item.result.state, result: item.result }));
  await client.query(
    `update scenario_enrollments e
        set status = v.status, step_id = v.step_id, visit = v.visit, since = v.since, timing = v.timing, exit_reason = v.exit_reason,
            wake_at = v.wake_at, wait_event_type = v.wait_event_type, wait_event_where = v.wait_event_where,
            waiting_for_delivery = v.waiting_for_delivery,
            finished_at = case when v.status <> 'active' then $12::timestamptz else null end
       from unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::jsonb[], $7::text[], $8::timestamptz[], $9::text[], $10::jsonb[], $11::boolean[])
            as v(id, status, step_id, visit, since, timing, exit_reason, wake_at, wait_event_type, wait_event_where, waiting_for_delivery)
      where e.id = v.id`,
    [
      states.map(({ state }) => state.id),
      states.map(({ state }) => state.status),
      states.map(({ state }) => state.stepId),
      states.map(({ state }) => state.visit),
      states.map(({ state }) => state.since),
      states.map(({ state }) => JSON.stringify(state.timing)),
      states.map(({ state }) => state.exitReason),
      states.map(({ result }) => result.schedule?.at ?? null),
      states.map(({ result }) => result.waitFor?.type ?? null),
      states.map(({ result }) => (result.waitFor ? JSON.stringify(result.waitFor.where) : null)),
      states.map(({ result }) => result.waitingForDelivery),
      now,
    ],
  );
  const path = items.flatMap((item) => item.result.path.map((entry) => ({ enrollmentId: item.result.state.id, entry })));
  if (path.length > 0) {
    await client.query(
      `insert into scenario_step_log (enrollment_id, step_id, kind, outcome, at, detail, until)
       select p.enrollment_id, p.step_id, p.kind, p.outcome, p.at, p.detail, p.until
         from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::timestamptz[])
              with ordinality as p(enrollment_id, step_id, kind, outcome, at, detail, until, n)
        order by p.n`,
      [
        path.map((p) => p.enrollmentId),
        path.map((p) => p.entry.stepId),
        path.map((p) => p.entry.kind),
        path.map((p) => p.entry.outcome),
        path.map((p) => p.entry.at),
        path.map((p) => p.entry.detail ?? null),
        path.map((p) => p.entry.until ?? null),
      ],
    );
  }
  const effects = items.flatMap((item) => item.result.effects.map((effect) => ({ item, effect })));
  if (effects.length > 0) {
    await client.query(
      `insert into scenario_effects (workspace_id, key, enrollment_id, customer_id, step_id, kind, payload, why, created_at, status, outcome, done_at)
       select f.workspace_id, f.key, f.enrollment_id, f.customer_id, f.step_id, f.kind, f.payload, f.why, $9::timestamptz,
              case when f.arm is null then 'pending' else 'not_done' end,
              case when f.arm is null then null
                   else jsonb_build_object('reason', f.arm, 'message', case when f.arm = 'holdout' then 'In the scenario''s holdout (control) group: travels the path without the message.'
                                                                     else 'In the workspace''s global control group: no marketing contact.' end) end,
              case when f.arm is null then null else $9::timestamptz end
         from unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::jsonb[], $8::jsonb[], $10::text[])
              with ordinality as f(workspace_id, key, enrollment_id, customer_id, step_id, kind, payload, why, arm, n)
        order by f.n
       on conflict (key) do nothing`,
      [
        effects.map(({ item }) => item.workspaceId),
        effects.map(({ effect }) => effect.key),
        effects.map(({ item }) => item.result.state.id),
        effects.map(({ item }) => item.customerId),
        effects.map(({ effect }) => effect.stepId),
        effects.map(({ effect }) => effect.kind),
        effects.map(({ item, effect }) => JSON.stringify(payloadOf(item, effect))),
        effects.map(({ item, effect }) => JSON.stringify(whyOf(item, effect))),
        now,
        effects.map(({ item, effect }) => {
          const arm = item.arm ?? 'treatment';
          return withheld(arm, effect, item.version.document.purpose) ? arm : null;
        }),
      ],
    );
  }
  if (schedule) {
    const wakes = items.flatMap(({ result }) =>
      result.schedule ? [{ enrollmentId: result.state.id, stepId: result.schedule.stepId, at: result.schedule.at }] : [],
    );
    if (schedule.many) {
      if (wakes.length > 0) await schedule.many(client, wakes);
    } else {
      for (const wake of wakes) await schedule(client, wake.enrollmentId, wake.stepId, wake.at);
    }
    const written = new Map<string, Set<StepEffect['kind']>>();
    for (const { item, effect } of effects) {
      if (withheld(item.arm ?? 'treatment', effect, item.version.document.purpose)) continue;
      const kinds = written.get(item.workspaceId) ?? new Set();
      kinds.add(effect.kind);
      written.set(item.workspaceId, kinds);
    }
    for (const [workspaceId, kinds] of written) await schedule.effectsWritten?.(client, workspaceId, kinds);
  }
}

/**
 * An effect's payload: what the performer needs. A send carries what the contact rules decide
 * on (department, priority, the step's rule for held messages); a task its purpose and priority
 * (it counts as a contact).
 */
function payloadOf(item: AdvanceToWrite, effect: StepEffect): Record<string, unknown> {
  const { key: _key, stepId: _stepId, kind: _kind, ...payload } = effect;
  const { document } = item.version;
  if (effect.kind === 'send') {
    const step = document.steps.find((candidate) => candidate.id === effect.stepId);
    const whenHeld = step?.kind === 'send' ? (step.whenHeld ?? DEFAULT_WHEN_HELD) : DEFAULT_WHEN_HELD;
    return { ...payload, department: document.department, priority: document.priority, whenHeld };
  }
  if (effect.kind === 'task') return { ...payload, purpose: document.purpose, priority: document.priority };
  return payload;
}

/** The structured reason kept with every effect (the footer, the customer's page and the timeline put it in words). */
function whyOf(item: AdvanceToWrite, effect: StepEffect) {
  return {
    scenarioId: item.version.scenarioId,
    key: item.version.document.key,
    version: item.version.version,
    stepId: effect.stepId,
    trigger: item.trigger,
    timing: 'timing' in effect ? effect.timing : item.result.state.timing,
  };
}
