import { describe, expect, it } from 'vitest';
import { durationMinutes, nextStepIds, ScenarioDocument, ScenarioStep, ScenarioTrigger } from './model.ts';
import { readStepUpExample } from './test-scenario.ts';

const messages = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
  (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('the scenario model', () => {
  it('parses the step-up example file as a ScenarioDocument', () => {
    const parsed = ScenarioDocument.safeParse(readStepUpExample());
    expect(parsed.success).toBe(true);
    expect(parsed.data?.steps.map((step) => step.kind)).toEqual([
      'wait_for_effect',
      'wait_until',
      'send',
      'wait_for_effect',
      'send',
      'wait_for_effect',
      'wait_until',
      'send',
      'wait',
      'send',
    ]);
  });

  it('parses every trigger kind', () => {
    const triggers = [
      { kind: 'cell_entered', stage: 'trial' },
      { kind: 'cell_left', level: 'trust' },
      { kind: 'event', type: 'support_contact', where: [{ property: 'topic', op: '=', value: 'complaint' }] },
      { kind: 'order', categories: ['青汁'] },
      { kind: 'subscription', change: 'delivery', delivery: 3 },
      { kind: 'date_attribute', attribute: 'birthday', offsetDays: -7, recurrence: 'yearly', at: '10:00' },
      { kind: 'subscription_anniversary', offsetDays: 0 },
      { kind: 'audience', audience: { fact: 'subscription_status', in: ['active'] }, schedule: { kind: 'monthly', dayOfMonth: 1, at: '09:00' } },
      { kind: 'audience', audience: { fact: 'purchase_count', op: '>=', value: 1 }, schedule: { kind: 'once', at: '2026-07-01T09:00:00+09:00' } },
    ];
    for (const trigger of triggers) expect(ScenarioTrigger.safeParse(trigger).success, JSON.stringify(trigger)).toBe(true);
  });

  it('refuses wrong steps with the path and a reason', () => {
    expect(messages(ScenarioStep.safeParse({ kind: 'wait', id: 'w', duration: {}, next: null }))).toEqual([
      'duration: a duration is more than zero: give days, hours or minutes',
    ]);
    expect(messages(ScenarioStep.safeParse({ kind: 'wait', id: 'w', duration: { days: 400, minutes: 1 }, next: null }))).toEqual([
      'duration: a duration is at most 400 days (days, hours and minutes added together)',
    ]);
    expect(messages(ScenarioStep.safeParse({ kind: 'wait_until', id: 'w', next: null }))).toEqual([
      ': wait_until names a time ("time": "10:00") and/or "weekdays"',
    ]);
    expect(messages(ScenarioStep.safeParse({ kind: 'wait_until', id: 'w', time: '25:00', next: null }))).toEqual([
      'time: a time of day is HH:MM (24 h), e.g. 09:30',
    ]);
    expect(messages(ScenarioStep.safeParse({ kind: 'send', id: 'Bad-Id', channel: 'email', templateId: 'abc', next: null }))).toEqual([
      'id: a step id is lower-case letters, digits and _ (start with a letter, at most 40), e.g. how_to_drink',
      'templateId: a template id is the number the template list shows, e.g. "12"',
    ]);
    expect(
      messages(
        ScenarioStep.safeParse({
          kind: 'split',
          id: 's',
          arms: [
            { weight: 0, next: null },
            { weight: 1, next: null },
          ],
        }),
      ),
    ).toEqual(['arms.0.weight: a weight is a whole number of at least 1']);
    expect(messages(ScenarioStep.safeParse({ kind: 'exit', id: 'e', next: null }))).toEqual([': Unrecognized key: "next"']);
  });

  it('counts a duration in minutes and lists the exits of each step', () => {
    expect(durationMinutes({ days: 1, hours: 2, minutes: 3 })).toBe(24 * 60 + 123);
    expect(nextStepIds({ kind: 'branch', id: 'b', condition: { fact: 'purchase_count', op: '>=', value: 2 }, thenNext: 'a', elseNext: null })).toEqual([
      'a',
      null,
    ]);
    expect(nextStepIds({ kind: 'wait_for_event', id: 'w', type: 'email_click', timeout: { days: 3 }, next: 'a', timeoutNext: 'b' })).toEqual(['a', 'b']);
    expect(
      nextStepIds({
        kind: 'split',
        id: 's',
        arms: [
          { weight: 1, next: 'a' },
          { weight: 3, next: 'b' },
        ],
      }),
    ).toEqual(['a', 'b']);
    expect(nextStepIds({ kind: 'exit', id: 'e' })).toEqual([]);
  });
});
