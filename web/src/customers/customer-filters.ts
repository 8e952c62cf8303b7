import { PREFECTURES as SERVER_PREFECTURES } from '../../../src/shared/prefectures.ts';
import type { paths } from '../api/schema';

type ListQuery = NonNullable<paths['/api/v1/workspaces/{workspace}/customers']['get']['parameters']['query']>;
export type Lifecycle = NonNullable<ListQuery['lifecycle']>;
export type Gender = NonNullable<ListQuery['gender']>;
export type Prefecture = NonNullable<ListQuery['prefecture']>;

export const LIFECYCLES = ['lead', 'customer'] as const satisfies readonly Lifecycle[];
export const GENDERS = ['female', 'male', 'other', 'unknown'] as const satisfies readonly Gender[];

/** The 47 prefectures in JIS X 0401 order: the server's own list, as the `prefecture` filter spells them. */
export const PREFECTURES = SERVER_PREFECTURES satisfies readonly Prefecture[];

// The lists above must name every value the API accepts: these fail to compile otherwise.
const everyLifecycle: Exclude<Lifecycle, (typeof LIFECYCLES)[number]> extends never ? true : never = true;
const everyGender: Exclude<Gender, (typeof GENDERS)[number]> extends never ? true : never = true;
const everyPrefecture: Exclude<Prefecture, (typeof PREFECTURES)[number]> extends never ? true : never = true;
void [everyLifecycle, everyGender, everyPrefecture];

export interface CustomerFilters {
  q: string;
  lifecycle: Lifecycle | undefined;
  prefecture: Prefecture | undefined;
  gender: Gender | undefined;
}

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return values.find((v) => v === value);
}

/** Filters live in the URL (?q=&lifecycle=...), so a filtered list can be shared and reloaded. */
export function filtersFromParams(params: URLSearchParams): CustomerFilters {
  return {
    q: params.get('q') ?? '',
    lifecycle: oneOf(LIFECYCLES, params.get('lifecycle')),
    prefecture: oneOf(PREFECTURES, params.get('prefecture')),
    gender: oneOf(GENDERS, params.get('gender')),
  };
}

export function filtersToParams(filters: CustomerFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.lifecycle) params.set('lifecycle', filters.lifecycle);
  if (filters.prefecture) params.set('prefecture', filters.prefecture);
  if (filters.gender) params.set('gender', filters.gender);
  return params;
}
