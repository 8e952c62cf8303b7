import { PREFECTURES, type Prefecture } from '../shared/prefectures.ts';
import { Weighted } from './random.ts';

/**
 * Population of each prefecture (2020 census, thousands), in the JIS order of PREFECTURES:
 * customers live where people live.
 */
const POPULATION_THOUSANDS = [
  5225, 1238, 1211, 2302, 960, 1068, 1833, 2867, 1933, 1939, 7345, 6284, 14048, 9237, 2201, 1035, 1133, 767, 810, 2048, 1979, 3633, 7542, 1770, 1414, 2578,
  8838, 5465, 1324, 923, 553, 671, 1888, 2800, 1342, 720, 950, 1335, 692, 5135, 811, 1312, 1738, 1124, 1070, 1588, 1467,
];

export const PREFECTURE_BY_POPULATION = new Weighted<Prefecture>(PREFECTURES, POPULATION_THOUSANDS);

export interface DemoStore {
  name: string;
  prefecture: Prefecture;
}

/** The brand's own counters in department stores; customers who live nearby sometimes buy there. */
export const DEMO_STORES: readonly DemoStore[] = [
  { name: 'みのり青汁本舗 銀座店', prefecture: '東京都' },
  { name: 'みのり青汁本舗 横浜店', prefecture: '神奈川県' },
  { name: 'みのり青汁本舗 名古屋栄店', prefecture: '愛知県' },
  { name: 'みのり青汁本舗 梅田店', prefecture: '大阪府' },
  { name: 'みのり青汁本舗 博多店', prefecture: '福岡県' },
  { name: 'みのり青汁本舗 札幌店', prefecture: '北海道' },
];

const storeByPrefecture = new Map<string, DemoStore>(DEMO_STORES.map((store) => [store.prefecture, store]));

/** The store a customer living in `prefecture` may walk into, if any. */
export function nearbyStore(prefecture: string | null): DemoStore | null {
  return prefecture === null ? null : (storeByPrefecture.get(prefecture) ?? null);
}
