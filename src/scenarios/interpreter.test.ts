import { describe, expect, it } from 'vitest';
import type { Condition } from '../journey-map/model.ts';
import {
  addLocalDays,
  advance,
  type Advance,
  type EffectTimeline,
  type EnrollmentState,
  newEnrollment,
  nextLocalMoment,
  pickArm,
  type Wake,
} from './interpreter.ts';
import { ScenarioDocument, type StepOf } from './model.ts';

const TZ = 'Asia/Tokyo';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The seed's step-up after a trial, in four messages: at delivery, day 2, the first feeling (day 14), a week later. */
const STEP_UP = ScenarioDocument.parse({
  key: 'step_up',
  name: '引き上げ',
  purpose: 'marketing',
  department: 'marketing',
  priority: 50,
  channels: ['email'],
  trigger: { kind: 'order', products: ['TRIAL'] },
  reentry: { kind: 'once' },
  exitRules: [],
  start: 'how_to',
  steps: [
    { kind: 'send', id: 'how_to', channel: 'email', templateId: '1', next: 'two_days' },
    { kind: 'wait', id: 'two_days', duration: { days: 2 }, next: 'impressions' },
    { kind: 'send', id: 'impressions', channel: 'email', templateId: '2', next: 'effect' },
    { kind: 'wait_for_effect', id: 'effect', point: 'first_feeling', next: 'effect_mail' },
    { kind: 'send', id: 'effect_mail', channel: 'email', templateId: '3', next: 'later' },
    { kind: 'wait', id: 'later', duration: { days: 7 }, next: 'others' },
    { kind: 'send', id: 'others', channel: 'email', templateId: '4', next: null },
  ],
});

const delivered = new Date('2026-06-01T03:00:00Z'); // 12:00 in Tokyo
const trial: EffectTimeline = { sku: 'TRIAL', name: 'みのり青汁 お試し', deliveredAt: delivered, firstFeelingDays: 14, clearDays: 60 };

function context(now: Date, options: { holds?: (condition: Condition) => boolean; timeline?: EffectTimeline | null } = {}) {
  return {
    now,
    timezone: TZ,
    holds: options.holds ?? (() => false),
    effectTimeline: () => (options.timeline === undefined ? trial : options.timeline),
  };
}

/** Runs a scenario the way the runtime does: enter, then every scheduled wake-up when its moment comes. */
function simulate(document: ScenarioDocument, enteredAt: Date, until: Date, options: Parameters<typeof context>[1] = {}) {
  let state = newEnrollment('e1', enteredAt);
  const sends: Array<{ templateId: string; at: string; key: string; timing: unknown }> = [];
  let result: Advance = advance(document, state, { kind: 'enter' }, context(enteredAt, options));
  for (;;) {
    state = result.state;
    for (const effect of result.effects)
      if (effect.kind === 'send') sends.push({ templateId: effect.templateId, at: result.path[0]!.at, key: effect.key, timing: effect.timing });
    if (!result.schedule || Date.parse(result.schedule.at) > until.getTime()) break;
    const wake: Wake = { kind: 'due', stepId: result.schedule.stepId, visit: result.schedule.visit };
    result = advance(document, state, wake, context(new Date(result.schedule.at), options));
  }
  return { state, sends };
}

describe('the interpreter', () => {
  it('runs the step-up scenario on the product’s effect timeline: at delivery, day 2, the first feeling (day 14), a week later', () => {
    const { state, sends } = simulate(STEP_UP, delivered, new Date('2026-07-01T00:00:00Z'));
    expect(sends.map((send) => [send.templateId, send.at])).toEqual([
      ['1', '2026-06-01T03:00:00.000Z'],
      ['2', '2026-06-03T03:00:00.000Z'],
      ['3', '2026-06-15T03:00:00.000Z'],
      ['4', '2026-06-22T03:00:00.000Z'],
    ]);
    expect(state).toMatchObject({ status: 'completed', stepId: null });
    // Why now, as data: the effect message is timed by the first feeling, 14 days after the delivery.
    expect(sends[2]!.timing).toEqual({
      kind: 'effect',
      point: 'first_feeling',
      offsetDays: 0,
      sku: 'TRIAL',
      productName: 'みのり青汁 お試し',
      deliveredAt: delivered.toISOString(),
      days: 14,
    });
    expect(sends[1]!.timing).toEqual({ kind: 'after', minutes: 2 * 24 * 60, since: '2026-06-01T03:00:00.000Z' });
    expect(sends[0]!.timing).toEqual({ kind: 'trigger', at: delivered.toISOString() });
    // Every effect has its own deterministic key.
    expect(new Set(sends.map((send) => send.key)).size).toBe(4);
    expect(sends[0]!.key).toBe('send:e1:how_to:1');
  });

  it('stops where the clock is: advanced by 14 days, three messages are out and the fourth waits', () => {
    const { state, sends } = simulate(STEP_UP, delivered, new Date(delivered.getTime() + 14 * DAY));
    expect(sends.map((send) => send.templateId)).toEqual(['1', '2', '3']);
    expect(state).toMatchObject({ status: 'active', stepId: 'later' });
  });

  it('goes straight on when the effect point has already passed, and waits for the delivery when there is none yet', () => {
    const late = advance(
      STEP_UP,
      { ...newEnrollment('e2', delivered), stepId: 'effect', visit: 3 },
      { kind: 'recheck', stepId: 'effect', visit: 3 },
      context(new Date('2026-06-20T00:00:00Z')),
    );
    expect(late.effects.map((effect) => effect.kind === 'send' && effect.templateId)).toEqual(['3']);
    expect(late.schedule?.stepId).toBe('later');

    const enrolled = advance(STEP_UP, newEnrollment('e3', delivered), { kind: 'enter' }, context(delivered, { timeline: { ...trial, deliveredAt: null } }));
    const atEffect = advance(
      STEP_UP,
      enrolled.state,
      { kind: 'due', stepId: 'two_days', visit: 2 },
      context(new Date(delivered.getTime() + 2 * DAY), { timeline: { ...trial, deliveredAt: null } }),
    );
    expect(atEffect).toMatchObject({ waitingForDelivery: true, schedule: null });
    expect(atEffect.state.stepId).toBe('effect');
    // The delivery is recorded: the moment is computed from it, without a new visit.
    const recorded = advance(
      STEP_UP,
      atEffect.state,
      { kind: 'recheck', stepId: 'effect', visit: atEffect.state.visit },
      context(new Date(delivered.getTime() + 3 * DAY)),
    );
    expect(recorded.schedule).toEqual({ stepId: 'effect', visit: atEffect.state.visit, at: '2026-06-15T03:00:00.000Z' });
  });

  it('exits with a reason when the product has no effect timeline', () => {
    const result = advance(
      STEP_UP,
      { ...newEnrollment('e4', delivered), stepId: 'effect', visit: 3 },
      { kind: 'recheck', stepId: 'effect', visit: 3 },
      context(delivered, { timeline: { ...trial, firstFeelingDays: null } }),
    );
    expect(result.state).toMatchObject({ status: 'exited', exitReason: 'みのり青汁 お試し has no days to the first feeling' });
  });

  it('ignores a stale wake-up (another step or visit) and wakes nothing twice', () => {
    const entered = advance(STEP_UP, newEnrollment('e5', delivered), { kind: 'enter' }, context(delivered));
    const stale = advance(STEP_UP, entered.state, { kind: 'due', stepId: 'later', visit: 2 }, context(new Date(delivered.getTime() + 3 * DAY)));
    expect(stale).toMatchObject({ stale: true, effects: [] });
    const due = { kind: 'due' as const, stepId: 'two_days', visit: entered.state.visit };
    const first = advance(STEP_UP, entered.state, due, context(new Date(delivered.getTime() + 2 * DAY)));
    expect(first.effects).toHaveLength(1);
    // The same job again (a retry after the state was saved): stale.
    expect(advance(STEP_UP, first.state, due, context(new Date(delivered.getTime() + 2 * DAY))).stale).toBe(true);
    // Entering twice: stale.
    expect(advance(STEP_UP, entered.state, { kind: 'enter' }, context(delivered)).stale).toBe(true);
  });

  const WAIT_FOR_CLICK = ScenarioDocument.parse({
    ...STEP_UP,
    start: 'mail',
    steps: [
      { kind: 'send', id: 'mail', channel: 'email', templateId: '1', next: 'click' },
      { kind: 'wait_for_event', id: 'click', type: 'email_click', timeout: { days: 3 }, next: 'thanks', timeoutNext: 'ask' },
      { kind: 'branch', id: 'ask', condition: { fact: 'purchase_count', op: '>=', value: 2 }, thenNext: null, elseNext: 'call' },
      { kind: 'task', id: 'call', department: 'support', title: 'お電話でご様子を伺う', due: { days: 2 }, next: null },
      { kind: 'send', id: 'thanks', channel: 'email', templateId: '2', purpose: 'transactional', next: 'stop' },
      { kind: 'exit', id: 'stop' },
    ],
  });

  it('waits for an event with a timeout: two exits, and a branch on the journey rules', () => {
    const entered = advance(WAIT_FOR_CLICK, newEnrollment('e6', delivered), { kind: 'enter' }, context(delivered));
    expect(entered.waitFor).toEqual({ type: 'email_click', where: [], until: '2026-06-04T03:00:00.000Z' });
    const wake = { stepId: 'click', visit: entered.state.visit };

    const clicked = advance(WAIT_FOR_CLICK, entered.state, { kind: 'event', ref: 'evt-9', ...wake }, context(new Date(delivered.getTime() + DAY)));
    expect(clicked.effects).toMatchObject([
      { kind: 'send', templateId: '2', purpose: 'transactional', timing: { kind: 'event', type: 'email_click', ref: 'evt-9' } },
    ]);
    expect(clicked.state).toMatchObject({ status: 'exited', exitReason: 'exit step' });

    const timedOut = advance(WAIT_FOR_CLICK, entered.state, { kind: 'due', ...wake }, context(new Date(delivered.getTime() + 3 * DAY)));
    expect(timedOut.effects).toMatchObject([
      { kind: 'task', department: 'support', dueAt: '2026-06-06T03:00:00.000Z', timing: { kind: 'timeout', minutes: 3 * 24 * 60 } },
    ]);
    expect(timedOut.path.map((entry) => [entry.stepId, entry.outcome, entry.detail])).toEqual([
      ['click', 'passed', 'timeout'],
      ['ask', 'passed', 'else'],
      ['call', 'passed', undefined],
      ['call', 'completed', undefined],
    ]);
    const repeat = advance(WAIT_FOR_CLICK, entered.state, { kind: 'due', ...wake }, context(new Date(delivered.getTime() + 3 * DAY), { holds: () => true }));
    expect(repeat.effects).toEqual([]);
    expect(repeat.state.status).toBe('completed');
  });

  it('splits by weight, the same way for the same enrollment, close to the weights over many', () => {
    const split: StepOf<'split'> = {
      kind: 'split',
      id: 'ab',
      arms: [
        { weight: 1, next: null },
        { weight: 3, next: null },
      ],
    };
    expect(pickArm(split, 'e1:ab:1')).toBe(pickArm(split, 'e1:ab:1'));
    let second = 0;
    for (let i = 0; i < 20_000; i++) second += pickArm(split, `e${i}:ab:1`);
    // 75 % ± 4.4 standard deviations of a binomial(20,000, 0.75).
    expect(Math.abs(second / 20_000 - 0.75)).toBeLessThan(0.0135);
  });

  it('keys the effects of a loop anew on every visit', () => {
    const loop = ScenarioDocument.parse({
      ...STEP_UP,
      start: 'mail',
      steps: [
        { kind: 'send', id: 'mail', channel: 'email', templateId: '1', next: 'month' },
        { kind: 'wait', id: 'month', duration: { days: 30 }, next: 'mail' },
      ],
    });
    const { sends } = simulate(loop, delivered, new Date(delivered.getTime() + 95 * DAY));
    expect(sends.map((send) => send.key)).toEqual(['send:e1:mail:1', 'send:e1:mail:3', 'send:e1:mail:5', 'send:e1:mail:7']);
  });
});

describe('local times', () => {
  it('waits until a local time of day, on allowed weekdays only', () => {
    // Monday 2026-06-01 12:00 in Tokyo.
    const monday = new Date('2026-06-01T03:00:00Z');
    expect(nextLocalMoment(monday, TZ, '10:00', null).toISOString()).toBe('2026-06-02T01:00:00.000Z');
    expect(nextLocalMoment(monday, TZ, '18:30', null).toISOString()).toBe('2026-06-01T09:30:00.000Z');
    expect(nextLocalMoment(monday, TZ, '10:00', ['sat', 'sun']).toISOString()).toBe('2026-06-06T01:00:00.000Z');
    expect(nextLocalMoment(monday, TZ, null, ['mon'])).toEqual(monday);
    expect(nextLocalMoment(monday, TZ, null, ['wed']).toISOString()).toBe('2026-06-02T15:00:00.000Z');
    // Reached within the minute: now.
    expect(nextLocalMoment(new Date('2026-06-01T01:00:30Z'), TZ, '10:00', null).toISOString()).toBe('2026-06-01T01:00:30.000Z');
  });

  it('adds local days by the wall clock across a daylight-saving change', () => {
    // New York: 2026-03-08 02:00 the clocks go forward; noon stays noon.
    const noon = new Date('2026-03-07T17:00:00Z');
    expect(addLocalDays(noon, 2, 'America/New_York').toISOString()).toBe('2026-03-09T16:00:00.000Z');
    expect(addLocalDays(delivered, 14, TZ).toISOString()).toBe('2026-06-15T03:00:00.000Z');
  });
});

// A state the runtime would store is plain JSON.
const _stored: EnrollmentState = JSON.parse(JSON.stringify(newEnrollment('e', delivered)));
void _stored;
