import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WEEKDAYS } from '../scenarios/model.ts';
import { decide } from './decide.ts';
import {
  type Candidate,
  type ContactChannel,
  type ContactPurpose,
  ContactRules,
  type CustomerFacts,
  type FrequencyCap,
  type LedgerContact,
  type QuietHours,
} from './model.ts';

/**
 * Properties of `decide`, each checked against a brute force written here on its own (it does
 * not use decide.ts): sliding every span start over every contact time for caps, and
 * Intl.DateTimeFormat minute by minute for quiet hours.
 *
 * (a) Safety: a long random run of candidates, each decided and its answer applied to the
 *     ledger (send: a sent contact; defer: a reservation, decided again when its time comes;
 *     displacement: the displaced reservations removed), never lets marketing contacts exceed
 *     a cap in any span.
 * (b) Optimality: a deferral goes to an allowed instant and no whole minute before it is
 *     allowed; a "deadline" skip has no allowed minute up to the deadline. Every instant in
 *     these runs is a whole minute, so every allowed interval starts on one.
 * (c) A send at now is allowed at now once the displaced reservations are gone, and
 *     displacement happens only when needed, of reservations each needed.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SEED = 20_240_605;

const ZONES = ['Asia/Tokyo', 'America/New_York', 'Australia/Lord_Howe', 'Europe/London'] as const;
/** Starts near DST changes (New York 03-10 and 11-03, Lord Howe 04-07 and 10-06, London 03-31) and one without. */
const BASES = [
  '2024-03-09T00:00:00Z',
  '2024-11-02T00:00:00Z',
  '2024-04-06T00:00:00Z',
  '2024-10-05T00:00:00Z',
  '2024-03-30T00:00:00Z',
  '2024-06-05T00:00:00Z',
].map((iso) => Date.parse(iso));
// Few channels and departments, so that contacts and caps meet often.
const CHANNELS = ['email', 'line', 'sms'] as const;
const PURPOSES = ['marketing', 'transactional'] as const;
const DEPARTMENTS = ['marketing', 'support'] as const;

// ---------------------------------------------------------------------------------------------
// Brute force

const formatters = new Map<string, Intl.DateTimeFormat>();
function localOf(at: number, timezone: string): { weekday: string; minutes: number } {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timezone, formatter);
  }
  const parts = formatter.formatToParts(new Date(at));
  const value = (type: string) => parts.find((part) => part.type === type)!.value;
  return { weekday: value('weekday').toLowerCase(), minutes: Number(value('hour')) * 60 + Number(value('minute')) + Number(value('second')) / 60 };
}

function hhmm(time: string): number {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}

function counts(cap: FrequencyCap, contact: { channel: ContactChannel; purpose: ContactPurpose; department: string }): boolean {
  if (cap.channels && !cap.channels.includes(contact.channel)) return false;
  if (!(cap.purposes ?? ['marketing']).includes(contact.purpose)) return false;
  return !cap.departments || (cap.departments as string[]).includes(contact.department);
}

function quietNow(rules: ContactRules, candidate: Candidate, at: number, timezone: string): boolean {
  const local = localOf(at, timezone);
  return rules.quietHours.some((quiet: QuietHours) => {
    if (quiet.channel !== candidate.channel || !(quiet.purposes ?? ['marketing']).includes(candidate.purpose)) return false;
    if ((quiet.weekdays as string[] | undefined)?.includes(local.weekday)) return true;
    if (quiet.from === undefined || quiet.to === undefined) return false;
    const from = hhmm(quiet.from);
    const to = hhmm(quiet.to);
    return from < to ? local.minutes >= from && local.minutes < to : local.minutes >= from || local.minutes < to;
  });
}

/** The first rule holding the candidate back at `at`, by brute force: 'do_not_contact', 'quiet_hours', a cap id, or null. */
function bruteRule(
  rules: ContactRules,
  facts: CustomerFacts,
  candidate: Candidate,
  at: number,
  removed: ReadonlySet<LedgerContact> = new Set(),
): string | null {
  const marketing = candidate.purpose === 'marketing';
  if (marketing && facts.doNotContactUntil !== null && facts.doNotContactUntil.getTime() > at) return 'do_not_contact';
  if (quietNow(rules, candidate, at, facts.timezone)) return 'quiet_hours';
  if (!marketing) return null;
  const others = facts.contacts.filter((contact) => !removed.has(contact) && (candidate.effectId === null || contact.effectId !== candidate.effectId));
  for (const cap of rules.caps) {
    if (!counts(cap, candidate)) continue;
    const window = ((cap.window.days ?? 0) * 24 + (cap.window.hours ?? 0)) * HOUR;
    const times = others.filter((contact) => counts(cap, contact)).map((contact) => contact.at.getTime());
    for (const start of [at, ...times]) {
      if (start > at || at >= start + window) continue;
      const inSpan = times.filter((time) => time >= start && time < start + window).length + 1;
      if (inSpan > cap.max) return cap.id;
    }
  }
  return null;
}

/** Whether marketing contacts exceed a cap in some span: every span start slides over every contact time. */
function capExceeded(rules: ContactRules, contacts: readonly LedgerContact[]): string | null {
  for (const cap of rules.caps) {
    const window = ((cap.window.days ?? 0) * 24 + (cap.window.hours ?? 0)) * HOUR;
    const times = contacts.filter((contact) => contact.purpose === 'marketing' && counts(cap, contact)).map((contact) => contact.at.getTime());
    for (const start of times) {
      const inSpan = times.filter((time) => time >= start && time < start + window).length;
      if (inSpan > cap.max) return `${cap.id}: ${inSpan} > ${cap.max} from ${new Date(start).toISOString()}`;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Generators

function optionalSubset<T>(values: readonly T[]): fc.Arbitrary<T[] | undefined> {
  return fc.option(fc.subarray([...values], { minLength: 1 }), { nil: undefined, freq: 2 });
}

const time = fc
  .integer({ min: 0, max: 24 * 60 - 1 })
  .map((minutes) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`);

function capArbitrary(longest: 'hours' | 'days') {
  return fc.record(
    {
      max: fc.integer({ min: 1, max: 5 }),
      window:
        longest === 'days'
          ? fc.oneof(
              { weight: 3, arbitrary: fc.record({ hours: fc.integer({ min: 1, max: 72 }) }) },
              { weight: 1, arbitrary: fc.record({ days: fc.integer({ min: 1, max: 90 }) }) },
            )
          : fc.oneof(fc.record({ hours: fc.integer({ min: 1, max: 36 }) }), fc.record({ days: fc.integer({ min: 1, max: 3 }) })),
      channels: optionalSubset(CHANNELS),
      purposes: optionalSubset(PURPOSES),
      departments: optionalSubset(DEPARTMENTS),
    },
    { requiredKeys: ['max', 'window'] },
  );
}

const quietArbitrary = fc
  .record(
    {
      channel: fc.constantFrom(...CHANNELS),
      span: fc.tuple(time, time).filter(([from, to]) => from !== to),
      weekdays: fc.subarray([...WEEKDAYS], { minLength: 1, maxLength: 2 }),
      purposes: optionalSubset(PURPOSES),
    },
    { requiredKeys: ['channel'] },
  )
  .filter((quiet) => quiet.span !== undefined || quiet.weekdays !== undefined)
  .map(({ span, ...quiet }) => (span ? { ...quiet, from: span[0], to: span[1] } : quiet));

function rulesArbitrary(caps: { minLength: number; maxLength: number }, longest: 'hours' | 'days') {
  return fc
    .record({ caps: fc.array(capArbitrary(longest), caps), quietHours: fc.array(quietArbitrary, { maxLength: 2 }) })
    .map(({ caps, quietHours }) => ContactRules.parse({ caps: caps.map((cap, index) => ({ ...cap, id: `cap_${index}`, name: `Cap ${index}` })), quietHours }));
}

const message = {
  channel: fc.constantFrom(...CHANNELS),
  purpose: fc.constantFrom<ContactPurpose>('marketing', 'marketing', 'marketing', 'transactional'),
  department: fc.constantFrom(...DEPARTMENTS),
  priority: fc.integer({ min: 1, max: 100 }),
};

/** True once in `n` times. */
function oneIn(n: number): fc.Arbitrary<boolean> {
  return fc.integer({ min: 1, max: n }).map((draw) => draw === 1);
}

const whenHeld = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 48 }).map((hours) => ({ kind: 'defer' as const, within: { hours } })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'skip' as const }) },
);

// ---------------------------------------------------------------------------------------------
// (a) Safety, with (c) checked on every send

/** Sends, reservations and displacements applied to a ledger, in time order. */
class Simulation {
  readonly ledger: LedgerContact[] = [];
  private readonly pending = new Map<string, Candidate>();
  private nextId = 0;
  decisions = 0;

  constructor(
    private readonly rules: ContactRules,
    private readonly timezone: string,
  ) {}

  private facts(): CustomerFacts {
    return { timezone: this.timezone, complaintOpen: false, doNotContactUntil: null, contacts: this.ledger };
  }

  /** Decides `candidate` at `at` (its reservation, if any, still in the ledger) and applies the answer. */
  private decideAndApply(candidate: Candidate, at: number, reservation: LedgerContact | null): void {
    const facts = this.facts();
    const decision = decide(this.rules, facts, candidate, new Date(at));
    this.decisions++;
    if (reservation) this.ledger.splice(this.ledger.indexOf(reservation), 1);
    switch (decision.kind) {
      case 'send': {
        const removed = new Set(decision.displaced);
        for (const displaced of decision.displaced) {
          expect(displaced.state).toBe('scheduled');
          expect(displaced.priority).toBeLessThan(candidate.priority);
          expect(this.ledger).toContain(displaced);
        }
        // (c): allowed now, with the displaced ones gone.
        expect(bruteRule(this.rules, facts, candidate, at, removed)).toBeNull();
        for (const displaced of decision.displaced) this.ledger.splice(this.ledger.indexOf(displaced), 1);
        this.ledger.push(this.contact(candidate, at, 'sent'));
        break;
      }
      case 'defer':
        expect(decision.until.getTime()).toBeGreaterThan(at);
        this.ledger.push(this.contact(candidate, decision.until.getTime(), 'scheduled'));
        this.pending.set(candidate.effectId!, candidate);
        break;
      case 'skip':
        break;
    }
  }

  private contact(candidate: Candidate, at: number, state: LedgerContact['state']): LedgerContact {
    const { effectId, channel, purpose, department, priority, scenarioId } = candidate;
    return { id: `row_${this.nextId++}`, effectId, at: new Date(at), channel, purpose, department, priority, state, scenarioId };
  }

  /** Decides again every reservation whose time has come by `until`, earliest first. */
  runReservations(until: number): void {
    for (;;) {
      let due: LedgerContact | null = null;
      for (const contact of this.ledger) {
        if (contact.state === 'scheduled' && contact.at.getTime() <= until && (due === null || contact.at.getTime() < due.at.getTime())) due = contact;
      }
      if (due === null) return;
      this.decideAndApply(this.pending.get(due.effectId!)!, due.at.getTime(), due);
    }
  }

  offer(candidate: Candidate, at: number): void {
    this.runReservations(at);
    this.decideAndApply(candidate, at, null);
  }
}

describe('decide: properties', () => {
  it('(a) safety: no span ever holds more marketing contacts than a cap allows', () => {
    const run = fc.record({
      rules: rulesArbitrary({ minLength: 1, maxLength: 5 }, 'days'),
      timezone: fc.constantFrom(...ZONES),
      base: fc.constantFrom(...BASES),
      candidates: fc.array(fc.record({ ...message, gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 * 60 })), whenHeld }), {
        minLength: 50,
        maxLength: 200,
      }),
    });
    let sends = 0;
    let decisions = 0;
    fc.assert(
      fc.property(run, ({ rules, timezone, base, candidates }) => {
        const simulation = new Simulation(rules, timezone);
        let at = base;
        candidates.forEach(({ gap, whenHeld, ...rest }, index) => {
          at += gap * MINUTE;
          simulation.offer({ ...rest, whenHeld, effectId: `effect_${index}`, scenarioId: null, dueAt: new Date(at) }, at);
        });
        simulation.runReservations(Number.POSITIVE_INFINITY);
        expect(simulation.ledger.every((contact) => contact.state === 'sent')).toBe(true);
        expect(capExceeded(rules, simulation.ledger)).toBeNull();
        sends += simulation.ledger.length;
        decisions += simulation.decisions;
      }),
      { seed: SEED, numRuns: 150 },
    );
    // The runs are not trivial: most candidates end up sent.
    expect(sends).toBeGreaterThan(decisions / 4);
  });

  it('(b, c) a deferral is the earliest allowed minute, a deadline skip has none, a send is allowed', () => {
    const scenario = fc.record({
      rules: rulesArbitrary({ minLength: 0, maxLength: 3 }, 'hours'),
      timezone: fc.constantFrom(...ZONES),
      base: fc.constantFrom(...BASES),
      now: fc.integer({ min: 0, max: 3 * 24 * 60 }),
      contacts: fc.array(
        fc.record({
          ...message,
          at: fc.integer({ min: -3 * 24 * 60, max: 2 * 24 * 60 }),
          state: fc.constantFrom<LedgerContact['state']>('sent', 'scheduled'),
          own: oneIn(10),
        }),
        { maxLength: 15 },
      ),
      candidate: fc.record({ ...message, late: fc.integer({ min: 0, max: 600 }), whenHeld }),
      doNotContact: fc.option(fc.integer({ min: -600, max: 3000 }), { nil: null }),
      complaintOpen: oneIn(16),
    });
    const seen = { send: 0, displaced: 0, defer: 0, deadline: 0, stepSkips: 0, complaint: 0 };
    fc.assert(
      fc.property(scenario, (input) => {
        const now = input.base + input.now * MINUTE;
        // Reservations are in the future mostly (a deferred message holding its place).
        const contacts = input.contacts.map(({ at, own, state, ...rest }, index) => ({
          ...rest,
          state: at > 0 ? 'scheduled' : state,
          id: `row_${index}`,
          effectId: own ? 'effect_own' : `effect_${index}`,
          at: new Date(now + at * MINUTE),
          scenarioId: null,
        }));
        const { late, ...message } = input.candidate;
        const candidate: Candidate = { ...message, effectId: 'effect_own', scenarioId: null, dueAt: new Date(now - late * MINUTE) };
        const facts: CustomerFacts = {
          timezone: input.timezone,
          complaintOpen: input.complaintOpen,
          doNotContactUntil: input.doNotContact === null ? null : new Date(now + input.doNotContact * MINUTE),
          contacts,
        };
        const decision = decide(input.rules, facts, candidate, new Date(now));
        if (input.complaintOpen && candidate.purpose === 'marketing') {
          expect(decision).toEqual({ kind: 'skip', rule: { kind: 'complaint' }, why: 'complaint' });
          seen.complaint++;
          return;
        }
        const ruleNow = bruteRule(input.rules, facts, candidate, now);
        const named = (rule: Exclude<typeof decision, { kind: 'send' }>['rule']) => (rule.kind === 'cap' ? rule.id : rule.kind);
        const allowed = (at: number) => bruteRule(input.rules, facts, candidate, at) === null;
        switch (decision.kind) {
          case 'send': {
            seen.send++;
            const removed = new Set(decision.displaced);
            expect(bruteRule(input.rules, facts, candidate, now, removed)).toBeNull();
            if (decision.displaced.length === 0) break;
            seen.displaced++;
            // Only when needed, and each displaced reservation is needed.
            expect(ruleNow).not.toBeNull();
            for (const displaced of decision.displaced) {
              expect(displaced.state).toBe('scheduled');
              expect(displaced.priority).toBeLessThan(candidate.priority);
              const back = new Set(removed);
              back.delete(displaced);
              expect(bruteRule(input.rules, facts, candidate, now, back)).not.toBeNull();
            }
            break;
          }
          case 'defer': {
            seen.defer++;
            expect(named(decision.rule)).toBe(ruleNow);
            const until = decision.until.getTime();
            const deadline = candidate.dueAt.getTime() + (candidate.whenHeld.kind === 'defer' ? (candidate.whenHeld.within.hours ?? 0) * HOUR : 0);
            expect(until).toBeGreaterThan(now);
            expect(until).toBeLessThanOrEqual(deadline);
            expect(bruteRule(input.rules, facts, candidate, until)).toBeNull();
            for (let at = now + MINUTE; at < until; at += MINUTE) if (allowed(at)) expect.fail(`allowed earlier: ${new Date(at).toISOString()}`);
            break;
          }
          case 'skip': {
            expect(ruleNow).not.toBeNull();
            expect(named(decision.rule)).toBe(ruleNow);
            if (decision.why === 'step_skips') {
              expect(candidate.whenHeld.kind).toBe('skip');
              seen.stepSkips++;
              break;
            }
            expect(decision.why).toBe('deadline');
            seen.deadline++;
            if (candidate.whenHeld.kind !== 'defer') throw new Error('a deadline skip of a step that skips');
            const deadline = candidate.dueAt.getTime() + (candidate.whenHeld.within.hours ?? 0) * HOUR;
            for (let at = now + MINUTE; at <= deadline; at += MINUTE)
              if (allowed(at)) expect.fail(`allowed before the deadline: ${new Date(at).toISOString()}`);
            break;
          }
        }
      }),
      { seed: SEED, numRuns: 1500 },
    );
    // Every kind of answer was met.
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(0);
  });
});
