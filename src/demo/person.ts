import type { Gender, OrderChannel } from '../db/schema.ts';
import { DAY_MS, formatDate, tokyoDate, type DemoWindow } from './calendar.ts';
import { DEMO_BRAND } from './catalogue.ts';
import { FAMILY_NAMES, drawGivenName } from './names.ts';
import { PREFECTURE_BY_POPULATION, nearbyStore, type DemoStore } from './places.ts';
import { Weighted, type Random } from './random.ts';
import { katakanaToRomaji } from './romaji.ts';

/** Who a demo profile is: name, gender, age, where they live, and how they like to order. */
export interface DemoPerson {
  /** Family and given name in kanji, separated by a half-width space: '佐藤 花子'. */
  name: string;
  /** The reading in katakana, same layout: 'サトウ ハナコ'. */
  nameKana: string;
  gender: Gender;
  birthDate: string;
  age: number;
  prefecture: string;
  /** The channel this person orders through, decided by age and by a store nearby. */
  channel: OrderChannel;
  store: DemoStore | null;
  email: string;
  /** Digits only, as the importer stores phone numbers: '09012345678'. */
  phone: string;
  lineUserId: string;
}

const GENDERS = Weighted.of<Gender>([
  ['female', 72],
  ['male', 26.5],
  ['unknown', 1.1],
  ['other', 0.4],
]);
/** Age on the last day of the window, by decade: the brand's buyers are mostly 40–69. */
const AGE_BANDS = Weighted.of<readonly [number, number]>([
  [[25, 29], 4],
  [[30, 39], 14],
  [[40, 49], 24],
  [[50, 59], 26],
  [[60, 69], 21],
  [[70, 79], 11],
]);
const MAIL_DOMAINS = Weighted.of(DEMO_BRAND.mailDomains);
const MOBILE_PREFIXES = Weighted.of([
  ['090', 50],
  ['080', 35],
  ['070', 15],
] as const);

/**
 * Draws a person. `index` (the profile's position among `profiles`) makes the email address,
 * phone number and LINE id unique by construction: each embeds a bijection of the index, so no
 * two of the first 10⁸ profiles of a workspace ever share an identity.
 */
export function drawPerson(random: Random, index: number, window: DemoWindow, profiles: number): DemoPerson {
  const gender = GENDERS.draw(random);
  const [minAge, maxAge] = AGE_BANDS.draw(random);
  const ageDays = Math.floor(random.between(minAge * 365.25, (maxAge + 1) * 365.25 - 1));
  const birthMs = window.endMs - DAY_MS - ageDays * DAY_MS;
  const birthYear = tokyoDate(birthMs).year;
  const female = gender === 'female' || (gender !== 'male' && random.chance(0.5));
  const family = FAMILY_NAMES.draw(random);
  const given = drawGivenName(random, female, birthYear);
  const prefecture = PREFECTURE_BY_POPULATION.draw(random);
  const age = Math.floor(ageDays / 365.25);
  const store = nearbyStore(prefecture);
  return {
    name: `${family.kanji} ${given.kanji}`,
    nameKana: `${family.kana} ${given.kana}`,
    gender,
    birthDate: formatDate(birthMs),
    age,
    prefecture,
    channel: drawChannel(random, age, store !== null),
    store,
    email: drawEmail(
      random,
      scramble(index, tokenSpace(profiles), 73_856_093, 19_349_663),
      katakanaToRomaji(family.kana),
      katakanaToRomaji(given.kana),
      birthYear,
    ),
    phone: `${MOBILE_PREFIXES.draw(random)}${String(scramble(index, 100_000_000, 61_803_399, 27_182_818)).padStart(8, '0')}`,
    lineUserId: `U${hex(random.nextUint32())}${hex(random.nextUint32())}${hex(random.nextUint32())}${hex(scramble(index, 0x1_0000_0000, 2_654_435_761, 40_503))}`,
  };
}

/** Older customers answer TV and newspaper ads by phone; younger ones order online or on LINE. */
function drawChannel(random: Random, age: number, storeNearby: boolean): OrderChannel {
  if (storeNearby && random.chance(0.08)) return 'store';
  const roll = random.next();
  if (age >= 65) return roll < 0.5 ? 'web' : roll < 0.85 ? 'phone' : roll < 0.9 ? 'line' : 'other';
  if (age >= 50) return roll < 0.74 ? 'web' : roll < 0.86 ? 'phone' : roll < 0.96 ? 'line' : 'other';
  return roll < 0.8 ? 'web' : roll < 0.84 ? 'phone' : roll < 0.98 ? 'line' : 'other';
}

/**
 * 'hanako.satou4821@example.jp'-style addresses. The trailing digits (`token`) are a bijection
 * of the profile index and names never end in a digit, so addresses are unique.
 */
function drawEmail(random: Random, token: number, family: string, given: string, birthYear: number): string {
  const style = random.int(0, 3);
  const local =
    style === 0 ? `${given}.${family}` : style === 1 ? `${family}_${given}` : style === 2 ? `${given[0]}.${family}` : `${given}${String(birthYear).slice(2)}x`;
  return `${local}${token}@${MAIL_DOMAINS.draw(random)}`;
}

/** The smallest power of ten ≥ the number of profiles (at least 10⁴): as few digits as uniqueness allows. */
function tokenSpace(profiles: number): number {
  let space = 10_000;
  while (space < profiles) space *= 10;
  return space;
}

/** x ↦ (a·x + b) mod m: a bijection on [0, m) when a and m are coprime (a odd and not a multiple of 5, m a power of ten). */
function scramble(index: number, modulus: number, multiplier: number, offset: number): number {
  return Number((BigInt(index) * BigInt(multiplier) + BigInt(offset)) % BigInt(modulus));
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
