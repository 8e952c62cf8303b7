import { PREFECTURES as SERVER_PREFECTURES } from '../../../src/shared/prefectures.ts';
import type { paths } from '../api/schema';

type ListQuery = NonNullable<paths['/api/v1/workspaces/{workspace}/customers']['get']['parameters']['query']>;
export type Lifecycle = NonNullable<ListQuery['lifecycle']>;
export type Gender = NonNullable<ListQuery['gender']>;
export type Prefecture = NonNullable<ListQuery['prefecture']>;
export type RfmSegment = NonNullable<ListQuery['rfmSegment']>;
export type SubscriptionFilter = NonNullable<ListQuery['subscription']>;
export type CustomerSort = NonNullable<ListQuery['sort']>;
export type SortDirection = NonNullable<ListQuery['order']>;

export const LIFECYCLES = ['lead', 'customer'] as const satisfies readonly Lifecycle[];
export const GENDERS = ['female', 'male', 'other', 'unknown'] as const satisfies readonly Gender[];
export const RFM_SEGMENTS = ['loyal', 'stable', 'new', 'at_risk', 'churned'] as const satisfies readonly RfmSegment[];
export const SUBSCRIPTION_FILTERS = ['active', 'paused', 'cancelled', 'any', 'none'] as const satisfies readonly SubscriptionFilter[];
export const SORTS = ['lastPurchase', 'totalSpend', 'clv', 'registered'] as const satisfies readonly CustomerSort[];
export const DIRECTIONS = ['desc', 'asc'] as const satisfies readonly SortDirection[];

/** The 47 prefectures in JIS X 0401 order: the server's own list, as the `prefecture` filter spells them. */
export const PREFECTURES = SERVER_PREFECTURES satisfies readonly Prefecture[];

// The lists above must name every value the API accepts: these fail to compile otherwise.
const everyLifecycle: Exclude<Lifecycle, (typeof LIFECYCLES)[number]> extends never ? true : never = true;
const everyGender: Exclude<Gender, (typeof GENDERS)[number]> extends never ? true : never = true;
const everyPrefecture: Exclude<Prefecture, (typeof PREFECTURES)[number]> extends never ? true : never = true;
const everySegment: Exclude<RfmSegment, (typeof RFM_SEGMENTS)[number]> extends never ? true : never = true;
const everySort: Exclude<CustomerSort, (typeof SORTS)[number]> extends never ? true : never = true;
const everySubscription: Exclude<SubscriptionFilter, (typeof SUBSCRIPTION_FILTERS)[number]> extends never ? true : never = true;
void [everyLifecycle, everyGender, everyPrefecture, everySegment, everySort, everySubscription];

export interface CustomerFilters {
  q: string;
  lifecycle: Lifecycle | undefined;
  prefecture: Prefecture | undefined;
  gender: Gender | undefined;
  rfmSegment: RfmSegment | undefined;
  subscription: SubscriptionFilter | undefined;
  /** Whole numbers ≥ 0, or undefined for no bound. */
  purchaseCountMin: number | undefined;
  purchaseCountMax: number | undefined;
  /** The cell of the journey map (stage and/or level keys) the customers stand in now. */
  journeyStage: string | undefined;
  journeyLevel: string | undefined;
  sort: CustomerSort;
  order: SortDirection;
}

/** The list opens on customers by their last purchase, most recent first (the server's default too). */
export const DEFAULT_SORT = { sort: 'lastPurchase', order: 'desc' } as const;

export const NO_FILTERS: CustomerFilters = {
  q: '',
  lifecycle: undefined,
  prefecture: undefined,
  gender: undefined,
  rfmSegment: undefined,
  subscription: undefined,
  purchaseCountMin: undefined,
  purchaseCountMax: undefined,
  journeyStage: undefined,
  journeyLevel: undefined,
  ...DEFAULT_SORT,
};

/** True when something narrows the list (the order does not). */
export function anyFilter(filters: CustomerFilters): boolean {
  return (
    Boolean(
      filters.q ||
        filters.lifecycle ||
        filters.prefecture ||
        filters.gender ||
        filters.rfmSegment ||
        filters.subscription ||
        filters.journeyStage ||
        filters.journeyLevel,
    ) ||
    filters.purchaseCountMin !== undefined ||
    filters.purchaseCountMax !== undefined
  );
}

function count(value: string | null): number | undefined {
  return value !== null && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/** A stage or level key of the journey map (as model.ts's KEY_PATTERN spells them). */
function journeyKey(value: string | null): string | undefined {
  return value !== null && /^[a-z][a-z0-9_]{0,39}$/.test(value) ? value : undefined;
}

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return values.find((v) => v === value);
}

/** Filters and the order live in the URL (?q=&lifecycle=...&sort=&order=), so a filtered list can be shared and reloaded. */
export function filtersFromParams(params: URLSearchParams): CustomerFilters {
  return {
    q: params.get('q') ?? '',
    lifecycle: oneOf(LIFECYCLES, params.get('lifecycle')),
    prefecture: oneOf(PREFECTURES, params.get('prefecture')),
    gender: oneOf(GENDERS, params.get('gender')),
    rfmSegment: oneOf(RFM_SEGMENTS, params.get('rfmSegment')),
    subscription: oneOf(SUBSCRIPTION_FILTERS, params.get('subscription')),
    purchaseCountMin: count(params.get('purchaseCountMin')),
    purchaseCountMax: count(params.get('purchaseCountMax')),
    journeyStage: journeyKey(params.get('journeyStage')),
    journeyLevel: journeyKey(params.get('journeyLevel')),
    sort: oneOf(SORTS, params.get('sort')) ?? DEFAULT_SORT.sort,
    order: oneOf(DIRECTIONS, params.get('order')) ?? DEFAULT_SORT.order,
  };
}

export function filtersToParams(filters: CustomerFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.lifecycle) params.set('lifecycle', filters.lifecycle);
  if (filters.prefecture) params.set('prefecture', filters.prefecture);
  if (filters.gender) params.set('gender', filters.gender);
  if (filters.rfmSegment) params.set('rfmSegment', filters.rfmSegment);
  if (filters.subscription) params.set('subscription', filters.subscription);
  if (filters.purchaseCountMin !== undefined) params.set('purchaseCountMin', String(filters.purchaseCountMin));
  if (filters.purchaseCountMax !== undefined) params.set('purchaseCountMax', String(filters.purchaseCountMax));
  if (filters.journeyStage) params.set('journeyStage', filters.journeyStage);
  if (filters.journeyLevel) params.set('journeyLevel', filters.journeyLevel);
  if (filters.sort !== DEFAULT_SORT.sort || filters.order !== DEFAULT_SORT.order) {
    params.set('sort', filters.sort);
    params.set('order', filters.order);
  }
  return params;
}
