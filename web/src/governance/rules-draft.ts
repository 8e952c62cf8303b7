import type { Schemas } from '../api/client.ts';

/**
 * The contact rules as the form holds them: numbers as typed (so a 0 or an empty field reaches
 * the server, which says what is wrong by path), "all" as null (the field absent), and a local
 * key per row. `rulesOf` turns a draft into the document the API takes; `draftOf` the other way.
 */

export type ContactRules = Schemas['ContactRules'];
export type FrequencyCap = Schemas['FrequencyCap'];
export type QuietHours = Schemas['QuietHours'];
export type Channel = QuietHours['channel'];
export type Purpose = NonNullable<FrequencyCap['purposes']>[number];
export type Department = NonNullable<FrequencyCap['departments']>[number];
export type Weekday = NonNullable<QuietHours['weekdays']>[number];

export const CHANNELS = ['email', 'line', 'sms', 'print', 'task'] as const satisfies readonly Channel[];
export const DEPARTMENTS = ['marketing', 'support', 'site_operations', 'sales'] as const satisfies readonly Department[];
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const satisfies readonly Weekday[];

/** Purposes as one choice: absent (marketing only), both, or transactional only. */
export const PURPOSE_CHOICES = ['marketing', 'both', 'transactional'] as const;
export type PurposeChoice = (typeof PURPOSE_CHOICES)[number];

export function purposeChoiceOf(purposes: readonly Purpose[] | undefined): PurposeChoice {
  if (!purposes || purposes.length === 0) return 'marketing';
  const marketing = purposes.includes('marketing');
  const transactional = purposes.includes('transactional');
  return marketing && transactional ? 'both' : transactional ? 'transactional' : 'marketing';
}

function purposesOf(choice: PurposeChoice): Purpose[] | undefined {
  return choice === 'both' ? ['marketing', 'transactional'] : choice === 'transactional' ? ['transactional'] : undefined;
}

export interface CapDraft {
  key: string;
  id: string;
  /** The id was typed (or saved): it no longer follows the name. */
  idTyped: boolean;
  name: string;
  max: string;
  days: string;
  hours: string;
  /** null: all (absent). */
  channels: Channel[] | null;
  purposes: PurposeChoice;
  departments: Department[] | null;
}

export interface QuietDraft {
  key: string;
  channel: Channel;
  from: string;
  to: string;
  weekdays: Weekday[];
  purposes: PurposeChoice;
}

export interface RulesDraft {
  /** '' : the workspace's time zone (absent). */
  timezone: string;
  timezoneAttribute: string;
  caps: CapDraft[];
  quietHours: QuietDraft[];
  openEvent: string;
  /** The opening event's property tests (as the scenario editor's `where`); undefined: none. */
  openWhere: unknown;
  /** '' : open until closed. */
  openForDays: string;
  closeEvent: string;
  openSupportTask: boolean;
  doNotContactAttribute: string;
  globalControlPercent: string;
}

let nextKey = 0;
export function rowKey(): string {
  nextKey += 1;
  return `row-${nextKey}`;
}

const numberText = (value: number | undefined) => (value === undefined ? '' : String(value));

export function draftOf(rules: ContactRules): RulesDraft {
  return {
    timezone: rules.timezone ?? '',
    timezoneAttribute: rules.timezoneAttribute,
    caps: rules.caps.map((cap) => ({
      key: rowKey(),
      id: cap.id,
      idTyped: true,
      name: cap.name,
      max: String(cap.max),
      days: numberText(cap.window.days),
      hours: numberText(cap.window.hours),
      channels: cap.channels ? [...cap.channels] : null,
      purposes: purposeChoiceOf(cap.purposes),
      departments: cap.departments ? [...cap.departments] : null,
    })),
    quietHours: rules.quietHours.map((quiet) => ({
      key: rowKey(),
      channel: quiet.channel,
      from: quiet.from ?? '',
      to: quiet.to ?? '',
      weekdays: [...(quiet.weekdays ?? [])],
      purposes: purposeChoiceOf(quiet.purposes),
    })),
    openEvent: rules.complaints.openEvent,
    openWhere: rules.complaints.openWhere,
    openForDays: numberText(rules.complaints.openForDays),
    closeEvent: rules.complaints.closeEvent,
    openSupportTask: rules.complaints.openSupportTask,
    doNotContactAttribute: rules.doNotContactAttribute,
    globalControlPercent: String(rules.globalControlPercent),
  };
}

/** A typed number: empty → absent; anything else as a number (NaN is sent as null, and the server says so). */
function typedNumber(text: string): number | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : Number(trimmed);
}

/** Keeps the order of `all` (a stable document whatever order the boxes were ticked in). */
function inOrder<T extends string>(all: readonly T[], chosen: readonly T[]): T[] {
  return all.filter((item) => chosen.includes(item));
}

export function capOf(cap: CapDraft): FrequencyCap {
  const days = typedNumber(cap.days);
  const hours = typedNumber(cap.hours);
  const purposes = purposesOf(cap.purposes);
  return {
    id: cap.id.trim(),
    name: cap.name.trim(),
    max: typedNumber(cap.max) ?? Number.NaN,
    window: { ...(days !== undefined ? { days } : {}), ...(hours !== undefined ? { hours } : {}) },
    ...(cap.channels ? { channels: inOrder(CHANNELS, cap.channels) } : {}),
    ...(purposes ? { purposes } : {}),
    ...(cap.departments ? { departments: inOrder(DEPARTMENTS, cap.departments) } : {}),
  };
}

export function quietOf(quiet: QuietDraft): QuietHours {
  const purposes = purposesOf(quiet.purposes);
  return {
    channel: quiet.channel,
    ...(quiet.from !== '' ? { from: quiet.from } : {}),
    ...(quiet.to !== '' ? { to: quiet.to } : {}),
    ...(quiet.weekdays.length > 0 ? { weekdays: inOrder(WEEKDAYS, quiet.weekdays) } : {}),
    ...(purposes ? { purposes } : {}),
  };
}

function complaintsOf(draft: RulesDraft): ContactRules['complaints'] {
  const openForDays = typedNumber(draft.openForDays);
  return {
    openEvent: draft.openEvent.trim(),
    // As typed (the server says what is wrong in it, by path).
    ...(draft.openWhere !== undefined ? { openWhere: draft.openWhere as NonNullable<ContactRules['complaints']>['openWhere'] } : {}),
    ...(openForDays !== undefined ? { openForDays } : {}),
    closeEvent: draft.closeEvent.trim(),
    openSupportTask: draft.openSupportTask,
  };
}

/** The document the API takes (PUT, and `rules` of the preview). */
export function rulesOf(draft: RulesDraft): ContactRules {
  return {
    ...(draft.timezone.trim() !== '' ? { timezone: draft.timezone.trim() } : {}),
    timezoneAttribute: draft.timezoneAttribute.trim(),
    caps: draft.caps.map(capOf),
    quietHours: draft.quietHours.map(quietOf),
    complaints: complaintsOf(draft),
    doNotContactAttribute: draft.doNotContactAttribute.trim(),
    globalControlPercent: typedNumber(draft.globalControlPercent) ?? Number.NaN,
  };
}

export function sameRules(a: RulesDraft, b: RulesDraft): boolean {
  return JSON.stringify(rulesOf(a)) === JSON.stringify(rulesOf(b));
}

/** A rule id made from a name: lower-case letters, digits and _, starting with a letter; `fallback` when the name has none (Japanese). */
export function idFromName(name: string, fallback: string): string {
  const id = name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 40)
    .replace(/_+$/, '');
  return id === '' ? fallback : id;
}

/** An id not yet used by another cap: `base`, else base_2, base_3 … */
export function freeId(base: string, caps: readonly CapDraft[], self?: string): string {
  const taken = new Set(caps.filter((cap) => cap.key !== self).map((cap) => cap.id));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base.slice(0, 36)}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export function newCap(caps: readonly CapDraft[], name: string): CapDraft {
  const key = rowKey();
  return {
    key,
    id: freeId(idFromName(name, `cap_${caps.length + 1}`), caps),
    idTyped: false,
    name,
    max: '2',
    days: '7',
    hours: '',
    channels: null,
    purposes: 'marketing',
    departments: null,
  };
}

export function newQuiet(quiet: readonly QuietDraft[]): QuietDraft {
  const used = new Set(quiet.map((entry) => entry.channel));
  return { key: rowKey(), channel: CHANNELS.find((channel) => !used.has(channel)) ?? 'email', from: '21:00', to: '09:00', weekdays: [], purposes: 'marketing' };
}
