import type { ColumnType, Generated } from 'kysely';
import type {
  ConsentChannel,
  ConsentPurpose,
  ConsentStatus,
  CycleUnit,
  Gender,
  IdentityKind,
  Lifecycle,
  OrderChannel,
  OrderStatus,
  Role,
  SubscriptionStatus,
} from '../shared/vocabulary.ts';

/** Kysely table types, written to match `migrations/*.sql`. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** PostgreSQL numeric arrives as a string: money is an exact decimal, never a float. */
type Numeric = ColumnType<string, string | number, string | number>;
type DefaultNumeric = ColumnType<string, string | number | undefined, string | number>;
type Json = ColumnType<Record<string, unknown>, string | Record<string, unknown> | undefined, string | Record<string, unknown>>;

export type { ConsentChannel, ConsentPurpose, Gender, IdentityKind, Lifecycle, OrderChannel, OrderStatus, Role } from '../shared/vocabulary.ts';

export interface WorkspacesTable {
  id: Generated<string>;
  name: string;
  timezone: ColumnType<string, string | undefined, string>;
  currency: ColumnType<string, string | undefined, string>;
  display_name: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: DefaultTimestamp;
}

export interface CustomersTable {
  id: Generated<string>;
  workspace_id: string;
  external_id: string;
  lifecycle: ColumnType<Lifecycle, Lifecycle | undefined, Lifecycle>;
  name: string | null;
  name_kana: string | null;
  gender: Gender | null;
  birth_date: ColumnType<string | null, string | null | undefined, string | null>;
  prefecture: string | null;
  attributes: Json;
  purchase_count: ColumnType<number, number | undefined, number>;
  purchase_total: DefaultNumeric;
  first_purchase_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_purchase_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  became_customer_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface CustomerIdentitiesTable {
  workspace_id: string;
  customer_id: string;
  kind: IdentityKind;
  value: string;
  created_at: DefaultTimestamp;
}

export interface ConsentsTable {
  workspace_id: string;
  customer_id: string;
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  changed_at: Timestamp;
  source: string | null;
}

export interface ConsentChangesTable extends ConsentsTable {
  id: Generated<string>;
}

export interface ProductsTable {
  id: Generated<string>;
  workspace_id: string;
  sku: string;
  name: string;
  category: string | null;
  price: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  is_subscription: ColumnType<boolean, boolean | undefined, boolean>;
  is_trial: ColumnType<boolean, boolean | undefined, boolean>;
  effect_first_feeling_days: number | null;
  effect_clear_days: number | null;
  effect_share: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  attributes: Json;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface OrdersTable {
  id: Generated<string>;
  workspace_id: string;
  external_id: string;
  customer_id: string;
  ordered_at: Timestamp;
  channel: OrderChannel;
  prefecture: string | null;
  store: string | null;
  status: OrderStatus;
  delivered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  amount: DefaultNumeric;
  item_count: ColumnType<number, number | undefined, number>;
  subscription_external_id: ColumnType<string | null, string | null | undefined, string | null>;
  delivery_number: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface OrderItemsTable {
  order_id: string;
  line_no: number;
  workspace_id: string;
  product_id: string;
  quantity: number;
  unit_price: Numeric;
}

export interface EventsTable {
  id: Generated<string>;
  workspace_id: string;
  customer_id: string;
  type: string;
  occurred_at: Timestamp;
  properties: Json;
  idempotency_key: string;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  /** May create workspaces (and becomes admin of those it creates). */
  instance_admin: ColumnType<boolean, boolean | undefined, boolean>;
  password_hash: string;
  created_at: DefaultTimestamp;
}

export interface WorkspaceMembersTable {
  workspace_id: string;
  user_id: string;
  role: Role;
  created_at: DefaultTimestamp;
}

export interface SignInThrottlesTable {
  key: string;
  failures: number;
  window_started_at: Timestamp;
  locked_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
}

export interface ApiKeysTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  role: Role;
  key_prefix: string;
  key_hash: string;
  created_at: DefaultTimestamp;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** Per-workspace settings of the analyses (migrations/0003_analytics_settings.sql). */
export interface AnalyticsSettingsTable {
  workspace_id: string;
  churn_window_days: number | null;
  clv_margin: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  updated_at: DefaultTimestamp;
}

/** The last predicted-value run of a workspace (migrations/0004_customer_values.sql). */
export interface CustomerValueRunsTable {
  workspace_id: string;
  calibration_end: string;
  unit: 'day' | 'week';
  horizon_months: number;
  margin: string;
  discount_rate: string;
  bg_nbd: unknown;
  gamma_gamma: unknown;
  customers: number;
  computed_at: DefaultTimestamp;
}

/** Each customer's scores from that run. */
export interface CustomerValuesTable {
  workspace_id: string;
  customer_id: string;
  repeat_purchases: number;
  recency: number;
  age: number;
  probability_alive: number;
  expected_purchases: number;
  expected_spend: number;
  clv: number;
}

/** KPIs (migrations/0005_kpis.sql; src/kpis/store.ts). */
export interface KpisTable {
  id: Generated<string>;
  workspace_id: string;
  parent_id: string | null;
  name: string;
  metric:
    | 'sales'
    | 'customers'
    | 'purchases'
    | 'frequency'
    | 'items_per_purchase'
    | 'price_per_item'
    | 'repeat_rate'
    | 'f2_rate'
    | 'churn_rate'
    | 'active_subscribers'
    | 'continuation_rate'
    | 'cancellation_rate'
    | 'step_up_rate';
  f2_within_days: number | null;
  delivery_number: ColumnType<number | null, number | null | undefined, number | null>;
  step_up_within_days: ColumnType<number | null, number | null | undefined, number | null>;
  churn_window_days: number | null;
  granularity: 'week' | 'month';
  filters: Json;
  target: Numeric;
  direction: 'higher_is_better' | 'lower_is_better';
  tolerance: DefaultNumeric;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

/** A KPI's target for one bucket, replacing its constant target there. */
export interface KpiTargetOverridesTable {
  kpi_id: string;
  bucket: string;
  target: Numeric;
}

/** Subscriptions (定期; migrations/0013_subscriptions.sql, src/subscriptions/). */
export interface SubscriptionsTable {
  id: Generated<string>;
  workspace_id: string;
  external_id: string;
  customer_id: string;
  course: string | null;
  cycle_unit: CycleUnit;
  cycle_every: number;
  status: SubscriptionStatus;
  status_changed_at: Timestamp;
  started_at: Timestamp;
  /** A calendar date, as 'YYYY-MM-DD' (the pool parses no dates). */
  next_delivery_on: string | null;
  deliveries: ColumnType<number, number | undefined, number>;
  skips: ColumnType<number, number | undefined, number>;
  cancelled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  cancel_reason: string | null;
  cancel_note: string | null;
  first_product_id: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface SubscriptionItemsTable {
  subscription_id: string;
  line_no: number;
  workspace_id: string;
  product_id: string;
  quantity: number;
}

export interface SubscriptionStatusChangesTable {
  id: Generated<string>;
  workspace_id: string;
  subscription_id: string;
  customer_id: string;
  status: SubscriptionStatus;
  changed_at: Timestamp;
  reason: string | null;
  note: string | null;
  actor: string | null;
}

export interface SubscriptionCancelReasonsTable {
  workspace_id: string;
  code: string;
  label_ja: string;
  label_en: string;
  position: ColumnType<number, number | undefined, number>;
}

export interface SubscriptionChangesTable {
  id: Generated<string>;
  workspace_id: string;
  changed_at: DefaultTimestamp;
}

/** A scenario (src/scenarios/): its key, status, the version customers enter and the editor's draft. */
export interface ScenariosTable {
  id: Generated<string>;
  workspace_id: string;
  key: string;
  status: ColumnType<'draft' | 'active' | 'paused' | 'archived', 'draft' | 'active' | 'paused' | 'archived' | undefined>;
  published_version: number | null;
  draft: unknown | null;
  draft_saved_by: string | null;
  draft_saved_at: Date | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

/** The scenario trigger queue (migration 0020, src/scenarios/runtime/signals.ts): one change of a customer the scenarios react to. */
export interface ScenarioSignalsTable {
  id: Generated<string>;
  workspace_id: string;
  customer_id: string;
  kind: 'event' | 'order' | 'subscription' | 'moved';
  ref: string | null;
  at: Date;
  data: Generated<unknown>;
  created_at: Generated<Date>;
  processed_at: Date | null;
}

/** How far a scenario's scheduled trigger has run (migration 0020, src/scenarios/runtime/scheduled-triggers.ts). */
export interface ScenarioTriggerCursorsTable {
  scenario_id: string;
  workspace_id: string;
  ran_until: Date;
}

/** A published version of a scenario: its document (ScenarioDocument), immutable. */
export interface ScenarioVersionsTable {
  scenario_id: string;
  version: number;
  document: unknown;
  created_by: string;
  created_by_user_id: string | null;
  created_by_api_key_id: string | null;
  created_at: DefaultTimestamp;
  summary: ColumnType<string, string | undefined, string>;
}

export type TaskStatus = 'open' | 'done';

export interface TasksTable {
  id: Generated<string>;
  workspace_id: string;
  department: 'marketing' | 'support' | 'site_operations' | 'sales';
  title: string;
  description: string | null;
  customer_id: string | null;
  due_at: Timestamp | null;
  status: ColumnType<TaskStatus, TaskStatus | undefined, TaskStatus>;
  assignee_user_id: string | null;
  effect_key: string | null;
  why: unknown;
  created_at: Timestamp;
  done_at: Timestamp | null;
  done_by: string | null;
}

export interface JourneyMapsTable {
  workspace_id: string;
  version: number;
  status: 'draft' | 'active' | 'archived';
  map: unknown;
  changed_by: string;
  changed_by_user_id: string | null;
  changed_by_api_key_id: string | null;
  changed_at: DefaultTimestamp;
  summary: ColumnType<string, string | undefined, string>;
}

export interface JourneyPlacementsTable {
  workspace_id: string;
  customer_id: string;
  stage: string;
  level: string;
  map_version: number;
  placed_at: Timestamp;
}

export interface JourneyMovesTable {
  id: Generated<string>;
  workspace_id: string;
  customer_id: string;
  map_version: number;
  from_stage: string | null;
  from_level: string | null;
  to_stage: string;
  to_level: string;
  moved_at: Timestamp;
  cause: string;
  cause_ref: string | null;
}

export interface JourneyFlowDaysTable {
  workspace_id: string;
  day: string;
  from_stage: string;
  from_level: string;
  to_stage: string;
  to_level: string;
  moves: number;
}

export interface JourneyCellCountsTable {
  workspace_id: string;
  stage: string;
  level: string;
  customers: string;
}

export interface JourneyChangesTable {
  id: Generated<string>;
  workspace_id: string;
  customer_ids: string[] | null;
  cause: string;
  cause_refs: (string | null)[] | null;
  created_at: DefaultTimestamp;
  xid: Generated<string>;
  drained_at: Date | null;
  drained_by: string | null;
}

export interface JourneySweepsTable {
  workspace_id: string;
  swept_at: Timestamp;
}

export interface EmailSettingsTable {
  workspace_id: string;
  sender_name: string | null;
  postal_address: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  contact_url: string | null;
  from_address: string | null;
  reply_to: string | null;
  dkim_domain: string | null;
  dkim_selector: string | null;
  dkim_private_key: string | null;
  updated_at: DefaultTimestamp;
}

export type SuppressionReason = 'bounce' | 'complaint' | 'manual';

export interface EmailSuppressionsTable {
  workspace_id: string;
  address: string;
  reason: SuppressionReason;
  suppressed_at: Timestamp;
  source: string | null;
  detail: string | null;
}

export interface DB {
  workspaces: WorkspacesTable;
  customers: CustomersTable;
  customer_identities: CustomerIdentitiesTable;
  consents: ConsentsTable;
  consent_changes: ConsentChangesTable;
  products: ProductsTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  events: EventsTable;
  users: UsersTable;
  workspace_members: WorkspaceMembersTable;
  sign_in_throttles: SignInThrottlesTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  analytics_settings: AnalyticsSettingsTable;
  customer_value_runs: CustomerValueRunsTable;
  customer_values: CustomerValuesTable;
  kpis: KpisTable;
  kpi_target_overrides: KpiTargetOverridesTable;
  subscriptions: SubscriptionsTable;
  subscription_items: SubscriptionItemsTable;
  subscription_status_changes: SubscriptionStatusChangesTable;
  subscription_cancel_reasons: SubscriptionCancelReasonsTable;
  subscription_changes: SubscriptionChangesTable;
  journey_maps: JourneyMapsTable;
  journey_placements: JourneyPlacementsTable;
  journey_moves: JourneyMovesTable;
  journey_flow_days: JourneyFlowDaysTable;
  journey_cell_counts: JourneyCellCountsTable;
  journey_changes: JourneyChangesTable;
  journey_sweeps: JourneySweepsTable;
  email_settings: EmailSettingsTable;
  email_suppressions: EmailSuppressionsTable;
  scenarios: ScenariosTable;
  scenario_versions: ScenarioVersionsTable;
  tasks: TasksTable;
  scenario_signals: ScenarioSignalsTable;
  scenario_trigger_cursors: ScenarioTriggerCursorsTable;
}
