import { z } from 'zod';
import { DEPARTMENTS } from '../charter/types.ts';
import { Condition, KEY_PATTERN, PropertyTest } from '../journey-map/model.ts';
import { assertNever } from '../shared/errors.ts';

/**
 * A scenario (シナリオ): what Kizuna does for a customer from a trigger on, step by step. The
 * one contract between the checker (check-scenario.ts), the versions (scenarios.ts), the
 * interpreter and its jobs, the HTTP routes, the CLI and the console. A scenario is a JSON
 * document (docs/scenarios.md documents every field); the file `kizuna scenario publish
 * FILE.json` reads is exactly `ScenarioDocument`.
 *
 * Every union is discriminated on `kind`, so the interpreter is one exhaustive `switch` per
 * union with `assertNever` in its default. Conditions (a branch, exit rules, an audience) are
 * the journey map's rule vocabulary (`JourneyCondition`), so a rule reads the same everywhere.
 * Steps are a flat list; each names the step that follows (`next`, or null: the scenario ends
 * there), so the graph is explicit and the checker can walk it.
 */

const Key = z.string().regex(KEY_PATTERN, 'a key is lower-case letters, digits and _ (start with a letter, at most 40), e.g. step_up');

/** A step's id: unique within the scenario, stable across versions (the job key `step:${enrollmentId}:${stepId}` carries it). */
export const StepId = z.string().regex(KEY_PATTERN, 'a step id is lower-case letters, digits and _ (start with a letter, at most 40), e.g. how_to_drink');
/** The step that follows, or null: the scenario ends there. */
const Next = StepId.nullable();

const EventType = z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/, 'an event type is snake_case, e.g. page_view');
const AttributeName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'an attribute name is letters, digits and _');
const Sku = z.string().min(1).max(200);

export const SCENARIO_PURPOSES = ['marketing', 'transactional'] as const;
/** marketing: advertising mail (特定電子メール法: opt-in, sender details, unsubscribe); transactional: what the customer must know about an order or a subscription. */
export type ScenarioPurpose = (typeof SCENARIO_PURPOSES)[number];

/** The channels a scenario may send on (email now). */
export const SCENARIO_CHANNELS = ['email'] as const;
export type ScenarioChannel = (typeof SCENARIO_CHANNELS)[number];

export const SCENARIO_STATUSES = ['draft', 'active', 'paused', 'archived'] as const;
export type ScenarioStatus = (typeof SCENARIO_STATUSES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A local time of day in the workspace's time zone, HH:MM (24 h). */
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM (24 h), e.g. 09:30');

/** The longest wait, timeout or due date a scenario may name. */
export const MAX_DURATION_DAYS = 400;
export const MAX_STEPS = 200;

/** A duration: days, hours and minutes added together; more than zero and at most 400 days. */
export const Duration = z
  .strictObject({
    days: z.number().int().min(0).optional(),
    hours: z.number().int().min(0).optional(),
    minutes: z.number().int().min(0).optional(),
  })
  .refine((duration) => durationMinutes(duration) > 0, { message: 'a duration is more than zero: give days, hours or minutes' })
  .refine((duration) => durationMinutes(duration) <= MAX_DURATION_DAYS * 24 * 60, {
    message: `a duration is at most ${MAX_DURATION_DAYS} days (days, hours and minutes added together)`,
  })
  .meta({ id: 'ScenarioDuration', description: 'days, hours and minutes added together; more than zero, at most 400 days' });
export type Duration = z.infer<typeof Duration>;

/** A duration in minutes. */
export function durationMinutes(duration: { days?: number | undefined; hours?: number | undefined; minutes?: number | undefined }): number {
  return (duration.days ?? 0) * 24 * 60 + (duration.hours ?? 0) * 60 + (duration.minutes ?? 0);
}

/** SKUs and/or categories (a product matches when it is named or in a named category), as the journey rules' `bought`. */
const ProductSelection = {
  products: z.array(Sku).max(50).optional(),
  categories: z.array(z.string().min(1).max(200)).max(50).optional(),
};

// ─── Triggers ────────────────────────────────────────────────────────────────────────────────

export const SUBSCRIPTION_CHANGES = ['started', 'skipped', 'paused', 'resumed', 'cancelled', 'delivery'] as const;
export type SubscriptionChange = (typeof SUBSCRIPTION_CHANGES)[number];

/** When an audience trigger runs: once at an instant, or on a simple local schedule. */
export const AudienceSchedule = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('once'), at: z.iso.datetime({ offset: true }) }),
    z.strictObject({ kind: z.literal('daily'), at: LocalTime }),
    z.strictObject({ kind: z.literal('weekly'), weekdays: z.array(z.enum(WEEKDAYS)).min(1).max(7), at: LocalTime }),
    z.strictObject({ kind: z.literal('monthly'), dayOfMonth: z.number().int().min(1).max(28), at: LocalTime }),
  ])
  .meta({ id: 'ScenarioAudienceSchedule', description: 'once at an instant (ISO 8601 with offset), or daily / weekly / monthly at a local time' });
export type AudienceSchedule = z.infer<typeof AudienceSchedule>;

export const CellEnteredTrigger = z.strictObject({
  kind: z.literal('cell_entered'),
  /** The stage key; absent: any stage. */
  stage: Key.optional(),
  /** The level key; absent: any level. */
  level: Key.optional(),
});
export const CellLeftTrigger = z.strictObject({ kind: z.literal('cell_left'), stage: Key.optional(), level: Key.optional() });
export const EventTrigger = z.strictObject({ kind: z.literal('event'), type: EventType, where: z.array(PropertyTest).max(10).optional() });
export const OrderTrigger = z.strictObject({ kind: z.literal('order'), ...ProductSelection });
export const SubscriptionTrigger = z.strictObject({
  kind: z.literal('subscription'),
  change: z.enum(SUBSCRIPTION_CHANGES),
  /** With change "delivery": the k-th delivery only (1 = the first); absent: every delivery. */
  delivery: z.number().int().min(1).max(1000).optional(),
  /** Only subscriptions holding one of these products or categories; absent: any. */
  ...ProductSelection,
});
export const DateAttributeTrigger = z.strictObject({
  kind: z.literal('date_attribute'),
  /** A customer attribute holding a date (YYYY-MM-DD or an ISO date-time), e.g. birthday. */
  attribute: AttributeName,
  /** Days from the date: −7 = a week before, 0 = on the day. */
  offsetDays: z.number().int().min(-365).max(365),
  /** yearly: every year on the date's month and day (a birthday); once: on the date itself. */
  recurrence: z.enum(['yearly', 'once']),
  /** The local time it fires; absent: 09:00 (DEFAULT_DATE_TRIGGER_TIME). */
  at: LocalTime.optional(),
});
export const SubscriptionAnniversaryTrigger = z.strictObject({
  kind: z.literal('subscription_anniversary'),
  /** Days from each yearly anniversary of the subscription's start (定期 anniversary). */
  offsetDays: z.number().int().min(-365).max(365),
  at: LocalTime.optional(),
  ...ProductSelection,
});
export const AudienceTrigger = z.strictObject({
  kind: z.literal('audience'),
  /** The saved customer filter: everyone for whom it holds when the schedule fires enters. */
  audience: Condition,
  schedule: AudienceSchedule,
});

/** The local time a date trigger fires at when it names none. */
export const DEFAULT_DATE_TRIGGER_TIME = '09:00';

export const ScenarioTrigger = z
  .discriminatedUnion('kind', [
    CellEnteredTrigger,
    CellLeftTrigger,
    EventTrigger,
    OrderTrigger,
    SubscriptionTrigger,
    DateAttributeTrigger,
    SubscriptionAnniversaryTrigger,
    AudienceTrigger,
  ])
  .meta({ id: 'ScenarioTrigger', description: 'What enrolls a customer (docs/scenarios.md)' });
export type ScenarioTrigger = z.infer<typeof ScenarioTrigger>;
export type TriggerKind = ScenarioTrigger['kind'];

// ─── Re-entry and exit ──────────────────────────────────────────────────────────────────────

export const ReentryRule = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('once') }),
    z.strictObject({ kind: z.literal('once_per_days'), days: z.number().int().min(1).max(3650) }),
    z.strictObject({ kind: z.literal('every_time') }),
  ])
  .meta({
    id: 'ScenarioReentry',
    description:
      'once: a customer enters at most once ever; once_per_days: again only N days after the last entry; every_time: on every trigger (one enrollment at a time)',
  });
export type ReentryRule = z.infer<typeof ReentryRule>;

export const ExitRule = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('condition'), name: z.string().trim().min(1).max(100).optional(), condition: Condition }),
    z.strictObject({
      kind: z.literal('left_cell'),
      /** The cell to stay in; absent keys: the trigger's cell (a cell_entered trigger). */
      stage: Key.optional(),
      level: Key.optional(),
    }),
  ])
  .meta({
    id: 'ScenarioExitRule',
    description: 'A customer leaves the scenario at once (even during a wait) when a condition holds, or when leaving the cell',
  });
export type ExitRule = z.infer<typeof ExitRule>;

/** The exit reason an enrollment records when an exit rule makes it leave (the send log and the figures read it back). */
export function exitRuleReason(rule: ExitRule): string {
  if (rule.kind === 'condition') return `exit rule: ${rule.name ?? 'condition'}`;
  return `exit rule: left the cell${rule.stage || rule.level ? ` ${rule.stage ?? '*'}/${rule.level ?? '*'}` : ''}`;
}

// ─── Steps ───────────────────────────────────────────────────────────────────────────────────

const stepBase = { id: StepId, name: z.string().trim().min(1).max(100).optional() };

export const WaitStep = z.strictObject({ kind: z.literal('wait'), ...stepBase, duration: Duration, next: Next });
export const WaitUntilStep = z
  .strictObject({
    kind: z.literal('wait_until'),
    ...stepBase,
    /** The next time of day (workspace time zone) at or after the step is reached. */
    time: LocalTime.optional(),
    /** Only on these days (the same day counts when it is one of them). */
    weekdays: z.array(z.enum(WEEKDAYS)).min(1).max(7).optional(),
    next: Next,
  })
  .refine((step) => step.time !== undefined || step.weekdays !== undefined, { message: 'wait_until names a time ("time": "10:00") and/or "weekdays"' });

export const EFFECT_POINTS = ['delivered', 'first_feeling', 'clear'] as const;
/** delivered: the order's delivery; first_feeling / clear: delivery + the product's effect_first_feeling_days / effect_clear_days. */
export type EffectTimelinePoint = (typeof EFFECT_POINTS)[number];

export const WaitForEffectStep = z.strictObject({
  kind: z.literal('wait_for_effect'),
  ...stepBase,
  point: z.enum(EFFECT_POINTS),
  /** Days added to the point (may be negative: two days before the effect is clear). */
  offsetDays: z.number().int().min(-MAX_DURATION_DAYS).max(MAX_DURATION_DAYS).optional(),
  /** The product whose timeline is read; absent: the product of the trigger's order. */
  product: Sku.optional(),
  next: Next,
});
export const WaitForEventStep = z.strictObject({
  kind: z.literal('wait_for_event'),
  ...stepBase,
  type: EventType,
  where: z.array(PropertyTest).max(10).optional(),
  timeout: Duration,
  /** When the event comes first. */
  next: Next,
  /** When the timeout passes first. */
  timeoutNext: Next,
});
export const BranchStep = z.strictObject({ kind: z.literal('branch'), ...stepBase, condition: Condition, thenNext: Next, elseNext: Next });
export const SplitArm = z.strictObject({ weight: z.number().int().min(1, 'a weight is a whole number of at least 1').max(10_000), next: Next });
export const SplitStep = z.strictObject({ kind: z.literal('split'), ...stepBase, arms: z.array(SplitArm).min(2).max(10) });
/** The longest a send may be deferred by the contact rules (a step's deadline). */
export const MAX_DEFER_DAYS = 30;

/** What a send step does when a rule holds its message back (defer within a deadline, or skip). */
export const WhenHeld = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('defer'),
      /** The latest it may go, counted from when it was first due; past it the message is skipped. */
      within: z
        .strictObject({
          days: z.number().int().min(0).max(MAX_DEFER_DAYS).optional(),
          hours: z
            .number()
            .int()
            .min(0)
            .max(MAX_DEFER_DAYS * 24)
            .optional(),
        })
        .refine((within) => (within.days ?? 0) * 24 + (within.hours ?? 0) > 0, { message: 'a deferral deadline is more than zero: give days or hours' })
        .refine((within) => (within.days ?? 0) * 24 + (within.hours ?? 0) <= MAX_DEFER_DAYS * 24, {
          message: `a deferral deadline is at most ${MAX_DEFER_DAYS} days`,
        }),
    }),
    z.strictObject({ kind: z.literal('skip') }),
  ])
  .meta({ id: 'WhenHeld', description: 'defer: to the first moment the rules allow, within `within` of when it was due; skip: not sent' });
export type WhenHeld = z.infer<typeof WhenHeld>;

/** The default of a send step that names none: defer up to 3 days. */
export const DEFAULT_WHEN_HELD: WhenHeld = { kind: 'defer', within: { days: 3 } };

export const SendStep = z.strictObject({
  kind: z.literal('send'),
  ...stepBase,
  channel: z.enum(SCENARIO_CHANNELS),
  /** A published email template of the charter (its id, as `kizuna charter template list` shows). */
  templateId: z.string().regex(/^[1-9][0-9]{0,17}$/, 'a template id is the number the template list shows, e.g. "12"'),
  /** This message's purpose when it differs from the scenario's. */
  purpose: z.enum(SCENARIO_PURPOSES).optional(),
  /** What happens when a contact rule holds the message back (a cap, quiet hours, do-not-contact-until); absent: DEFAULT_WHEN_HELD. */
  whenHeld: WhenHeld.optional(),
  next: Next,
});
export const TaskStep = z.strictObject({
  kind: z.literal('task'),
  ...stepBase,
  department: z.enum(DEPARTMENTS),
  title: z.string().trim().min(1).max(200),
  description: z.string().max(4000).optional(),
  /** Due this long after the task is created. */
  due: Duration,
  next: Next,
});
/** A JSON value (an attribute's new value). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const JsonValue: z.ZodType<JsonValue> = z
  .lazy(() => z.union([z.string(), z.number().finite(), z.boolean(), z.null(), z.array(JsonValue), z.record(z.string(), JsonValue)]))
  .meta({ id: 'ScenarioJsonValue', description: 'Any JSON value' });

export const UpdateAttributeStep = z.strictObject({ kind: z.literal('update_attribute'), ...stepBase, name: AttributeName, value: JsonValue, next: Next });
export const ExitStep = z.strictObject({ kind: z.literal('exit'), ...stepBase });

export const ScenarioStep = z
  .discriminatedUnion('kind', [
    WaitStep,
    WaitUntilStep,
    WaitForEffectStep,
    WaitForEventStep,
    BranchStep,
    SplitStep,
    SendStep,
    TaskStep,
    UpdateAttributeStep,
    ExitStep,
  ])
  .meta({ id: 'ScenarioStep', description: 'One step of a scenario (docs/scenarios.md)' });
export type ScenarioStep = z.infer<typeof ScenarioStep>;
export type StepKind = ScenarioStep['kind'];
export type StepOf<K extends StepKind> = Extract<ScenarioStep, { kind: K }>;

export const STEP_KINDS = ScenarioStep.options.map((option) => option.shape.kind.value) as StepKind[];

// ─── Measurement (control group) ─────────────────────────────────────────────────────────────

export const MEASUREMENT_METRICS = ['purchase', 'subscription_start', 'continuation', 'revenue', 'kpi'] as const;
export type MeasurementMetricKind = (typeof MEASUREMENT_METRICS)[number];

export const MeasurementMetric = z
  .discriminatedUnion('kind', [
    /** Bought anything within the window after entering. */
    z.strictObject({ kind: z.literal('purchase') }),
    /** Started a subscription (定期) within the window. */
    z.strictObject({ kind: z.literal('subscription_start') }),
    /** A subscriber still subscribed and delivered once more within the window (continuation to the next delivery). */
    z.strictObject({ kind: z.literal('continuation') }),
    /** Revenue per customer within the window (orders' totals). */
    z.strictObject({ kind: z.literal('revenue') }),
    /** A KPI of the workspace's KPI tree, measured per customer by its nearest per-customer metric. */
    z.strictObject({ kind: z.literal('kpi'), kpiId: z.string().regex(/^[1-9][0-9]{0,17}$/, 'a KPI id is the number the KPI list shows') }),
  ])
  .meta({ id: 'MeasurementMetric', description: 'The primary metric a scenario is judged on' });
export type MeasurementMetric = z.infer<typeof MeasurementMetric>;

/**
 * The measurement plan, declared before the scenario is published: the holdout share, the
 * primary metric, each customer's measurement window from entry, how long entries are counted
 * (the experiment's run), the minimum effect worth detecting (percentage points for a rate, yen
 * for revenue), and optional variance reduction (CUPED, revenue only). The result is judged once,
 * at the end of the run plus one window: no peeking.
 */
export const MeasurementPlan = z
  .strictObject({
    /** The share of entrants held out (percent, 0–50); 0: no holdout. */
    holdoutPercent: z.number().int().min(0).max(50),
    metric: MeasurementMetric,
    /** Each customer's window from entry, in days. */
    windowDays: z.number().int().min(1).max(365),
    /** Entries during this many days from the first publish are measured; judged at its end plus one window. */
    runDays: z.number().int().min(1).max(730),
    /** The smallest effect worth detecting: percentage points (a rate) or yen per customer (revenue). */
    minimumDetectableEffect: z.number().positive().max(1_000_000),
    /** CUPED with the pre-period spend (the same window length before entry) as the covariate; revenue only. */
    cuped: z.boolean().optional(),
  })
  .meta({ id: 'MeasurementPlan', description: 'The control group and how the scenario is measured (docs/measurement.md)' });
export type MeasurementPlan = z.infer<typeof MeasurementPlan>;

// ─── The document ───────────────────────────────────────────────────────────────────────────

export const ScenarioDocument = z
  .strictObject({
    /** Unique in the workspace; the scenario's name in files and URLs, e.g. step_up. */
    key: Key,
    name: z.string().trim().min(1).max(200),
    description: z.string().max(4000).optional(),
    purpose: z.enum(SCENARIO_PURPOSES),
    department: z.enum(DEPARTMENTS),
    /** 1–100; when two scenarios would message a customer at once, the higher priority goes first. */
    priority: z.number().int().min(1).max(100),
    /** The channels its steps send on. */
    channels: z.array(z.enum(SCENARIO_CHANNELS)).min(1).max(SCENARIO_CHANNELS.length),
    trigger: ScenarioTrigger,
    reentry: ReentryRule,
    exitRules: z.array(ExitRule).max(20),
    /** The control group and how the scenario is judged; absent: no holdout, not measured. */
    measurement: MeasurementPlan.optional(),
    /** The id of the first step. */
    start: StepId,
    steps: z.array(ScenarioStep).min(1).max(MAX_STEPS),
  })
  .meta({ id: 'ScenarioDocument', description: 'A scenario as JSON (docs/scenarios.md)' });
export type ScenarioDocument = z.infer<typeof ScenarioDocument>;

/** A problem found by the checker: the JSON path of the offending node and why. Errors refuse a publish; warnings are shown and let it through. */
export interface ScenarioProblem {
  /** e.g. `steps[3].templateId` */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

/** The step ids a step may continue to, in order (null: the scenario ends there). */
export function nextStepIds(step: ScenarioStep): Array<string | null> {
  switch (step.kind) {
    case 'wait':
    case 'wait_until':
    case 'wait_for_effect':
    case 'send':
    case 'task':
    case 'update_attribute':
      return [step.next];
    case 'wait_for_event':
      return [step.next, step.timeoutNext];
    case 'branch':
      return [step.thenNext, step.elseNext];
    case 'split':
      return step.arms.map((arm) => arm.next);
    case 'exit':
      return [];
    default:
      return assertNever(step, 'step');
  }
}
