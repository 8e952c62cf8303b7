import { WEEKDAYS } from '../scenarios/model.ts';
import { assertNever } from '../shared/errors.ts';
import { zoneFormatter } from '../shared/time.ts';
import {
  type Candidate,
  type ContactChannel,
  type ContactPurpose,
  type ContactRules,
  type CustomerFacts,
  type Decision,
  type FrequencyCap,
  type LedgerContact,
  type QuietHours,
  type RuleRef,
  windowMinutes,
} from './model.ts';

/**
 * The contact decision: may this message go to this customer now, and if not, when? One pure
 * function (`decide`) that reads no database and no clock: the caller gives it the workspace's
 * contact rules, what it knows of the customer (time zone, complaint, do-not-contact-until, the
 * ledger of recent and scheduled contacts), the message and the moment. The answer is a
 * `Decision`: send (possibly displacing lower-priority reservations), defer to an instant, or skip.
 *
 * Semantics, in the order they are applied:
 *
 * 1. Contacts whose `effectId` equals the candidate's (non-null) `effectId` are ignored: they are
 *    the candidate's own earlier reservation (a deferred message coming back).
 * 2. A cap counts a contact when its channel is in `cap.channels` (absent: all), its purpose in
 *    `cap.purposes` (absent: marketing only) and its department in `cap.departments` (absent:
 *    all) — `capApplies`. Only a marketing candidate that the cap itself counts can be held back
 *    by it; a transactional candidate is never capped (it still counts in the ledger for caps
 *    naming `transactional`, which is the caller's business).
 * 3. A cap is respected at t when, with the candidate added at t, every half-open span
 *    [s, s + W) containing t (W = the cap's window) holds at most `max` counted contacts. Such a
 *    span is fullest when it starts at t or at a counted contact c with t − W < c ≤ t, so those
 *    starts are the only ones checked. Contacts later than t (scheduled reservations) count too.
 *    Two contacts exactly W apart never share a span.
 * 4. Quiet hours: the entries for the candidate's channel whose `purposes` (absent: marketing
 *    only) include the candidate's purpose. In the customer's time zone (`facts.timezone`, IANA,
 *    DST-aware), t is quiet when its local weekday is one of `weekdays`, or its local time of day
 *    is in [from, to) (from > to crosses midnight: 21:00–09:00 is 21:00 ≤ time or time < 09:00).
 *    The weekday is always t's own local weekday, also inside a span that began the day before.
 * 5. Suppression applies to marketing only. An open complaint skips at once (why 'complaint', no
 *    deferral: nobody knows when support will be done). A `doNotContactUntil` later than t makes
 *    t not allowed.
 * 6. When `now` is allowed (no do-not-contact, not quiet, no cap broken): send.
 * 7. Displacement: when `now` is held back by caps alone (allowed as to do-not-contact and quiet
 *    hours) and the candidate is marketing, reservations (state 'scheduled', never 'sent') of a
 *    strictly lower priority, counted by a cap broken at `now` and close enough to matter (less
 *    than that cap's window from `now`), are removed one at a time — lowest priority first, then
 *    the latest first, then by id — until `now` is allowed. The set is then pruned: each removed
 *    reservation is put back, most valuable first (the reverse order of removal), when `now`
 *    stays allowed with it, so only reservations actually in the way are displaced. If removing
 *    them all does not free `now`, nothing is displaced.
 * 8. Held back: the rule named is the first that blocks `now` in this order: do-not-contact,
 *    quiet hours, then the first broken cap in `rules.caps` order. `whenHeld` skip → skip
 *    ('step_skips'). `whenHeld` defer → the deadline is `dueAt` + `within` (days of 24 hours plus
 *    hours, in absolute time); the answer is the earliest instant t, now < t ≤ deadline, at which
 *    everything is allowed (without displacement), or skip ('deadline') when there is none.
 *    The allowed instants form a union of intervals, each closed at its left end, and every left
 *    end is one of: the end of a quiet span or of a quiet weekday (local midnight) in the
 *    customer's zone, a UTC-offset change of the zone (the first instant after a DST gap), c + W
 *    for a counted contact c of a cap, or the do-not-contact date. Those instants are generated
 *    in (now, deadline], a few local days at a time, sorted and tried in order.
 * 9. Local time uses the IANA zone through `Intl.DateTimeFormat` (one formatter per zone, cached
 *    with the zone's UTC offsets per UTC day). A local time that does not exist (spring-forward
 *    gap) is reached at the first instant after the gap; one that occurs twice (fall back) at
 *    both. Offset changes are assumed to fall on a quarter-hour of UTC, as every modern tzdb
 *    transition does.
 *
 * The time zone must be valid (`isValidTimezone`); an unknown zone throws a RangeError.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const QUARTER_HOUR = 15 * MINUTE;
/** The search for the earliest allowed instant goes this far at a time (most deferrals end within a day). */
const SEARCH_CHUNK = 2 * DAY;

// ---------------------------------------------------------------------------------------------
// Local time in a zone

/** A zone's UTC offsets over one UTC day: `before` until `at` (a transition, or Infinity), `after` from it. */
interface DayOffsets {
  before: number;
  after: number;
  at: number;
}

interface Zone {
  formatter: Intl.DateTimeFormat;
  days: Map<number, DayOffsets>;
}

const zones = new Map<string, Zone>();
const MAX_CACHED_DAYS = 20_000;

function zoneOf(timezone: string): Zone {
  let zone = zones.get(timezone);
  if (!zone) {
    zone = { formatter: zoneFormatter(timezone), days: new Map() };
    zones.set(timezone, zone);
  }
  return zone;
}

/** The zone's offset from UTC (ms) at a whole-second instant, asked of Intl. */
function formattedOffset(zone: Zone, epochMs: number): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of zone.formatter.formatToParts(epochMs)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      default:
        break;
    }
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) - epochMs;
}

/** The offsets of UTC day `utcDay` (days since the epoch): two Intl calls, and a bisection on quarter-hours when they differ. */
function dayOffsets(zone: Zone, utcDay: number): DayOffsets {
  const cached = zone.days.get(utcDay);
  if (cached) return cached;
  const start = utcDay * DAY;
  const before = formattedOffset(zone, start);
  const after = formattedOffset(zone, start + DAY);
  let at = Number.POSITIVE_INFINITY;
  if (before !== after) {
    // The offset at quarter `low` is `before`, at quarter `high` it is `after`.
    let low = 0;
    let high = 96;
    while (high - low > 1) {
      const middle = (low + high) >> 1;
      if (formattedOffset(zone, start + middle * QUARTER_HOUR) === before) low = middle;
      else high = middle;
    }
    at = start + high * QUARTER_HOUR;
  }
  const offsets = { before, after, at };
  if (zone.days.size >= MAX_CACHED_DAYS) zone.days.clear();
  zone.days.set(utcDay, offsets);
  return offsets;
}

function offsetAt(zone: Zone, epochMs: number): number {
  const offsets = dayOffsets(zone, Math.floor(epochMs / DAY));
  return epochMs < offsets.at ? offsets.before : offsets.after;
}

/** The local wall clock of an instant as ms since the epoch (as if the wall clock were UTC). */
function wallClockOf(zone: Zone, epochMs: number): number {
  return epochMs + offsetAt(zone, epochMs);
}

/**
 * Pushes onto `out` the instants in (after, until] whose local wall clock is `wall`: none in a
 * DST gap (the transition itself is pushed by `pushTransitions`), two in a fall-back overlap.
 */
function pushInstantsAt(zone: Zone, wall: number, after: number, until: number, out: number[]): void {
  // Offsets lie between −12 h and +14 h, so the instant lies in [wall − 14 h, wall + 12 h].
  const early = offsetAt(zone, wall - 14 * HOUR);
  const late = offsetAt(zone, wall + 12 * HOUR);
  pushIfWall(zone, wall - early, early, after, until, out);
  if (late !== early) pushIfWall(zone, wall - late, late, after, until, out);
}

function pushIfWall(zone: Zone, instant: number, offset: number, after: number, until: number, out: number[]): void {
  if (instant > after && instant <= until && offsetAt(zone, instant) === offset) out.push(instant);
}

/** Pushes the zone's offset changes in (after, until]. */
function pushTransitions(zone: Zone, after: number, until: number, out: number[]): void {
  const last = Math.floor(until / DAY);
  for (let day = Math.floor(after / DAY); day <= last; day++) {
    const { at } = dayOffsets(zone, day);
    if (at > after && at <= until) out.push(at);
  }
}

/** Monday 0 … Sunday 6 of a local day number (1970-01-01, day 0, was a Thursday). */
function weekdayIndex(localDay: number): number {
  return (((localDay + 3) % 7) + 7) % 7;
}

// ---------------------------------------------------------------------------------------------
// Rules prepared for one candidate

/** A quiet-hours entry in ms of the local day; `from` is −1 for whole weekdays only; `weekdays` a bit per weekday (Monday: bit 0). */
interface QuietSpan {
  from: number;
  to: number;
  weekdays: number;
}

/** A cap that could hold the candidate back, with its counted contacts' times (sorted) and, for each, how many counted contacts a span starting there holds. */
interface CapLine {
  kind: 'cap';
  cap: FrequencyCap;
  windowMs: number;
  times: number[];
  spans: number[];
}

interface Plan {
  candidate: Candidate;
  /** The customer's zone; null when no quiet hours apply (no formatter needed). */
  zone: Zone | null;
  quiet: QuietSpan[];
  /** Do-not-contact-until (ms), −Infinity when none or when the candidate is not marketing. */
  doNotContactUntil: number;
  /** Contacts that count (the candidate's own reservation left out), sorted by time. */
  contacts: readonly LedgerContact[];
  caps: CapLine[];
}

type Block = { kind: 'do_not_contact' } | { kind: 'quiet_hours' } | CapLine;
const DO_NOT_CONTACT: Block = { kind: 'do_not_contact' };
const QUIET: Block = { kind: 'quiet_hours' };

/** Whether a cap counts a contact (or would count the candidate): channel, purpose (absent: marketing only) and department. */
export function capApplies(cap: FrequencyCap, contact: { channel: ContactChannel; purpose: ContactPurpose; department: LedgerContact['department'] }): boolean {
  return (
    (cap.channels === undefined || cap.channels.includes(contact.channel)) &&
    (cap.purposes === undefined ? contact.purpose === 'marketing' : cap.purposes.includes(contact.purpose)) &&
    (cap.departments === undefined || cap.departments.includes(contact.department))
  );
}

/** Whether a quiet-hours entry holds back messages of this channel and purpose (absent purposes: marketing only). */
function quietApplies(quiet: QuietHours, channel: ContactChannel, purpose: ContactPurpose): boolean {
  return quiet.channel === channel && (quiet.purposes === undefined ? purpose === 'marketing' : quiet.purposes.includes(purpose));
}

/** 'HH:MM' in ms of the day. */
function timeOfDayMs(time: string): number {
  return (Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))) * MINUTE;
}

function quietSpans(rules: ContactRules, channel: ContactChannel, purpose: ContactPurpose): QuietSpan[] {
  const spans: QuietSpan[] = [];
  for (const quiet of rules.quietHours) {
    if (!quietApplies(quiet, channel, purpose)) continue;
    let weekdays = 0;
    for (const weekday of quiet.weekdays ?? []) weekdays |= 1 << WEEKDAYS.indexOf(weekday);
    const span = quiet.from !== undefined && quiet.to !== undefined;
    spans.push({ from: span ? timeOfDayMs(quiet.from!) : -1, to: span ? timeOfDayMs(quiet.to!) : -1, weekdays });
  }
  return spans;
}

/** The contacts that count for the candidate, sorted by time: the input itself when it is already so (no copy). */
function countedContacts(contacts: readonly LedgerContact[], effectId: string | null): readonly LedgerContact[] {
  let sorted = true;
  let own = false;
  let previous = Number.NEGATIVE_INFINITY;
  for (const contact of contacts) {
    const at = contact.at.getTime();
    if (at < previous) sorted = false;
    previous = at;
    if (effectId !== null && contact.effectId === effectId) own = true;
  }
  if (sorted && !own) return contacts;
  const kept = own ? contacts.filter((contact) => contact.effectId !== effectId) : contacts.slice();
  return sorted ? kept : kept.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The first index whose time is ≥ `value` (from `start`). */
function lowerBound(times: readonly number[], value: number, start = 0): number {
  let low = start;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (times[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The first index whose time is > `value` (from `start`). */
function upperBound(times: readonly number[], value: number, start = 0): number {
  let low = start;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (times[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The caps that could hold a marketing candidate back (those counting it), in `rules.caps`
 * order, each with its counted contacts. A cap whose counted contacts plus the candidate fit in
 * `max` can never be broken and is left out.
 */
function capLines(rules: ContactRules, candidate: Candidate, contacts: readonly LedgerContact[], excluded?: ReadonlySet<LedgerContact>): CapLine[] {
  const lines: CapLine[] = [];
  if (candidate.purpose !== 'marketing') return lines;
  for (const cap of rules.caps) {
    if (!capApplies(cap, candidate)) continue;
    const times: number[] = [];
    for (const contact of contacts) if (capApplies(cap, contact) && !excluded?.has(contact)) times.push(contact.at.getTime());
    if (times.length < cap.max) continue;
    const windowMs = windowMinutes(cap.window) * MINUTE;
    // spans[i]: the counted contacts in [times[i], times[i] + W); `end` and `first` only move forward.
    const spans = new Array<number>(times.length);
    let end = 0;
    let first = 0;
    for (let i = 0; i < times.length; i++) {
      if (times[i] !== times[first]) first = i;
      const limit = times[i]! + windowMs;
      while (end < times.length && times[end]! < limit) end++;
      spans[i] = end - first;
    }
    lines.push({ kind: 'cap', cap, windowMs, times, spans });
  }
  return lines;
}

function makePlan(rules: ContactRules, facts: CustomerFacts, candidate: Candidate): Plan {
  const contacts = countedContacts(facts.contacts, candidate.effectId);
  const quiet = quietSpans(rules, candidate.channel, candidate.purpose);
  const marketing = candidate.purpose === 'marketing';
  return {
    candidate,
    zone: quiet.length > 0 ? zoneOf(facts.timezone) : null,
    quiet,
    doNotContactUntil: marketing && facts.doNotContactUntil !== null ? facts.doNotContactUntil.getTime() : Number.NEGATIVE_INFINITY,
    contacts,
    caps: capLines(rules, candidate, contacts),
  };
}

function quietAt(zone: Zone, quiet: readonly QuietSpan[], at: number): boolean {
  const wall = wallClockOf(zone, at);
  const localDay = Math.floor(wall / DAY);
  const time = wall - localDay * DAY;
  const weekday = 1 << weekdayIndex(localDay);
  for (const span of quiet) {
    if ((span.weekdays & weekday) !== 0) return true;
    if (span.from < 0) continue;
    if (span.from < span.to ? time >= span.from && time < span.to : time >= span.from || time < span.to) return true;
  }
  return false;
}

/** Whether the candidate at `at` would put more than `max` counted contacts in a span containing `at`. */
function lineBroken(line: CapLine, at: number): boolean {
  const { times, spans, windowMs } = line;
  // The counted contacts a span may hold besides the candidate.
  const room = line.cap.max - 1;
  const first = lowerBound(times, at);
  if (lowerBound(times, at + windowMs, first) - first > room) return true;
  for (let i = upperBound(times, at, first) - 1; i >= 0 && times[i]! > at - windowMs; i--) if (spans[i]! > room) return true;
  return false;
}

/** The first rule holding the candidate back at `at`: do-not-contact, quiet hours, then caps in order; null: allowed. */
function blockAt(plan: Plan, at: number): Block | null {
  if (plan.doNotContactUntil > at) return DO_NOT_CONTACT;
  if (plan.zone !== null && quietAt(plan.zone, plan.quiet, at)) return QUIET;
  for (const line of plan.caps) if (lineBroken(line, at)) return line;
  return null;
}

function ruleOf(plan: Plan, block: Block): RuleRef {
  switch (block.kind) {
    case 'do_not_contact':
      return { kind: 'do_not_contact', until: new Date(plan.doNotContactUntil).toISOString() };
    case 'quiet_hours':
      return { kind: 'quiet_hours', channel: plan.candidate.channel };
    case 'cap':
      return { kind: 'cap', id: block.cap.id, name: block.cap.name };
    default:
      return assertNever(block, 'block');
  }
}

/** The instants in (after, until] where quiet hours may end, unsorted. */
function pushQuietEnds(plan: Plan, zone: Zone, after: number, until: number, out: number[]): void {
  // One local day more on each side: where clocks go back over midnight, an instant in the range
  // can read a local day outside [day of `after`, day of `until`].
  const lastDay = Math.floor(wallClockOf(zone, until) / DAY) + 1;
  const weekdays = plan.quiet.some((span) => span.weekdays !== 0);
  for (let day = Math.floor(wallClockOf(zone, after) / DAY) - 1; day <= lastDay; day++) {
    const midnight = day * DAY;
    if (weekdays) pushInstantsAt(zone, midnight, after, until, out);
    for (const span of plan.quiet) if (span.from >= 0) pushInstantsAt(zone, midnight + span.to, after, until, out);
  }
  pushTransitions(zone, after, until, out);
}

/** The earliest instant in (after, until] at which the candidate is allowed, or null. */
function earliestIn(plan: Plan, after: number, until: number): number | null {
  // Where a cap or do-not-contact stops holding it back: few, generated once.
  const freed: number[] = [];
  if (plan.doNotContactUntil > after && plan.doNotContactUntil <= until) freed.push(plan.doNotContactUntil);
  for (const line of plan.caps) {
    for (const time of line.times) {
      const end = time + line.windowMs;
      if (end > after && end <= until) freed.push(end);
    }
  }
  freed.sort((a, b) => a - b);
  let next = 0;
  // Quiet ends are generated a chunk at a time: most deferrals end within the first one.
  const chunk: number[] = [];
  for (let from = after; from < until; from += SEARCH_CHUNK) {
    const to = Math.min(until, from + SEARCH_CHUNK);
    chunk.length = 0;
    while (next < freed.length && freed[next]! <= to) chunk.push(freed[next++]!);
    if (plan.zone !== null) pushQuietEnds(plan, plan.zone, from, to, chunk);
    chunk.sort((a, b) => a - b);
    let previous = Number.NaN;
    for (const instant of chunk) {
      if (instant === previous) continue;
      previous = instant;
      if (blockAt(plan, instant) === null) return instant;
    }
  }
  return null;
}

/** The deadline of a deferral: `dueAt` + `within` (days of 24 hours plus hours). */
function deadlineOf(candidate: Candidate, within: { days?: number | undefined; hours?: number | undefined }): number {
  return candidate.dueAt.getTime() + ((within.days ?? 0) * 24 + (within.hours ?? 0)) * HOUR;
}

/** Compares reservations in the order they are displaced: lowest priority, then latest, then id. */
function displacementOrder(a: LedgerContact, b: LedgerContact): number {
  return a.priority - b.priority || b.at.getTime() - a.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The reservations to displace so that the candidate may go at `at` (only caps hold it back),
 * or null when displacing every eligible one would not free `at`.
 */
function displacement(rules: ContactRules, plan: Plan, at: number): LedgerContact[] | null {
  const { candidate } = plan;
  const broken = plan.caps.filter((line) => lineBroken(line, at));
  const eligible: LedgerContact[] = [];
  for (const contact of plan.contacts) {
    if (contact.state !== 'scheduled' || contact.priority >= candidate.priority) continue;
    const distance = Math.abs(contact.at.getTime() - at);
    if (broken.some((line) => distance < line.windowMs && capApplies(line.cap, contact))) eligible.push(contact);
  }
  if (eligible.length === 0) return null;
  eligible.sort(displacementOrder);
  const removed = new Set<LedgerContact>();
  const allowedWithout = (without: ReadonlySet<LedgerContact>) => capLines(rules, candidate, plan.contacts, without).every((line) => !lineBroken(line, at));
  let freed = false;
  for (const contact of eligible) {
    removed.add(contact);
    if (allowedWithout(removed)) {
      freed = true;
      break;
    }
  }
  if (!freed) return null;
  // Put back what is not in the way, the most valuable first.
  const order = [...removed];
  for (let i = order.length - 1; i >= 0; i--) {
    const contact = order[i]!;
    removed.delete(contact);
    if (!allowedWithout(removed)) removed.add(contact);
  }
  return eligible.filter((contact) => removed.has(contact));
}

/**
 * May `candidate` go to the customer at `now`? Send (displacing lower-priority reservations if
 * that frees `now`), defer to the earliest allowed instant within the deadline, or skip. See the
 * header for the rules.
 */
export function decide(rules: ContactRules, facts: CustomerFacts, candidate: Candidate, now: Date): Decision {
  if (candidate.purpose === 'marketing' && facts.complaintOpen) return { kind: 'skip', rule: { kind: 'complaint' }, why: 'complaint' };
  const plan = makePlan(rules, facts, candidate);
  const at = now.getTime();
  const block = blockAt(plan, at);
  if (block === null) return { kind: 'send', displaced: [] };
  if (block.kind === 'cap') {
    const displaced = displacement(rules, plan, at);
    if (displaced) return { kind: 'send', displaced };
  }
  const rule = ruleOf(plan, block);
  const whenHeld = candidate.whenHeld;
  switch (whenHeld.kind) {
    case 'skip':
      return { kind: 'skip', rule, why: 'step_skips' };
    case 'defer': {
      const until = earliestIn(plan, at, deadlineOf(candidate, whenHeld.within));
      return until === null ? { kind: 'skip', rule, why: 'deadline' } : { kind: 'defer', until: new Date(until), rule };
    }
    default:
      return assertNever(whenHeld, 'when held');
  }
}

/** Whether `at` is in quiet hours for a message of this channel and purpose, for a customer in `timezone`. */
export function isQuiet(rules: ContactRules, channel: ContactChannel, purpose: ContactPurpose, at: Date, timezone: string): boolean {
  const quiet = quietSpans(rules, channel, purpose);
  return quiet.length > 0 && quietAt(zoneOf(timezone), quiet, at.getTime());
}

/**
 * The caps the candidate would break at `at`, in `rules.caps` order (empty: none). `contacts`
 * is the customer's ledger; the candidate's own reservation (same effectId) is ignored.
 */
export function capsBroken(rules: ContactRules, candidate: Candidate, contacts: readonly LedgerContact[], at: Date): FrequencyCap[] {
  const time = at.getTime();
  return capLines(rules, candidate, countedContacts(contacts, candidate.effectId))
    .filter((line) => lineBroken(line, time))
    .map((line) => line.cap);
}

/**
 * The first rule that holds the candidate back at `at` — do-not-contact, quiet hours, then the
 * first broken cap — or null when `at` is allowed. An open complaint is not a rule of the moment
 * (`decide` skips on it before asking).
 */
export function blockingRule(rules: ContactRules, facts: CustomerFacts, candidate: Candidate, at: Date): RuleRef | null {
  const plan = makePlan(rules, facts, candidate);
  const block = blockAt(plan, at.getTime());
  return block === null ? null : ruleOf(plan, block);
}

/** The earliest instant t with after < t ≤ until at which the candidate is allowed (no displacement), or null. */
export function earliestAllowed(rules: ContactRules, facts: CustomerFacts, candidate: Candidate, after: Date, until: Date): Date | null {
  const instant = earliestIn(makePlan(rules, facts, candidate), after.getTime(), until.getTime());
  return instant === null ? null : new Date(instant);
}
