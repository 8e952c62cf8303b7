import { describe, expect, it } from 'vitest';
import { JourneyMap } from '../../src/journey-map/model.ts';
import { journeyWorkshopEn, journeyWorkshopJa } from '../../web/src/i18n/console-journey-workshop.ts';
import { RULE_EXAMPLES } from '../../web/src/journey/rule-examples.ts';
import { cellId, draftOf, invalidRules, mapOf, parseRule, sameMap, withExample } from '../../web/src/journey/workshop-draft.ts';
import { placeProblems } from '../../web/src/journey/workshop-problems.ts';
import { initialState, newAxisItem, workshopReducer, type WorkshopAction, type WorkshopState } from '../../web/src/journey/workshop-state.ts';
import { templateMap } from '../../web/src/journey/workshop-template.ts';

/** The workshop's pure parts: the draft and the map it sends, the reducer with undo, refused paths placed on fields. */

const MAP: JourneyMap = {
  name: 'みのり青汁のジャーニー',
  goal: 'ストレスがなく健康で、ブランドとの接点が日常化している状態',
  stages: [
    { key: 'awareness', name: '認知' },
    { key: 'trial', name: 'お試し', description: 'お試しを買った', rule: { fact: 'bought', categories: ['お試し'] } },
    { key: 'subscribed', name: '定期継続', rule: { fact: 'subscription_status', in: ['active'] } },
  ],
  levels: [
    { key: 'cold', name: '無関心' },
    { key: 'warm', name: '関心', rule: { fact: 'events', type: 'email_open', withinDays: 30 } },
  ],
  cells: [
    {
      stage: 'trial',
      level: 'cold',
      feelings: '効果があるのか不安',
      measures: [{ name: 'ステップメール', department: 'marketing', channel: 'email', status: 'in_use' }],
    },
    {
      stage: 'trial',
      level: 'warm',
      goal: true,
      measures: [{ name: '同梱リーフレット', department: 'site_operations', solution: '同梱物', status: 'planned' }],
    },
    { stage: 'subscribed', level: 'cold', noContact: { reason: '休眠中は連絡を控える' } },
  ],
};

function run(state: WorkshopState, ...actions: WorkshopAction[]): WorkshopState {
  return actions.reduce(workshopReducer, state);
}

describe('the draft and the map it sends', () => {
  it('sends back exactly the map it was made from, which the server schema accepts', () => {
    const sent = mapOf(draftOf(MAP));
    expect(sent.map).toEqual(MAP);
    expect(JourneyMap.safeParse(sent.map).success).toBe(true);
    expect(sent.cellIds).toHaveLength(3);
  });

  it('starts a new map from a template of 5 stages × 4 levels that the schema accepts, in both languages', () => {
    for (const words of [journeyWorkshopJa.template, journeyWorkshopEn.template]) {
      const map = templateMap(words);
      expect(map.stages).toHaveLength(5);
      expect(map.levels).toHaveLength(4);
      expect(map.stages[0]!.rule).toBeUndefined();
      expect(map.levels[0]!.rule).toBeUndefined();
      expect(JourneyMap.safeParse(mapOf(draftOf(map)).map).success).toBe(true);
    }
  });

  it('every insertable example is a rule of the vocabulary', () => {
    for (const example of RULE_EXAMPLES) {
      const map = { ...MAP, stages: [MAP.stages[0]!, { key: 'x', name: 'x', rule: example.rule }] };
      expect(JourneyMap.safeParse(map).success, example.name).toBe(true);
    }
  });

  it('keeps a cell with its stage when the stage key is renamed and the stage moved', () => {
    const draft = draftOf(MAP);
    const trial = draft.stages[1]!;
    const state = run(
      initialState(draft),
      { type: 'edit_item', axis: 'stages', id: trial.id, patch: { key: 'first_trial' } },
      { type: 'move_item', axis: 'stages', id: trial.id, by: 1 },
    );
    const sent = mapOf(state.draft).map;
    expect(sent.stages.map((s) => s.key)).toEqual(['awareness', 'subscribed', 'first_trial']);
    // Cells follow the stage order: subscribed's cell now comes before first_trial's.
    expect(sent.cells.map((c) => `${c.stage}/${c.level}`)).toEqual(['subscribed/cold', 'first_trial/cold', 'first_trial/warm']);
    expect(sent.cells[1]!.feelings).toBe('効果があるのか不安');
  });

  it('sends no rule for the first stage, keeps the typed text, and a no-contact cell sends its reason, not its measures', () => {
    const draft = draftOf(MAP);
    const subscribed = draft.stages[2]!;
    let state = run(
      initialState(draft),
      { type: 'move_item', axis: 'stages', id: subscribed.id, by: -1 },
      { type: 'move_item', axis: 'stages', id: subscribed.id, by: -1 },
    );
    expect(mapOf(state.draft).map.stages[0]).toEqual({ key: 'subscribed', name: '定期継続' });
    state = run(state, { type: 'move_item', axis: 'stages', id: subscribed.id, by: 1 });
    expect(mapOf(state.draft).map.stages[1]!.rule).toEqual({ fact: 'subscription_status', in: ['active'] });

    const cell = cellId(draft.stages[1]!.id, draft.levels[0]!.id);
    state = run(initialState(draft), { type: 'edit_cell', cell, patch: { noContact: true, noContactReason: '様子を見る' } });
    expect(mapOf(state.draft).map.cells[0]).toEqual({ stage: 'trial', level: 'cold', feelings: '効果があるのか不安', noContact: { reason: '様子を見る' } });
  });

  it('parses rule text as typed: blank is no rule, bad JSON and non-objects are named, examples are added under all', () => {
    expect(parseRule('  ')).toEqual({ kind: 'none' });
    expect(parseRule('{"fact": "bought",}').kind).toBe('invalid');
    expect(parseRule('[1]')).toEqual({ kind: 'invalid', message: 'not_object' });
    const repeat = { fact: 'purchase_count', op: '>=', value: 2 } as const;
    expect(JSON.parse(withExample('', repeat))).toEqual(repeat);
    expect(JSON.parse(withExample('{"fact":"lifecycle","in":["customer"]}', repeat))).toEqual({ all: [{ fact: 'lifecycle', in: ['customer'] }, repeat] });
    expect(JSON.parse(withExample('{"all":[{"fact":"lifecycle","in":["customer"]}]}', repeat))).toEqual({
      all: [{ fact: 'lifecycle', in: ['customer'] }, repeat],
    });
    expect(withExample('{"fact":', repeat).startsWith('{"fact":\n')).toBe(true);

    const draft = draftOf(MAP);
    const state = run(initialState(draft), { type: 'edit_item', axis: 'levels', id: draft.levels[1]!.id, patch: { ruleText: '{' } });
    expect(invalidRules(state.draft)).toEqual([{ axis: 'levels', id: draft.levels[1]!.id }]);
    expect(sameMap(state.draft, draft)).toBe(false);
  });
});

describe('the reducer', () => {
  it('undoes one change at a time; typing into one field is one change', () => {
    const draft = draftOf(MAP);
    const stage = draft.stages[1]!;
    let state = run(
      initialState(draft),
      { type: 'map', patch: { goal: 'あ' } },
      { type: 'map', patch: { goal: 'あい' } },
      { type: 'map', patch: { goal: 'あいう' } },
      { type: 'remove_item', axis: 'stages', id: stage.id },
    );
    expect(state.past).toHaveLength(2);
    expect(mapOf(state.draft).map.cells.map((c) => c.stage)).toEqual(['subscribed']);
    state = workshopReducer(state, { type: 'undo' });
    expect(mapOf(state.draft).map.cells).toHaveLength(3);
    expect(state.draft.goal).toBe('あいう');
    state = workshopReducer(state, { type: 'undo' });
    expect(state.draft.goal).toBe(MAP.goal);
    expect(workshopReducer(state, { type: 'undo' })).toBe(state);
  });

  it('adds stages with an unused key up to 12 and never removes the last level', () => {
    let state = initialState(draftOf(MAP));
    for (let i = 0; i < 12; i += 1)
      state = workshopReducer(state, { type: 'add_item', axis: 'stages', item: newAxisItem(state.draft.stages, 'stages', `S${i}`) });
    expect(state.draft.stages).toHaveLength(12);
    expect(new Set(state.draft.stages.map((s) => s.key)).size).toBe(12);
    const level = state.draft.levels[0]!;
    state = run(state, { type: 'remove_item', axis: 'levels', id: state.draft.levels[1]!.id });
    expect(workshopReducer(state, { type: 'remove_item', axis: 'levels', id: level.id })).toBe(state);
  });
});

describe('refused paths placed on fields', () => {
  it('names the stage, cell and measure of each path by the ids they had when sent', () => {
    const draft = draftOf(MAP);
    const sent = mapOf(draft);
    const placed = placeProblems(
      [
        { path: 'stages[2].rule.all[1].products[0]', message: 'unknown SKU "X-1"' },
        { path: 'cells[1].measures[0]', message: 'a measure names a channel or a solution' },
        { path: 'cells[0].measures[0].name', message: 'too long' },
        { path: 'cells[2].noContact.reason', message: 'blank' },
        { path: 'levels[1].key', message: 'bad key' },
        { path: 'stages[1]', message: 'every stage after the first stage needs a rule' },
        { path: 'goal', message: 'too long' },
        { path: 'stages', message: 'two stages share the key trial' },
      ],
      draft,
      sent,
    );
    const trialCold = cellId(draft.stages[1]!.id, draft.levels[0]!.id);
    const trialWarm = cellId(draft.stages[1]!.id, draft.levels[1]!.id);
    expect(placed.map((p) => [p.field, p.rulePath])).toEqual([
      [`item:${draft.stages[2]!.id}:rule`, 'all[1].products[0]'],
      [`measure:${draft.cells[trialWarm]!.measures[0]!.id}:channel`, undefined],
      [`measure:${draft.cells[trialCold]!.measures[0]!.id}:name`, undefined],
      [`cell:${cellId(draft.stages[2]!.id, draft.levels[0]!.id)}:noContact`, undefined],
      [`item:${draft.levels[1]!.id}:key`, undefined],
      [`item:${draft.stages[1]!.id}:rule`, undefined],
      ['goal', undefined],
      ['map', undefined],
    ]);
  });
});
