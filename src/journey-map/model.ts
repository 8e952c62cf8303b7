import { z } from 'zod';
import { DEPARTMENTS } from '../charter/types.ts';
import { RFM_SEGMENTS } from '../analytics/rfm-segments.ts';

/**
 * The two-axis journey map (2軸カスタマージャーニー): the one contract between the rules
 * (rules/), placement (placement/), the HTTP routes, the CLI, the diagram and its exports,
 * and the console. A map is a JSON document (docs/journey-map.md documents every field); the
 * JSON file `kizuna journey set FILE.json` reads is exactly `JourneyMap`.
 *
 * Stages run left → right and are irreversible: a customer's stage is the highest stage whose
 * rule holds, and never lower than the stage the customer already reached. Levels (affinity)
 * run low → high and are reversible: a customer's level is the highest level whose rule holds
 * now. The first stage and the lowest level hold anyone, so they carry no rule.
 */

export const KEY_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
const Key = z.string().regex(KEY_PATTERN, 'a key is lower-case letters, digits and _ (start with a letter, at most 40), e.g. first_purchase');
const Name = z.string().trim().min(1).max(60);
const Words = z.string().max(2000);

// ─── Conditions: the rule vocabulary ─────────────────────────────────────────────────────────

export const COMPARISONS = ['=', '!=', '<', '<=', '>', '>='] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** Numeric facts compared with `op` and `value`. */
export const NUMBER_FACTS = [
  'purchase_count',
  'total_spend',
  'days_since_first_purchase',
  'days_since_last_purchase',
  'subscription_deliveries',
  'days_since_subscription_started',
  'p_alive',
] as const;
export type NumberFact = (typeof NUMBER_FACTS)[number];

/** The subscription state of a customer: active (a subscription in force), paused (none in force, one paused), cancelled (had one, none left), none (never). */
export const SUBSCRIPTION_STATES = ['active', 'paused', 'cancelled', 'none'] as const;
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number];

export const RFM_SEGMENT_CODES = RFM_SEGMENTS.map((segment) => segment.code) as [string, ...string[]];

/** A product selection: SKUs and/or categories (a product matches when it is named or in a named category). */
const ProductSelection = {
  products: z.array(z.string().min(1).max(200)).max(50).optional(),
  categories: z.array(z.string().min(1).max(200)).max(50).optional(),
};

/** A point of a product's effect timeline (products.effect_first_feeling_days / effect_clear_days), plus an offset in days. */
export const EffectPoint = z.object({
  effect: z.enum(['first_feeling', 'clear']),
  offsetDays: z.number().int().min(-3650).max(3650).optional(),
});
export type EffectPoint = z.infer<typeof EffectPoint>;

const Scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);

/** A test on one property of an event (`properties.topic = "complaint"`, `properties.score >= 9`). */
export const PropertyTest = z.object({
  property: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a property name is letters, digits and _'),
  op: z.enum([...COMPARISONS, 'in']),
  value: z.union([Scalar, z.array(Scalar).min(1).max(50)]),
});
export type PropertyTest = z.infer<typeof PropertyTest>;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { fact: 'lifecycle'; in: Array<'lead' | 'customer'> }
  | { fact: NumberFact; op: Comparison; value: number }
  | { fact: 'bought'; products?: string[]; categories?: string[]; op?: Comparison; value?: number }
  | {
      fact: 'days_since_delivered';
      products?: string[];
      categories?: string[];
      which?: 'first' | 'last';
      op: Comparison;
      value: number | EffectPoint;
    }
  | { fact: 'subscription_status'; in: SubscriptionState[] }
  | { fact: 'events'; type: string; where?: PropertyTest[]; withinDays: number; op?: Comparison; value?: number }
  | { fact: 'rfm_segment'; in: string[] }
  | { fact: 'attribute'; name: string; op?: Comparison | 'in' | 'exists'; value?: string | number | boolean | Array<string | number | boolean> };

export const Condition: z.ZodType<Condition> = z
  .lazy(() =>
    z.union([
      z.strictObject({ all: z.array(Condition).min(1).max(50) }),
      z.strictObject({ any: z.array(Condition).min(1).max(50) }),
      z.strictObject({ not: Condition }),
      z.strictObject({ fact: z.literal('lifecycle'), in: z.array(z.enum(['lead', 'customer'])).min(1) }),
      z.strictObject({ fact: z.enum(NUMBER_FACTS), op: z.enum(COMPARISONS), value: z.number().finite() }),
      z.strictObject({
        fact: z.literal('bought'),
        ...ProductSelection,
        op: z.enum(COMPARISONS).optional(),
        value: z.number().int().optional(),
      }),
      z.strictObject({
        fact: z.literal('days_since_delivered'),
        ...ProductSelection,
        which: z.enum(['first', 'last']).optional(),
        op: z.enum(COMPARISONS),
        value: z.union([z.number().finite(), EffectPoint]),
      }),
      z.strictObject({ fact: z.literal('subscription_status'), in: z.array(z.enum(SUBSCRIPTION_STATES)).min(1) }),
      z.strictObject({
        fact: z.literal('events'),
        type: z.string().regex(/^[a-z][a-z0-9_.]{0,63}$/, 'an event type is snake_case, e.g. page_view'),
        where: z.array(PropertyTest).max(10).optional(),
        withinDays: z.number().int().min(1).max(3650),
        op: z.enum(COMPARISONS).optional(),
        value: z.number().int().optional(),
      }),
      z.strictObject({ fact: z.literal('rfm_segment'), in: z.array(z.enum(RFM_SEGMENT_CODES)).min(1) }),
      z.strictObject({
        fact: z.literal('attribute'),
        name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'an attribute name is letters, digits and _'),
        op: z.enum([...COMPARISONS, 'in', 'exists']).optional(),
        value: z.union([Scalar, z.array(Scalar).min(1).max(50)]).optional(),
      }),
    ]),
  )
  .meta({ id: 'JourneyCondition', description: "A rule: a condition over a customer's facts, combined with all / any / not (docs/journey-map.md)" });

// ─── The map ─────────────────────────────────────────────────────────────────────────────────

export const Stage = z.strictObject({
  key: Key,
  name: Name,
  description: Words.optional(),
  /** When a customer has entered this stage; absent on the first stage (it holds anyone). */
  rule: Condition.optional(),
});
export type Stage = z.infer<typeof Stage>;

export const Level = z.strictObject({
  key: Key,
  name: Name,
  description: Words.optional(),
  /** When a customer is at least this close to the brand; absent on the lowest level (it holds anyone). */
  rule: Condition.optional(),
});
export type Level = z.infer<typeof Level>;

/** Kizuna's own channels (a measure a scenario can execute) … */
export const MEASURE_CHANNELS = ['email', 'line', 'sms', 'print', 'task', 'webhook'] as const;
export type MeasureChannel = (typeof MEASURE_CHANNELS)[number];
/** … and where a measure stands. */
export const MEASURE_STATUSES = ['in_use', 'planned', 'not_introduced'] as const;
export type MeasureStatus = (typeof MEASURE_STATUSES)[number];

/** A measure (施策) planned for a cell. It names a Kizuna channel, an outside solution (同梱物, コールセンター, 広告 …), or both. */
export const Measure = z
  .strictObject({
    name: Name,
    purpose: Words.optional(),
    department: z.enum(DEPARTMENTS),
    channel: z.enum(MEASURE_CHANNELS).optional(),
    solution: z.string().trim().min(1).max(60).optional(),
    status: z.enum(MEASURE_STATUSES),
    /** The scenario that executes it, once scenarios exist. */
    scenarioId: z.string().max(100).optional(),
  })
  .refine((measure) => measure.channel !== undefined || measure.solution !== undefined, {
    message: 'a measure names a channel (email, line, sms, print, task, webhook) or an outside solution (e.g. 同梱物), or both',
  });
export type Measure = z.infer<typeof Measure>;

export const Cell = z.strictObject({
  stage: Key,
  level: Key,
  /** What the customer feels and thinks here (the workshop's words). */
  feelings: Words.optional(),
  /** The cell is (part of) the goal state. */
  goal: z.boolean().optional(),
  measures: z.array(Measure).max(30).optional(),
  /** An explicit decision not to contact the customers here, with the reason (instead of measures). */
  noContact: z.strictObject({ reason: z.string().trim().min(1).max(500) }).optional(),
});
export type Cell = z.infer<typeof Cell>;

export const JourneyMap = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** The goal state in words, e.g. ストレスがなく健康で、ブランドとの接点が日常化している状態. */
  goal: z.string().trim().max(1000),
  stages: z.array(Stage).min(1).max(12),
  /** Low → high. */
  levels: z.array(Level).min(1).max(10),
  cells: z.array(Cell).max(120),
});
export type JourneyMap = z.infer<typeof JourneyMap>;

/** How a stored map version stands: one active map per workspace; others are drafts or archived. */
export const MAP_STATUSES = ['draft', 'active', 'archived'] as const;
export type MapStatus = (typeof MAP_STATUSES)[number];

/** A problem with a map, refused at save: the JSON path of the offending node and why. */
export interface MapProblem {
  /** e.g. `stages[2].rule.all[1].products[0]` */
  path: string;
  message: string;
}

// ─── What placement records ─────────────────────────────────────────────────────────────────

/** Why a customer moved: the write that changed a fact, or time passing (sweep), or a new map version. */
export const MOVE_CAUSES = ['order', 'event', 'subscription', 'customer', 'import', 'sweep', 'map', 'history'] as const;
export type MoveCause = (typeof MOVE_CAUSES)[number];

/** The cell of a customer: stage and level keys. */
export interface CellKey {
  stage: string;
  level: string;
}

/** A move between cells over a period: counts per (from, to); from is null for customers entering the map. */
export interface Flow {
  from: CellKey | null;
  to: CellKey;
  customers: number;
  /** advance: to a later stage; rise / step_down: same stage, level up / down; enter: first placement. */
  kind: 'advance' | 'rise' | 'step_down' | 'enter';
}
