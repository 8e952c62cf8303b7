import { describe, expect, it } from 'vitest';
import { checkScenarioDocument } from './check-scenario.ts';
import type { ScenarioDocument, ScenarioStep } from './model.ts';
import { demoContext, stepUpExample } from './test-scenario.ts';

const context = demoContext();

/** The example with changes applied. */
function variant(change: (document: ScenarioDocument) => void): ScenarioDocument {
  const document = structuredClone(stepUpExample());
  change(document);
  return document;
}

const problemsOf = (input: unknown, ctx = context) => checkScenarioDocument(input, ctx).problems.map((p) => `${p.severity} ${p.path}: ${p.message}`);

/** A small valid scenario to build graphs on. */
function graph(steps: ScenarioStep[], start = steps[0]!.id): ScenarioDocument {
  return { ...stepUpExample(), start, steps };
}
const send = (id: string, next: string | null): ScenarioStep => ({ kind: 'send', id, channel: 'email', templateId: '1', next });

describe('the scenario checker', () => {
  it('finds nothing wrong with the step-up example against the demo catalogue, map and templates', () => {
    const checked = checkScenarioDocument(stepUpExample(), context);
    expect(checked.problems).toEqual([]);
    expect(checked.lookups.eventTypes.map((named) => named.type)).toEqual(['support_contact']);
  });

  it('reports a document that is not an object, and every missing field', () => {
    expect(problemsOf([])).toEqual([
      'error (the scenario): a scenario is a JSON object: {"key": …, "name": …, "trigger": {…}, "steps": […], …} (docs/scenarios.md)',
    ]);
    expect(problemsOf({})).toContain('error trigger: expected an object: {"kind": "order", "products": […]} or another trigger (docs/scenarios.md)');
    expect(problemsOf({})).toContain('error steps: missing: expected a list');
  });

  it('reports duplicate ids, a start and a next naming no step, with their paths', () => {
    const problems = problemsOf(graph([send('a', 'b'), send('a', 'nowhere'), send('b', null)], 'zz'));
    expect(problems).toEqual([
      'error steps[1].id: the step id "a" is already used by steps[0]; ids must be unique',
      'error start: "start" names no step: there is no step "zz"',
      'error steps[1].next: names no step: there is no step "nowhere"',
    ]);
  });

  it('reports unreachable steps', () => {
    expect(problemsOf(graph([send('a', null), send('b', 'c'), send('c', null)]))).toEqual([
      'error steps[1]: step "b" is unreachable: no path from the start step "a" leads to it',
      'error steps[2]: step "c" is unreachable: no path from the start step "a" leads to it',
    ]);
  });

  it('refuses a loop with no wait in it, and accepts one through a wait', () => {
    const spinning: ScenarioStep[] = [
      send('a', 'b'),
      { kind: 'branch', id: 'b', condition: { fact: 'purchase_count', op: '>=', value: 2 }, thenNext: null, elseNext: 'c' },
      { kind: 'wait_until', id: 'c', weekdays: ['mon'], next: 'a' },
    ];
    expect(problemsOf(graph(spinning))).toEqual([
      'error steps[0]: the steps "a", "b", "c" form a loop with no wait in it (wait, wait_until with a time, or wait_for_event); a customer would go round it without end',
    ]);
    expect(problemsOf(graph([{ kind: 'update_attribute', id: 'a', name: 'n', value: 1, next: 'a' }]))[0]).toMatch(
      /^error steps\[0\]: the steps "a" form a loop/,
    );
    const waiting = [...spinning.slice(0, 2), { kind: 'wait', id: 'c', duration: { days: 7 }, next: 'a' } as ScenarioStep];
    expect(problemsOf(graph(waiting))).toEqual([]);
  });

  it('reports unknown cell keys against the active map, and cell triggers when there is no map', () => {
    const cell = variant((d) => {
      d.trigger = { kind: 'cell_entered', stage: 'trail', level: 'trust' };
      d.steps = d.steps.map((step) => (step.kind === 'wait_for_effect' ? { ...step, product: 'MNR-AOJ-TRIAL14' } : step));
      d.exitRules = [{ kind: 'left_cell' }, { kind: 'left_cell', level: 'likeing' }];
    });
    expect(problemsOf(cell)).toEqual([
      'error trigger.stage: unknown stage "trail"; the active map\'s stages are: awareness, trial, felt, subscription, habit',
      'error exitRules[1].level: unknown level "likeing"; the active map\'s levels are: indifferent, interested, trust, liking, fan',
    ]);
    expect(problemsOf(cell, { ...context, map: null })).toContain(
      'error trigger: the workspace has no active journey map, so no customer enters or leaves a cell; activate a map first (kizuna journey set)',
    );
  });

  it('refuses "left_cell" without keys when the trigger is not a cell entry', () => {
    expect(problemsOf(variant((d) => d.exitRules.push({ kind: 'left_cell' })))).toEqual([
      'error exitRules[2]: "left_cell" without a stage or level means "left the cell of the trigger", but the trigger is "order", not "cell_entered"; name the "stage" and/or "level"',
    ]);
  });

  it('reports unknown SKUs, categories and facts in triggers, exit rules and branches', () => {
    const problems = problemsOf(
      variant((d) => {
        d.trigger = { kind: 'order', products: ['MNR-NOPE'], categories: ['お茶'] };
        d.exitRules[0] = { kind: 'condition', condition: { all: [{ fact: 'bought', products: ['MNR-GONE'] }, { fact: 'mood' } as never] } };
      }),
    );
    expect(problems).toEqual([
      'error trigger.products[0]: unknown product SKU "MNR-NOPE": this workspace has no such product',
      'error trigger.categories[0]: unknown category "お茶": no product of this workspace is in it',
      'error exitRules[0].condition.all[0].products[0]: unknown product SKU "MNR-GONE": this workspace has no such product',
      expect.stringMatching(/^error exitRules\[0\]\.condition\.all\[1\]\.fact: unknown fact "mood"; facts are: lifecycle, /),
    ]);
    expect(problemsOf(variant((d) => (d.trigger = { kind: 'order' })))).toEqual([
      'error trigger: name the products ("products": SKUs) and/or "categories" of the order',
    ]);
  });

  it('bounds a condition as the map does', () => {
    let deep: unknown = { fact: 'purchase_count', op: '>=', value: 1 };
    for (let i = 0; i < 20; i++) deep = { not: deep };
    expect(problemsOf(variant((d) => (d.exitRules[0] = { kind: 'condition', condition: deep as never })))).toEqual([
      'error exitRules[0].condition: a condition holds at most 200 conditions nested at most 12 deep (this one: 13 conditions, 13 deep)',
    ]);
  });

  it('collects event types and attributes for the workspace lookup, and checks event filters', () => {
    const checked = checkScenarioDocument(
      variant((d) => {
        d.trigger = { kind: 'date_attribute', attribute: 'birthday', offsetDays: 0, recurrence: 'yearly' };
        d.steps = d.steps.map((step) => (step.kind === 'wait_for_effect' ? { ...step, product: 'MNR-AOJ-TRIAL14' } : step));
        d.steps[8] = {
          kind: 'wait_for_event',
          id: 'later',
          type: 'email_click',
          where: [{ property: 'link', op: '=', value: ['a', 'b'] }],
          timeout: { days: 16 },
          next: 'others_notice',
          timeoutNext: null,
        };
      }),
      context,
    );
    expect(checked.problems.map((p) => `${p.path}: ${p.message}`)).toEqual(['steps[8].where[0].value: a list of values goes with op "in", not "="']);
    expect(checked.lookups.attributes.map((a) => [a.path.join('.'), a.name])).toEqual([['trigger.attribute', 'birthday']]);
    expect(checked.lookups.eventTypes.map((e) => [e.path.join('.'), e.type])).toEqual([
      ['exitRules.1.condition.type', 'support_contact'],
      ['steps.8.type', 'email_click'],
    ]);
  });

  it('checks a send: the template exists, is published, is email; another department is a warning', () => {
    const problems = problemsOf(
      variant((d) => {
        const sends = d.steps.filter((step) => step.kind === 'send');
        sends[0]!.templateId = '99';
        sends[1]!.templateId = '5';
        sends[2]!.templateId = '6';
        sends[3]!.templateId = '7';
      }),
    );
    expect(problems).toEqual([
      'error steps[2].templateId: no template with id 99 in this workspace (kizuna charter template list shows the ids)',
      'error steps[4].templateId: template 5 「テンプレート5」 is not published; publish it first (its check against the charter must pass)',
      'error steps[7].templateId: template 6 「テンプレート6」 is a line template; this step sends an email',
      'warning steps[9].templateId: template 7 「テンプレート7」 belongs to the support department; this scenario is owned by marketing',
    ]);
  });

  it('checks effect timelines: the trigger order selects products with the point, or the step names one', () => {
    expect(problemsOf(variant((d) => (d.trigger = { kind: 'order', categories: ['青汁', 'グッズ'] })))).toEqual([
      'error steps[3].point: the trigger\'s order selects a product without effect_first_feeling_days (MNR-GOODS-SHAKER), so "point": "first_feeling" has no date for it; narrow the trigger or name "product"',
      'error steps[5].point: the trigger\'s order selects a product without effect_clear_days (MNR-GOODS-SHAKER), so "point": "clear" has no date for it; narrow the trigger or name "product"',
    ]);
    const named = problemsOf(variant((d) => ((d.steps[5] as { product?: string }).product = 'MNR-GIFT-SET')));
    expect(named).toEqual([
      'error steps[5].point: product "MNR-GIFT-SET" has no effect_clear_days (its effect timeline lacks this point), so "point": "clear" has no date',
    ]);
    const notOrder = problemsOf(variant((d) => (d.trigger = { kind: 'subscription', change: 'started' })));
    expect(notOrder[0]).toBe(
      'error steps[0]: a wait_for_effect without "product" reads the trigger order\'s product, but this scenario\'s trigger is "subscription", not an order; name the product ("product": SKU)',
    );
  });

  it("reports durations out of range, split weights, unknown step kinds and fields, with the step kind's fields", () => {
    const problems = problemsOf(
      variant((d) => {
        d.steps[8] = { kind: 'wait', id: 'later', duration: { days: 0 }, next: 'others_notice' };
        (d.steps as unknown[]).push(
          { kind: 'task', id: 't', department: 'support', title: '電話', due: { days: 401 }, next: null },
          {
            kind: 'split',
            id: 's',
            arms: [
              { weight: -1, next: null },
              { weight: 2, next: null },
            ],
          },
          { kind: 'teleport', id: 'x' },
          { kind: 'exit', id: 'e', next: null },
        );
      }),
    );
    expect(problems).toEqual([
      'error steps[8].duration: a duration is more than zero: give days, hours or minutes',
      'error steps[10].due: a duration is at most 400 days (days, hours and minutes added together)',
      'error steps[11].arms[0].weight: must be at least 1',
      'error steps[12].kind: unknown step kind "teleport"; kinds are: wait, wait_until, wait_for_effect, wait_for_event, branch, split, send, task, update_attribute, exit',
      'error steps[13]: unknown field "next"; a step of kind "exit" has: kind, id, name',
    ]);
  });

  it('bounds the number of steps without checking each of a huge list', () => {
    const many = variant((d) => {
      d.steps = Array.from({ length: 5000 }, (_, i) => send(`s${i}`, null));
    });
    expect(problemsOf(many)).toEqual(['error steps: has more than 200 items (at most 200)']);
  });

  it('refuses a delivery number on another subscription change', () => {
    expect(problemsOf(variant((d) => (d.trigger = { kind: 'subscription', change: 'skipped', delivery: 2, products: ['MNR-AOJ-SUB30'] })))).toContain(
      'error trigger.delivery: "delivery" (the k-th delivery) goes with "change": "delivery", not "skipped"',
    );
  });
});
