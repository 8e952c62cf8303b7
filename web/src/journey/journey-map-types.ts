import type { Department } from '../../../src/charter/types.ts';
import type {
  Cell,
  Comparison,
  Condition,
  JourneyMap,
  Level,
  MapProblem,
  Measure,
  MeasureChannel,
  MeasureStatus,
  NumberFact,
  Stage,
  SubscriptionState,
} from '../../../src/journey-map/model.ts';

/**
 * The journey map's types, as the server's contract (src/journey-map/model.ts) states them. Only
 * types cross over (erased at build): the console bundles no zod. The value lists below are the
 * contract's, checked against its types so a change there fails the console's typecheck.
 */
export type { Cell, Comparison, Condition, Department, JourneyMap, Level, MapProblem, Measure, MeasureChannel, MeasureStatus, Stage };

export const DEPARTMENTS = ['marketing', 'support', 'site_operations', 'sales'] as const satisfies readonly Department[];
export const MEASURE_CHANNELS = ['email', 'line', 'sms', 'print', 'task', 'webhook'] as const satisfies readonly MeasureChannel[];
export const MEASURE_STATUSES = ['in_use', 'planned', 'not_introduced'] as const satisfies readonly MeasureStatus[];
export const COMPARISONS = ['=', '!=', '<', '<=', '>', '>='] as const satisfies readonly Comparison[];
export const NUMBER_FACTS = [
  'purchase_count',
  'total_spend',
  'days_since_first_purchase',
  'days_since_last_purchase',
  'subscription_deliveries',
  'days_since_subscription_started',
  'p_alive',
] as const satisfies readonly NumberFact[];
export const SUBSCRIPTION_STATES = ['active', 'paused', 'cancelled', 'none'] as const satisfies readonly SubscriptionState[];

/** Every fact a condition can read (the `fact` of Condition). */
export const FACTS = [
  'lifecycle',
  ...NUMBER_FACTS,
  'bought',
  'days_since_delivered',
  'subscription_status',
  'events',
  'rfm_segment',
  'attribute',
] as const satisfies ReadonlyArray<Extract<Condition, { fact: string }>['fact']>;
export type Fact = (typeof FACTS)[number];

/** The customers of one cell, as GET …/journey and POST …/journey/preview count them. */
export interface CellCount {
  stage: string;
  level: string;
  customers: number;
}
