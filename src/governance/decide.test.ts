import { describe, expect, it } from 'vitest';
import { blockingRule, capApplies, capsBroken, decide, earliestAllowed, isQuiet } from './decide.ts';
import { type Candidate, ContactRules, type ContactRulesInput, type CustomerFacts, type Decision, type LedgerContact } from './model.ts';

/**
 * Hand-built timelines: every instant is explicit (no clock), and every expected answer is
 * worked out in the comment above it. Asia/Tokyo is UTC+9 all year; America/New_York is UTC−5
 * (EST) or UTC−4 (EDT, from 2024-03-10 02:00 to 2024-11-03 02:00 local).
 */

const TOKYO = 'Asia/Tokyo';
const NEW_YORK = 'America/New_York';
/** Wednesday 2024-06-05 10:00 in Tokyo. */
const NOW = new Date('2024-06-05T01:00:00Z');

const WEEKLY = { id: 'marketing_weekly', name: '週2通まで', max: 2, window: { days: 7 } };
const DAILY = { id: 'marketing_daily', name: '1日1通まで', max: 1, window: { days: 1 } };
const NIGHT = { channel: 'email' as const, from: '21:00', to: '09:00' };

function rules(input: ContactRulesInput): ContactRules {
  return ContactRules.parse(input);
}

function candidate(overrides: Partial<Candidate> = {}): Candidate {
  return {
    effectId: 'effect_new',
    channel: 'email',
    purpose: 'marketing',
    department: 'marketing',
    priority: 50,
    scenarioId: 'scenario_new',
    dueAt: NOW,
    whenHeld: { kind: 'defer', within: { days: 3 } },
    ...overrides,
  };
}

let nextId = 0;
function contact(at: string, overrides: Partial<LedgerContact> = {}): LedgerContact {
  nextId++;
  return {
    id: `c${nextId}`,
    effectId: `effect_${nextId}`,
    at: new Date(at),
    channel: 'email',
    purpose: 'marketing',
    department: 'marketing',
    priority: 50,
    state: 'sent',
    scenarioId: 'scenario_old',
    ...overrides,
  };
}

function facts(contacts: LedgerContact[], overrides: Partial<CustomerFacts> = {}): CustomerFacts {
  return { timezone: TOKYO, complaintOpen: false, doNotContactUntil: null, contacts, ...overrides };
}

const SEND: Decision = { kind: 'send', displaced: [] };
const weeklyRule = { kind: 'cap', id: 'marketing_weekly', name: '週2通まで' } as const;
const dailyRule = { kind: 'cap', id: 'marketing_daily', name: '1日1通まで' } as const;
const quietEmail = { kind: 'quiet_hours', channel: 'email' } as const;

describe('frequency caps', () => {
  const weekly = rules({ caps: [WEEKLY] });
  const twoThisWeek = () => [contact('2024-06-01T01:00:00Z'), contact('2024-06-03T01:00:00Z')];

  it('holds back the third marketing message in 7 days, until exactly 7 days after the first', () => {
    // Contacts 06-01 01:00Z and 06-03 01:00Z; now 06-05 01:00Z. The span [06-01 01:00, 06-08 01:00)
    // would hold both and the candidate: 3 > 2. At 06-08 01:00Z the first leaves every span that
    // contains the candidate ([06-03, 06-10) holds the second and the candidate: 2), so that
    // instant — c1 + 7 days — is the answer (deadline 06-05 + 5 days = 06-10, later).
    expect(decide(weekly, facts(twoThisWeek()), candidate({ whenHeld: { kind: 'defer', within: { days: 5 } } }), NOW)).toEqual({
      kind: 'defer',
      until: new Date('2024-06-08T01:00:00Z'),
      rule: weeklyRule,
    });
  });

  it('counts spans as half-open: exactly W after the first it may go, one millisecond earlier not', () => {
    // At 06-08 01:00Z the first contact is W = 7 days back: [06-01 01:00, 06-08 01:00) excludes t.
    expect(decide(weekly, facts(twoThisWeek()), candidate(), new Date('2024-06-08T01:00:00Z'))).toEqual(SEND);
    // One ms earlier, that span holds c1, c2 and the candidate: blocked, and the answer is 1 ms later.
    expect(decide(weekly, facts(twoThisWeek()), candidate(), new Date('2024-06-08T00:59:59.999Z'))).toEqual({
      kind: 'defer',
      until: new Date('2024-06-08T01:00:00Z'),
      rule: weeklyRule,
    });
  });

  it('counts only the channels a cap names', () => {
    // "At most 1 LINE a day": an email 1 h ago does not count, a LINE message does (until it is 24 h old).
    const lineDaily = rules({ caps: [{ id: 'line_daily', name: 'LINE 1日1通', max: 1, window: { days: 1 }, channels: ['line'] }] });
    const emailAgo = contact('2024-06-05T00:00:00Z', { channel: 'email' });
    const lineAgo = contact('2024-06-05T00:00:00Z', { channel: 'line' });
    expect(decide(lineDaily, facts([emailAgo]), candidate({ channel: 'line' }), NOW)).toEqual(SEND);
    // An email candidate is not counted by a LINE cap, so the cap cannot hold it back.
    expect(decide(lineDaily, facts([lineAgo]), candidate({ channel: 'email' }), NOW)).toEqual(SEND);
    expect(decide(lineDaily, facts([lineAgo]), candidate({ channel: 'line' }), NOW)).toEqual({
      kind: 'defer',
      until: new Date('2024-06-06T00:00:00Z'),
      rule: { kind: 'cap', id: 'line_daily', name: 'LINE 1日1通' },
    });
  });

  it('counts only the departments a cap names', () => {
    const supportDaily = rules({ caps: [{ id: 'support_daily', name: 'サポート1日1回', max: 1, window: { days: 1 }, departments: ['support'] }] });
    const byMarketing = contact('2024-06-05T00:00:00Z', { department: 'marketing' });
    const bySupport = contact('2024-06-05T00:00:00Z', { department: 'support' });
    expect(decide(supportDaily, facts([byMarketing]), candidate({ department: 'support' }), NOW)).toEqual(SEND);
    expect(decide(supportDaily, facts([bySupport]), candidate({ department: 'marketing' }), NOW)).toEqual(SEND);
    // Support's contact 1 h ago counts against support's candidate: free 24 h after it.
    expect(decide(supportDaily, facts([bySupport]), candidate({ department: 'support' }), NOW)).toEqual({
      kind: 'defer',
      until: new Date('2024-06-06T00:00:00Z'),
      rule: { kind: 'cap', id: 'support_daily', name: 'サポート1日1回' },
    });
  });

  it('never caps a transactional message, and counts transactional contacts only for caps naming them', () => {
    const both = rules({ caps: [{ ...DAILY, purposes: ['marketing', 'transactional'] }] });
    const marketingOnly = rules({ caps: [DAILY] });
    const receipt = contact('2024-06-05T00:00:00Z', { purpose: 'transactional' });
    const promotion = contact('2024-06-05T00:00:00Z', { purpose: 'marketing' });
    // A transactional candidate goes whatever the ledger holds.
    expect(decide(both, facts([promotion, receipt]), candidate({ purpose: 'transactional' }), NOW)).toEqual(SEND);
    // The receipt 1 h ago counts for a cap naming transactional: the marketing candidate waits 24 h from it.
    expect(decide(both, facts([receipt]), candidate(), NOW)).toEqual({ kind: 'defer', until: new Date('2024-06-06T00:00:00Z'), rule: dailyRule });
    // A cap without purposes counts marketing only: the receipt does not count.
    expect(decide(marketingOnly, facts([receipt]), candidate(), NOW)).toEqual(SEND);
  });

  it('respects a scheduled contact in the future sharing a window with now', () => {
    // A reservation tomorrow 06-06 00:00Z (09:00 JST). Now 06-05 03:00Z: [now, now + 1 day) holds
    // it and the candidate: 2 > 1. Any t in (06-05 00:00Z, 06-07 00:00Z) shares a day with it, so
    // the earliest is 06-07 00:00Z (its c + W).
    const reserved = contact('2024-06-06T00:00:00Z', { state: 'scheduled', priority: 50 });
    const now = new Date('2024-06-05T03:00:00Z');
    expect(decide(rules({ caps: [DAILY] }), facts([reserved]), candidate({ dueAt: now }), now)).toEqual({
      kind: 'defer',
      until: new Date('2024-06-07T00:00:00Z'),
      rule: dailyRule,
    });
    // A reservation two days later is out of every span containing now.
    expect(decide(rules({ caps: [DAILY] }), facts([contact('2024-06-07T03:00:00Z', { state: 'scheduled' })]), candidate(), now)).toEqual(SEND);
  });

  it('ignores the candidate’s own earlier reservation (same effect)', () => {
    // The deferred message comes back at its reserved instant: its reservation does not count against it.
    const own = contact('2024-06-05T01:00:00Z', { state: 'scheduled', effectId: 'effect_back' });
    expect(decide(rules({ caps: [DAILY] }), facts([own]), candidate({ effectId: 'effect_back' }), NOW)).toEqual(SEND);
    // Another effect's reservation at the same instant does.
    expect(decide(rules({ caps: [DAILY] }), facts([own]), candidate({ effectId: 'effect_other' }), NOW).kind).toBe('defer');
  });

  it('names the first broken cap in rules order', () => {
    // Both caps are broken by two contacts yesterday and today; the rule named is the first listed.
    const both = rules({ caps: [WEEKLY, DAILY] });
    const ledger = [contact('2024-06-04T02:00:00Z'), contact('2024-06-05T00:00:00Z')];
    expect(capsBroken(both, candidate(), ledger, NOW).map((cap) => cap.id)).toEqual(['marketing_weekly', 'marketing_daily']);
    expect(blockingRule(both, facts(ledger), candidate(), NOW)).toEqual(weeklyRule);
  });
});

describe('quiet hours', () => {
  const night = rules({ quietHours: [NIGHT] });
  // 2024-06-05 13:00Z is 22:00 in Tokyo (quiet) and 09:00 EDT in New York (not quiet: 09:00 is the end).
  const evening = new Date('2024-06-05T13:00:00Z');

  it('reads the customer’s own zone: the same instant is quiet in Tokyo, not in New York', () => {
    expect(isQuiet(night, 'email', 'marketing', evening, TOKYO)).toBe(true);
    expect(isQuiet(night, 'email', 'marketing', evening, NEW_YORK)).toBe(false);
    expect(decide(night, facts([], { timezone: NEW_YORK }), candidate({ dueAt: evening }), evening)).toEqual(SEND);
    // Tokyo: deferred to 09:00 JST on 06-06 = 06-06 00:00Z.
    expect(decide(night, facts([]), candidate({ dueAt: evening }), evening)).toEqual({
      kind: 'defer',
      until: new Date('2024-06-06T00:00:00Z'),
      rule: quietEmail,
    });
  });

  it('applies to the channel named and to marketing unless purposes say otherwise', () => {
    expect(isQuiet(night, 'line', 'marketing', evening, TOKYO)).toBe(false);
    expect(isQuiet(night, 'email', 'transactional', evening, TOKYO)).toBe(false);
    const allPurposes = rules({ quietHours: [{ ...NIGHT, purposes: ['marketing', 'transactional'] }] });
    expect(isQuiet(allPurposes, 'email', 'transactional', evening, TOKYO)).toBe(true);
  });

  it('keeps Sunday free of LINE: deferred to Monday 00:00 local, or to 09:00 when Monday starts quiet', () => {
    // 2024-06-09 is a Sunday; 12:00 JST = 03:00Z. Monday 00:00 JST = 06-09 15:00Z.
    const sunday = new Date('2024-06-09T03:00:00Z');
    const noSunday = rules({ quietHours: [{ channel: 'line', weekdays: ['sun'] }] });
    expect(decide(noSunday, facts([]), candidate({ channel: 'line', dueAt: sunday }), sunday)).toEqual({
      kind: 'defer',
      until: new Date('2024-06-09T15:00:00Z'),
      rule: { kind: 'quiet_hours', channel: 'line' },
    });
    // With the LINE night 21:00–09:00 too, Monday 00:00 is quiet; 09:00 JST Monday = 06-10 00:00Z.
    const noSundayNorNight = rules({
      quietHours: [
        { channel: 'line', weekdays: ['sun'] },
        { channel: 'line', from: '21:00', to: '09:00' },
      ],
    });
    expect(decide(noSundayNorNight, facts([]), candidate({ channel: 'line', dueAt: sunday }), sunday)).toEqual({
      kind: 'defer',
      until: new Date('2024-06-10T00:00:00Z'),
      rule: { kind: 'quiet_hours', channel: 'line' },
    });
  });

  it('waits for the later of a cap freeing up (22:00 local) and the end of the night (09:00)', () => {
    // Contact 06-04 13:00Z (22:00 JST); now 06-05 03:00Z (12:00 JST): the daily cap frees at
    // 06-05 13:00Z, 22:00 JST, which is quiet until 09:00 JST on 06-06 = 06-06 00:00Z. The rule
    // named is the one blocking now: the cap (12:00 is not quiet).
    const now = new Date('2024-06-05T03:00:00Z');
    const both = rules({ caps: [DAILY], quietHours: [NIGHT] });
    expect(decide(both, facts([contact('2024-06-04T13:00:00Z')]), candidate({ dueAt: now }), now)).toEqual({
      kind: 'defer',
      until: new Date('2024-06-06T00:00:00Z'),
      rule: dailyRule,
    });
  });

  it('reaches a quiet end inside the spring-forward gap at the first instant after it (New York, 2024-03-10)', () => {
    // At 02:00 EST (07:00Z) clocks jump to 03:00 EDT. Now 06:00Z = 01:00 EST, quiet under
    // 21:00–02:30; 02:30 does not exist that day, so the night ends at 07:00Z (03:00 EDT).
    const now = new Date('2024-03-10T06:00:00Z');
    const gap = rules({ quietHours: [{ channel: 'email', from: '21:00', to: '02:30' }] });
    expect(decide(gap, facts([], { timezone: NEW_YORK }), candidate({ dueAt: now }), now)).toEqual({
      kind: 'defer',
      until: new Date('2024-03-10T07:00:00Z'),
      rule: quietEmail,
    });
    // Under 21:00–09:00 the night ends at 09:00 EDT = 13:00Z (not 14:00Z as EST would give).
    expect(decide(rules({ quietHours: [NIGHT] }), facts([], { timezone: NEW_YORK }), candidate({ dueAt: now }), now)).toEqual({
      kind: 'defer',
      until: new Date('2024-03-10T13:00:00Z'),
      rule: quietEmail,
    });
  });

  it('follows the repeated hour when clocks fall back (New York, 2024-11-03)', () => {
    // At 02:00 EDT (06:00Z) clocks go back to 01:00 EST. Under 01:30–03:00, 01:45 EDT (05:45Z) is
    // quiet; at 06:00Z the local time is 01:00 EST, before "from" again: allowed at once.
    const fallBack = rules({ quietHours: [{ channel: 'email', from: '01:30', to: '03:00' }] });
    const now = new Date('2024-11-03T05:45:00Z');
    expect(decide(fallBack, facts([], { timezone: NEW_YORK }), candidate({ dueAt: now }), now)).toEqual({
      kind: 'defer',
      until: new Date('2024-11-03T06:00:00Z'),
      rule: quietEmail,
    });
    // Under 00:30–01:30, the night ends at 01:30 EDT (05:30Z) and comes back at 01:00 EST (06:00Z)
    // until 01:30 EST (06:30Z). A daily cap freed at 06:10Z (01:10 EST) must wait until 06:30Z.
    const early = rules({ caps: [DAILY], quietHours: [{ channel: 'email', from: '00:30', to: '01:30' }] });
    const quietNow = new Date('2024-11-03T04:45:00Z');
    expect(decide(early, facts([], { timezone: NEW_YORK }), candidate({ dueAt: quietNow }), quietNow)).toEqual({
      kind: 'defer',
      until: new Date('2024-11-03T05:30:00Z'),
      rule: quietEmail,
    });
    expect(decide(early, facts([contact('2024-11-02T06:10:00Z')], { timezone: NEW_YORK }), candidate({ dueAt: quietNow }), quietNow)).toEqual({
      kind: 'defer',
      until: new Date('2024-11-03T06:30:00Z'),
      rule: quietEmail,
    });
  });
});

describe('held back', () => {
  const both = rules({ caps: [DAILY], quietHours: [NIGHT] });
  const now = new Date('2024-06-05T03:00:00Z');
  const yesterdayEvening = () => [contact('2024-06-04T13:00:00Z')];

  it('skips with "deadline" when the first allowed instant is past dueAt + within', () => {
    // As above the first allowed instant is 06-06 00:00Z; the deadline is now + 12 h = 06-05 15:00Z.
    expect(decide(both, facts(yesterdayEvening()), candidate({ dueAt: now, whenHeld: { kind: 'defer', within: { hours: 12 } } }), now)).toEqual({
      kind: 'skip',
      rule: dailyRule,
      why: 'deadline',
    });
    // The deadline counts from dueAt: due 06-04 00:00Z + 2 days = 06-06 00:00Z, exactly reachable.
    expect(
      decide(both, facts(yesterdayEvening()), candidate({ dueAt: new Date('2024-06-04T00:00:00Z'), whenHeld: { kind: 'defer', within: { days: 2 } } }), now),
    ).toEqual({ kind: 'defer', until: new Date('2024-06-06T00:00:00Z'), rule: dailyRule });
    expect(earliestAllowed(both, facts(yesterdayEvening()), candidate(), now, new Date('2024-06-05T23:59:59Z'))).toBeNull();
  });

  it('skips with "step_skips" when the step says so', () => {
    expect(decide(both, facts(yesterdayEvening()), candidate({ whenHeld: { kind: 'skip' } }), now)).toEqual({
      kind: 'skip',
      rule: dailyRule,
      why: 'step_skips',
    });
  });
});

describe('suppression', () => {
  it('skips marketing during a complaint, whatever else; transactional goes', () => {
    const open = facts([], { complaintOpen: true });
    expect(decide(rules({}), open, candidate(), NOW)).toEqual({ kind: 'skip', rule: { kind: 'complaint' }, why: 'complaint' });
    expect(decide(rules({}), open, candidate({ purpose: 'transactional' }), NOW)).toEqual(SEND);
  });

  it('defers marketing to "do not contact until" within the deadline, skips beyond it', () => {
    // Until 06-07 01:00Z, 2 days after now; deadline now + 3 days.
    const until = new Date('2024-06-07T01:00:00Z');
    const rule = { kind: 'do_not_contact', until: '2024-06-07T01:00:00.000Z' } as const;
    expect(decide(rules({}), facts([], { doNotContactUntil: until }), candidate(), NOW)).toEqual({ kind: 'defer', until, rule });
    // Until 06-20: beyond 06-08 01:00Z.
    const far = new Date('2024-06-20T00:00:00Z');
    expect(decide(rules({}), facts([], { doNotContactUntil: far }), candidate(), NOW)).toEqual({
      kind: 'skip',
      rule: { kind: 'do_not_contact', until: far.toISOString() },
      why: 'deadline',
    });
    expect(decide(rules({}), facts([], { doNotContactUntil: far }), candidate({ purpose: 'transactional' }), NOW)).toEqual(SEND);
    // Past already: no effect.
    expect(decide(rules({}), facts([], { doNotContactUntil: NOW }), candidate(), NOW)).toEqual(SEND);
  });

  it('names do-not-contact before quiet hours, and quiet hours before caps', () => {
    // 22:00 JST, under do-not-contact, in the night and over the daily cap at once.
    const evening = new Date('2024-06-05T13:00:00Z');
    const all = rules({ caps: [DAILY], quietHours: [NIGHT] });
    const ledger = [contact('2024-06-05T12:00:00Z')];
    expect(blockingRule(all, facts(ledger, { doNotContactUntil: new Date('2024-06-06T00:00:00Z') }), candidate(), evening)?.kind).toBe('do_not_contact');
    expect(blockingRule(all, facts(ledger), candidate(), evening)).toEqual(quietEmail);
    expect(blockingRule(all, facts(ledger), candidate(), new Date('2024-06-05T11:00:00Z'))).toEqual(dailyRule);
  });
});

describe('displacement', () => {
  const daily = rules({ caps: [DAILY] });
  const important = candidate({ priority: 80 });

  it('displaces a scheduled lower-priority reservation in the way', () => {
    // A priority-20 reservation at 06-05 06:00Z shares a day with now (01:00Z): removing it frees now.
    const reserved = contact('2024-06-05T06:00:00Z', { state: 'scheduled', priority: 20 });
    expect(decide(daily, facts([reserved]), important, NOW)).toEqual({ kind: 'send', displaced: [reserved] });
  });

  it('never displaces a sent contact nor an equal priority', () => {
    // A sent priority-20 contact 1 h ago stays: deferred to 24 h after it.
    const sent = contact('2024-06-05T00:00:00Z', { state: 'sent', priority: 20 });
    expect(decide(daily, facts([sent]), important, NOW)).toEqual({ kind: 'defer', until: new Date('2024-06-06T00:00:00Z'), rule: dailyRule });
    // An equal-priority reservation at 06:00Z stays: deferred to 24 h after it.
    const equal = contact('2024-06-05T06:00:00Z', { state: 'scheduled', priority: 80 });
    expect(decide(daily, facts([equal]), important, NOW)).toEqual({ kind: 'defer', until: new Date('2024-06-06T06:00:00Z'), rule: dailyRule });
  });

  it('displaces nothing when quiet hours hold the message back too', () => {
    const night = rules({ caps: [DAILY], quietHours: [NIGHT] });
    const evening = new Date('2024-06-05T13:00:00Z');
    const reserved = contact('2024-06-05T14:00:00Z', { state: 'scheduled', priority: 20 });
    // 22:00 JST is quiet. At 09:00 JST (06-06 00:00Z) the reservation at 06-05 14:00Z still
    // shares a day; it frees at 06-06 14:00Z, 23:00 JST, quiet again: 09:00 JST on 06-07 = 06-07 00:00Z.
    expect(decide(night, facts([reserved]), candidate({ priority: 80, dueAt: evening }), evening)).toEqual({
      kind: 'defer',
      until: new Date('2024-06-07T00:00:00Z'),
      rule: quietEmail,
    });
  });

  it('displaces only what is needed: lowest priority first, then puts back what is not in the way', () => {
    // "At most 2 a day". Sent S at 00:00Z (1 h before now), reservations Y (priority 30) at 02:00Z
    // and X (priority 10) at 06-06 00:30Z. Spans containing now: [S, S + 1 d) holds S, Y, the
    // candidate (3); [now, now + 1 d) holds Y, X, the candidate (3). X goes first (lowest): [S, …)
    // still holds 3. Then Y: both spans hold 2, allowed. Putting X back ([now, …) holds X and
    // the candidate: 2) keeps now allowed, so only Y is displaced.
    const twoADay = rules({ caps: [{ ...DAILY, max: 2 }] });
    const sent = contact('2024-06-05T00:00:00Z');
    const y = contact('2024-06-05T02:00:00Z', { state: 'scheduled', priority: 30 });
    const x = contact('2024-06-06T00:30:00Z', { state: 'scheduled', priority: 10 });
    expect(decide(twoADay, facts([sent, y, x]), important, NOW)).toEqual({ kind: 'send', displaced: [y] });
  });

  it('displaces nothing when removing every eligible reservation would not free now', () => {
    // Sent contacts at 06-04 20:00Z and 06-05 00:00Z plus the candidate already fill the span
    // [06-04 20:00, 06-05 20:00) beyond 2; the reservation at 03:00Z cannot help. Deferred: at
    // 06-05 20:00Z the span [00:00, 06-06 00:00) still holds 00:00, 03:00 and the candidate; at
    // 06-06 00:00Z the fullest span, [03:00, 06-06 03:00), holds 03:00 and the candidate: 2.
    const twoADay = rules({ caps: [{ ...DAILY, max: 2 }] });
    const ledger = [contact('2024-06-04T20:00:00Z'), contact('2024-06-05T00:00:00Z'), contact('2024-06-05T03:00:00Z', { state: 'scheduled', priority: 10 })];
    expect(decide(twoADay, facts(ledger), important, NOW)).toEqual({ kind: 'defer', until: new Date('2024-06-06T00:00:00Z'), rule: dailyRule });
  });
});

describe('capApplies and the ledger', () => {
  it('matches channel, purpose (marketing when absent) and department', () => {
    const email = { channel: 'email', purpose: 'marketing', department: 'marketing' } as const;
    expect(capApplies(DAILY, email)).toBe(true);
    expect(capApplies(DAILY, { ...email, purpose: 'transactional' })).toBe(false);
    expect(capApplies({ ...DAILY, purposes: ['transactional'] }, { ...email, purpose: 'transactional' })).toBe(true);
    expect(capApplies({ ...DAILY, channels: ['line', 'sms'] }, email)).toBe(false);
    expect(capApplies({ ...DAILY, departments: ['sales'] }, email)).toBe(false);
  });

  it('does not depend on the order of the ledger', () => {
    // The same ledger shuffled gives the same decision.
    const ledger = [contact('2024-06-03T01:00:00Z'), contact('2024-06-01T01:00:00Z')];
    const within = candidate({ whenHeld: { kind: 'defer', within: { days: 5 } } });
    expect(decide(rules({ caps: [WEEKLY] }), facts(ledger), within, NOW)).toEqual(decide(rules({ caps: [WEEKLY] }), facts([...ledger].reverse()), within, NOW));
  });
});
