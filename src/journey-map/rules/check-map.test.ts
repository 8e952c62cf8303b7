import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../../test/support/database.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import type { Condition } from '../model.ts';
import { checkJourneyMap } from './check-map.ts';

const database = connectTestDatabase();
let workspace: Workspace;
let emptyWorkspace: Workspace;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  emptyWorkspace = await freshWorkspace(database);
  const id = workspace.id;
  await database.pool.query(
    `insert into products (workspace_id, sku, name, category, effect_first_feeling_days, effect_clear_days) values
       ($1, 'AOJIRU-30', '青汁 30包', 'aojiru', 14, 60),
       ($1, 'AOJIRU-90', '青汁 90包', 'aojiru', null, 90),
       ($1, 'CUP', 'シェイカー', 'goods', null, null)`,
    [id],
  );
  const { rows } = await database.pool.query<{ id: string }>(
    `insert into customers (workspace_id, external_id, attributes) values ($1, 'C1', '{"plan": "gold"}'), ($1, 'C2', '{}') returning id`,
    [id],
  );
  await database.pool.query(
    `insert into events (workspace_id, customer_id, type, occurred_at, properties, idempotency_key)
     values ($1, $2, 'webinar_joined', now(), '{}', 'k1')`,
    [id, rows[0]!.id],
  );
});
afterAll(() => database.close());

const stages = (...rules: Condition[]) => [{ key: 'aware', name: '認知' }, ...rules.map((rule, i) => ({ key: `s${i + 1}`, name: `S${i + 1}`, rule }))];
const baseMap = {
  name: 'みのり',
  goal: '日常化',
  stages: stages({ fact: 'purchase_count', op: '>=', value: 1 }),
  levels: [
    { key: 'cold', name: '無関心' },
    { key: 'warm', name: '関心', rule: { fact: 'events', type: 'page_view', withinDays: 30 } },
  ],
  cells: [{ stage: 's1', level: 'warm', measures: [{ name: '同梱物', department: 'marketing', solution: '同梱物', status: 'in_use' }] }],
};

async function problemsOf(input: unknown, ws: Workspace = workspace) {
  const result = await checkJourneyMap({ pool: database.pool, workspaceId: ws.id, input });
  return result.ok ? [] : result.problems;
}

/** The problems of the base map with stage 1's rule replaced. */
const problemsOfRule = (rule: unknown, ws?: Workspace) => problemsOf({ ...baseMap, stages: [baseMap.stages[0], { key: 's1', name: 'S1', rule }] }, ws);

describe('checkJourneyMap', () => {
  it('accepts a valid map using every fact kind', async () => {
    const rule: Condition = {
      all: [
        { fact: 'lifecycle', in: ['customer'] },
        { fact: 'purchase_count', op: '>=', value: 2 },
        { fact: 'bought', categories: ['aojiru'] },
        { fact: 'days_since_delivered', products: ['AOJIRU-30'], which: 'first', op: '>=', value: { effect: 'first_feeling', offsetDays: 3 } },
        {
          any: [
            { fact: 'subscription_status', in: ['active'] },
            { fact: 'rfm_segment', in: ['loyal'] },
          ],
        },
        { not: { fact: 'events', type: 'support_contact', where: [{ property: 'topic', op: 'in', value: ['complaint', 'return'] }], withinDays: 90 } },
        { fact: 'events', type: 'webinar_joined', withinDays: 365, op: '>=', value: 1 },
        { fact: 'p_alive', op: '>', value: 0.5 },
        { fact: 'attribute', name: 'plan', op: '=', value: 'gold' },
      ],
    };
    const input = { ...baseMap, stages: stages(rule) };
    const result = await checkJourneyMap({ pool: database.pool, workspaceId: workspace.id, input });
    expect(result).toEqual({ ok: true, map: input });
  });

  it('refuses shape errors with the path and a useful message', async () => {
    expect(await problemsOf({ ...baseMap, name: '' })).toEqual([{ path: 'name', message: 'must not be empty' }]);
    expect(await problemsOf({ ...baseMap, stages: [{ key: 'Aware', name: '認知' }] })).toEqual([
      { path: 'stages[0].key', message: expect.stringContaining('a key is lower-case letters') },
      { path: 'cells[0].stage', message: 'unknown stage "s1"; the stages are: Aware' },
    ]);
    const thirteen = Array.from({ length: 13 }, (_, i) => ({
      key: `s${i}`,
      name: `S${i}`,
      ...(i > 0 ? { rule: { fact: 'purchase_count', op: '>=', value: i } } : {}),
    }));
    expect(await problemsOf({ ...baseMap, stages: thirteen })).toContainEqual({ path: 'stages', message: 'has more than 12 items (at most 12)' });
    expect(
      await problemsOf({ ...baseMap, cells: [{ stage: 's1', level: 'warm', measures: [{ name: 'x', department: 'marketing', status: 'in_use' }] }] }),
    ).toEqual([{ path: 'cells[0].measures[0]', message: expect.stringContaining('a measure names a channel') }]);
  });

  it('explains an unknown fact, a missing op or value, and a wrong field by the fact’s own schema', async () => {
    expect(
      await problemsOfRule({
        all: [
          { fact: 'purchase_count', op: '>=', value: 1 },
          { fact: 'foo', op: '>', value: 1 },
        ],
      }),
    ).toEqual([
      { path: 'stages[1].rule.all[1].fact', message: expect.stringMatching(/^unknown fact "foo"; facts are: lifecycle, purchase_count, .*attribute$/) },
    ]);
    expect(await problemsOfRule({ fact: 'purchase_count', value: 1 })).toEqual([
      { path: 'stages[1].rule.op', message: expect.stringContaining('missing: expected one of') },
    ]);
    expect(await problemsOfRule({ fact: 'total_spend', op: '>=' })).toEqual([{ path: 'stages[1].rule.value', message: 'missing: expected a number' }]);
    expect(await problemsOfRule({ fact: 'purchase_count', op: '>=', value: 1, products: ['CUP'] })).toEqual([
      { path: 'stages[1].rule', message: 'unknown field "products"; a "purchase_count" condition has: fact, op, value' },
    ]);
    expect(await problemsOfRule({ fact: 'days_since_delivered', products: ['AOJIRU-30'], op: '>=', value: 'soon' })).toEqual([
      { path: 'stages[1].rule.value', message: expect.stringContaining('expected a number of days, or an effect point') },
    ]);
    expect(await problemsOfRule({ fact: 'rfm_segment', in: ['champions'] })).toEqual([
      { path: 'stages[1].rule.in[0]', message: expect.stringContaining('"champions" is not allowed here') },
    ]);
    expect(await problemsOfRule({ any: [] })).toEqual([{ path: 'stages[1].rule.any', message: '"any" needs at least one condition' }]);
    expect(await problemsOfRule({ not: { purchase_count: 1 } })).toEqual([
      { path: 'stages[1].rule.not', message: expect.stringContaining('a condition names a fact') },
    ]);
  });

  it('refuses duplicate stage and level keys', async () => {
    const problems = await problemsOf({
      ...baseMap,
      stages: [...baseMap.stages, { key: 's1', name: 'again', rule: { fact: 'purchase_count', op: '>=', value: 2 } }],
      levels: [...baseMap.levels, { key: 'cold', name: 'again', rule: { fact: 'p_alive', op: '<', value: 0.2 } }],
    });
    expect(problems).toEqual([
      { path: 'stages[2].key', message: 'the stage key "s1" is already used by stages[1]; keys must be unique' },
      { path: 'levels[2].key', message: 'the level key "cold" is already used by levels[0]; keys must be unique' },
    ]);
  });

  it('refuses a rule on the first stage or lowest level, and a missing rule elsewhere', async () => {
    const problems = await problemsOf({
      ...baseMap,
      stages: [
        { key: 'aware', name: '認知', rule: { fact: 'purchase_count', op: '>=', value: 0 } },
        { key: 's1', name: 'S1' },
      ],
      levels: [{ key: 'cold', name: '無関心', rule: { fact: 'p_alive', op: '>', value: 0 } }, baseMap.levels[1]],
    });
    expect(problems).toEqual([
      { path: 'stages[0].rule', message: expect.stringContaining('the first stage holds anyone') },
      { path: 'stages[1]', message: expect.stringContaining('every stage after the first stage needs a rule') },
      { path: 'levels[0].rule', message: expect.stringContaining('the lowest level holds anyone') },
    ]);
  });

  it('refuses cells naming an unknown stage or level, two cells for one stage × level, and measures with noContact', async () => {
    const problems = await problemsOf({
      ...baseMap,
      cells: [
        { stage: 's1', level: 'warm', noContact: { reason: '休眠' } },
        { stage: 's9', level: 'hot' },
        { stage: 's1', level: 'warm' },
        { stage: 'aware', level: 'cold', noContact: { reason: 'x' }, measures: [{ name: 'DM', department: 'sales', channel: 'print', status: 'planned' }] },
      ],
    });
    expect(problems).toEqual([
      { path: 'cells[1].stage', message: 'unknown stage "s9"; the stages are: aware, s1' },
      { path: 'cells[1].level', message: 'unknown level "hot"; the levels are: cold, warm' },
      { path: 'cells[2]', message: 'a second cell for stage "s1" × level "warm" (the first is cells[0]); merge them' },
      { path: 'cells[3]', message: 'a cell carries measures or a decision not to contact (noContact), not both' },
    ]);
  });

  it('refuses unknown SKUs and categories, and an empty selection', async () => {
    expect(
      await problemsOfRule({
        all: [
          { fact: 'purchase_count', op: '>', value: 0 },
          { fact: 'bought', products: ['CUP', 'NOPE'], categories: ['aojiru', 'tea'] },
        ],
      }),
    ).toEqual([
      { path: 'stages[1].rule.all[1].products[1]', message: 'unknown product SKU "NOPE": this workspace has no such product' },
      { path: 'stages[1].rule.all[1].categories[1]', message: 'unknown category "tea": no product of this workspace is in it' },
    ]);
    expect(await problemsOfRule({ fact: 'bought', products: [] })).toEqual([
      { path: 'stages[1].rule', message: 'name the products ("products": SKUs) or "categories" this condition is about' },
    ]);
  });

  it('refuses an effect point on a selection that is not one product, or whose product lacks that point', async () => {
    expect(await problemsOfRule({ fact: 'days_since_delivered', categories: ['aojiru'], op: '>=', value: { effect: 'clear' } })).toEqual([
      { path: 'stages[1].rule.value', message: expect.stringContaining('the selection must be exactly one product; it selects 2') },
    ]);
    expect(await problemsOfRule({ fact: 'days_since_delivered', products: ['AOJIRU-90'], op: '>=', value: { effect: 'first_feeling' } })).toEqual([
      {
        path: 'stages[1].rule.value',
        message: 'product "AOJIRU-90" has no effect_first_feeling_days (its effect timeline lacks this point), so "effect": "first_feeling" has no value',
      },
    ]);
    expect(await problemsOfRule({ fact: 'days_since_delivered', products: ['AOJIRU-90'], op: '>=', value: { effect: 'clear', offsetDays: -7 } })).toEqual([]);
  });

  it('refuses an event type neither standard nor recorded, and an attribute no customer has', async () => {
    expect(
      await problemsOfRule({
        any: [
          { fact: 'events', type: 'webinar_joined', withinDays: 7 },
          { fact: 'events', type: 'webinar_left', withinDays: 7 },
        ],
      }),
    ).toEqual([
      {
        path: 'stages[1].rule.any[1].type',
        message: expect.stringMatching(/^unknown event type "webinar_left": not a standard type \(page_view, .*\) and no event/),
      },
    ]);
    expect(await problemsOfRule({ not: { fact: 'attribute', name: 'rank' } })).toEqual([
      { path: 'stages[1].rule.not.name', message: 'no customer of this workspace has the attribute "rank"' },
    ]);
    // A workspace without customers cannot know its attributes yet; standard event types are always known.
    expect(
      await problemsOfRule(
        {
          all: [
            { fact: 'attribute', name: 'rank' },
            { fact: 'events', type: 'email_click', withinDays: 7 },
          ],
        },
        emptyWorkspace,
      ),
    ).toEqual([]);
  });

  it('refuses an op without a value, a value without an op, and a list without "in"', async () => {
    expect(
      await problemsOfRule({
        all: [
          { fact: 'bought', products: ['CUP'], op: '>=' },
          { fact: 'events', type: 'page_view', withinDays: 7, value: 2 },
          { fact: 'attribute', name: 'plan', op: '=' },
          { fact: 'attribute', name: 'plan', op: 'exists', value: true },
          { fact: 'attribute', name: 'plan', value: 'gold' },
          { fact: 'attribute', name: 'plan', op: '=', value: ['gold', 'silver'] },
          { fact: 'events', type: 'survey_answer', where: [{ property: 'score', op: '>=', value: [9, 10] }], withinDays: 7 },
        ],
      }),
    ).toEqual([
      { path: 'stages[1].rule.all[0].op', message: expect.stringContaining('op ">=" needs a value') },
      { path: 'stages[1].rule.all[1].value', message: expect.stringContaining('a value needs an op') },
      { path: 'stages[1].rule.all[2].op', message: 'op "=" needs a value' },
      { path: 'stages[1].rule.all[3].value', message: 'op "exists" takes no value' },
      { path: 'stages[1].rule.all[4].value', message: expect.stringContaining('a value needs an op') },
      { path: 'stages[1].rule.all[5].value', message: 'a list of values goes with op "in", not "="' },
      { path: 'stages[1].rule.all[6].where[0].value', message: 'a list of values goes with op "in", not ">="' },
    ]);
  });

  it('refuses conditions that can never hold, alone or together in an all', async () => {
    const never = async (rule: Condition) => (await problemsOfRule(rule)).map((p) => `${p.path}: ${p.message}`);
    expect(await never({ fact: 'purchase_count', op: '<', value: 0 })).toEqual([
      'stages[1].rule: purchase_count < 0 can never hold: purchase_count is a count: a whole number, never below 0',
    ]);
    expect(await never({ fact: 'purchase_count', op: '<=', value: -1 })).toHaveLength(1);
    expect(await never({ fact: 'purchase_count', op: '=', value: 1.5 })).toHaveLength(1);
    expect(await never({ fact: 'total_spend', op: '<', value: 0 })).toHaveLength(1);
    expect(await never({ fact: 'days_since_last_purchase', op: '<=', value: -1 })).toHaveLength(1);
    expect(await never({ fact: 'p_alive', op: '>', value: 1 })).toEqual([
      'stages[1].rule: p_alive > 1 can never hold: p_alive is a probability, between 0 and 1',
    ]);
    expect(await never({ fact: 'p_alive', op: '<', value: 0 })).toHaveLength(1);
    expect(await never({ fact: 'bought', products: ['CUP'], op: '<', value: 0 })).toHaveLength(1);
    expect(await never({ fact: 'events', type: 'page_view', withinDays: 7, op: '<=', value: -1 })).toHaveLength(1);
    // 14 − 20 = −6 days after delivery: never.
    expect(await never({ fact: 'days_since_delivered', products: ['AOJIRU-30'], op: '<', value: { effect: 'first_feeling', offsetDays: -14 } })).toHaveLength(
      1,
    );
    // Boundaries that can hold.
    expect(await never({ fact: 'purchase_count', op: '<=', value: 0 })).toEqual([]);
    expect(await never({ fact: 'p_alive', op: '>=', value: 1 })).toEqual([]);
    expect(await never({ fact: 'p_alive', op: '<=', value: 0 })).toEqual([]);
    expect(await never({ fact: 'total_spend', op: '<', value: 0.5 })).toEqual([]);

    expect(
      await never({
        all: [
          { fact: 'purchase_count', op: '>=', value: 5 },
          { fact: 'p_alive', op: '>', value: 0.5 },
          { fact: 'purchase_count', op: '<=', value: 2 },
        ],
      }),
    ).toEqual(['stages[1].rule.all: these conditions can never all hold: purchase_count >= 5 ([0]) and purchase_count <= 2 ([2])']);
    // Whole numbers: more than 2 and fewer than 3 purchases cannot be; spend can.
    expect(
      await never({
        all: [
          { fact: 'purchase_count', op: '>', value: 2 },
          { fact: 'purchase_count', op: '<', value: 3 },
        ],
      }),
    ).toHaveLength(1);
    expect(
      await never({
        all: [
          { fact: 'total_spend', op: '>', value: 2 },
          { fact: 'total_spend', op: '<', value: 3 },
        ],
      }),
    ).toEqual([]);
    // Different selections are different facts; in an `any` the members need not hold together.
    expect(
      await never({
        all: [
          { fact: 'bought', products: ['CUP'], op: '>=', value: 2 },
          { fact: 'bought', categories: ['aojiru'], op: '=', value: 0 },
        ],
      }),
    ).toEqual([]);
    expect(
      await never({
        any: [
          { fact: 'purchase_count', op: '>=', value: 5 },
          { fact: 'purchase_count', op: '<=', value: 2 },
        ],
      }),
    ).toEqual([]);
  });

  it('reports several problems together, in map order', async () => {
    const problems = await problemsOf({
      name: 'x',
      goal: '',
      stages: [
        { key: 'aware', name: '認知', rule: { fact: 'lifecycle', in: ['lead'] } },
        { key: 'first', name: '初回', rule: { fact: 'bought', products: ['GHOST'] } },
        { key: 'first', name: '初回2', rule: { fact: 'p_alive', op: '>', value: 2 } },
      ],
      levels: [
        { key: 'cold', name: '無関心' },
        { key: 'warm', name: '関心', rule: { fact: 'nope' } },
      ],
      cells: [{ stage: 'later', level: 'cold' }],
      extra: true,
    });
    expect(problems.map((p) => p.path)).toEqual([
      '(the map)',
      'stages[0].rule',
      'stages[1].rule.products[0]',
      'stages[2].key',
      'stages[2].rule',
      'levels[1].rule.fact',
      'cells[0].stage',
    ]);
    expect(problems[0]!.message).toBe('unknown field "extra"');
  });
});

describe('the size of a rule', () => {
  it('refuses a rule of more than 200 conditions or nested more than 12 deep, at the rule, before reading it', async () => {
    const condition = { fact: 'purchase_count', op: '>=', value: 1 };
    let deep: unknown = condition;
    for (let i = 0; i < 12; i++) deep = { not: deep };
    const wide = { any: Array.from({ length: 10 }, () => ({ all: Array.from({ length: 20 }, () => condition) })) };
    const map = {
      name: 'size',
      goal: '',
      stages: [
        { key: 'a', name: 'A' },
        { key: 'b', name: 'B', rule: deep },
        { key: 'c', name: 'C', rule: wide },
      ],
      levels: [{ key: 'l', name: 'L' }],
      cells: [],
    };
    const checked = await checkJourneyMap({ pool: database.pool, workspaceId: workspace.id, input: map });
    expect(checked.ok).toBe(false);
    const problems = checked.ok ? [] : checked.problems;
    expect(problems.map((problem) => problem.path)).toEqual(['stages[1].rule', 'stages[2].rule']);
    expect(problems[0]!.message).toContain('13 deep');
    expect(problems[1]!.message).toMatch(/at most 200 conditions/);
    // One level less deep and 200 conditions exactly are fine.
    const fits = {
      ...map,
      stages: [map.stages[0], { ...map.stages[1], rule: (deep as { not: unknown }).not }, { key: 'c', name: 'C', rule: { any: wide.any.slice(0, 9) } }],
    };
    expect((await checkJourneyMap({ pool: database.pool, workspaceId: workspace.id, input: fits })).ok).toBe(true);
  });
});
