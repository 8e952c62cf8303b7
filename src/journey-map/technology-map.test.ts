import { describe, expect, it } from 'vitest';
import { coverageOf } from './coverage.ts';
import type { JourneyMap } from './model.ts';
import { technologyMap } from './technology-map.ts';

// Three stages × two levels; hand-placed measures:
//   trial/low:   step mail by marketing (email, in use) and a phone call by support (コールセンター, planned)
//   trial/high:  step mail by marketing AND by sales (email, the same cell and channel: a duplicate)
//   felt/low:    a decision not to contact
//   felt/high:   同梱物 by marketing (print + solution, not introduced)
//   aware/*:     nothing (a stage nobody serves; two uncovered cells)
const map: JourneyMap = {
  name: 'test',
  goal: 'goal',
  stages: [
    { key: 'aware', name: '認知' },
    { key: 'trial', name: 'お試し', rule: { fact: 'purchase_count', op: '>=', value: 1 } },
    { key: 'felt', name: '実感', rule: { fact: 'purchase_count', op: '>=', value: 2 } },
  ],
  levels: [
    { key: 'low', name: '関心' },
    { key: 'high', name: '信頼', rule: { fact: 'p_alive', op: '>', value: 0.5 } },
  ],
  cells: [
    {
      stage: 'trial',
      level: 'low',
      measures: [
        { name: 'ステップメール', department: 'marketing', channel: 'email', status: 'in_use' },
        { name: 'お電話', department: 'support', solution: 'コールセンター', status: 'planned' },
      ],
    },
    {
      stage: 'trial',
      level: 'high',
      measures: [
        { name: 'ステップメール', department: 'marketing', channel: 'email', status: 'in_use' },
        { name: '営業メール', department: 'sales', channel: 'email', status: 'in_use' },
      ],
    },
    { stage: 'felt', level: 'low', noContact: { reason: '十分に満足している' } },
    {
      stage: 'felt',
      level: 'high',
      measures: [{ name: '同梱リーフレット', department: 'marketing', channel: 'print', solution: '同梱物', status: 'not_introduced' }],
    },
  ],
};

describe('technology map', () => {
  const tech = technologyMap(map);

  it('puts each measure on its channel row, or on its outside solution row, by stage', () => {
    expect(tech.rows.map((row) => row.key)).toEqual(['channel:email', 'solution:コールセンター', 'solution:同梱物']);
    const email = tech.rows[0]!;
    expect(Object.keys(email.byStage)).toEqual(['trial']);
    expect(email.byStage.trial!.map((m) => `${m.level}:${m.department}`)).toEqual(['low:marketing', 'high:marketing', 'high:sales']);
    expect(email.departments).toEqual(['marketing', 'sales']);
    expect(tech.stages).toEqual([
      { key: 'aware', name: '認知', measures: 0 },
      { key: 'trial', name: 'お試し', measures: 4 },
      { key: 'felt', name: '実感', measures: 1 },
    ]);
  });

  it('finds the stage nobody serves and the cells with neither a measure nor a decision', () => {
    expect(tech.gaps.stages).toEqual(['aware']);
    expect(tech.gaps.cells).toEqual([
      { stage: 'aware', level: 'low' },
      { stage: 'aware', level: 'high' },
    ]);
  });

  it('finds two departments on the same cell and channel, and not the same department twice on different cells', () => {
    expect(tech.duplicates).toHaveLength(1);
    expect(tech.duplicates[0]).toMatchObject({ stage: 'trial', level: 'high', row: 'channel:email' });
    expect(tech.duplicates[0]!.measures.map((m) => m.department)).toEqual(['marketing', 'sales']);
  });

  it('lists the solutions not introduced yet, and rates a row by its best status', () => {
    expect(tech.notIntroduced.map((row) => row.key)).toEqual(['solution:同梱物']);
    expect(tech.rows.find((row) => row.key === 'solution:コールセンター')!.status).toBe('planned');
    expect(tech.rows[0]!.status).toBe('in_use');
  });
});

describe('coverage', () => {
  const counts = [
    { stage: 'aware', level: 'low', customers: 50 },
    { stage: 'aware', level: 'high', customers: 7 },
    { stage: 'trial', level: 'low', customers: 20 },
    { stage: 'felt', level: 'high', customers: 3 },
  ];

  it('lists the uncovered cells with their customers, most first, and checks the counts add up', () => {
    const coverage = coverageOf(map, counts, 80);
    expect(coverage.uncovered.map((cell) => [cell.stage, cell.level, cell.customers])).toEqual([
      ['aware', 'low', 50],
      ['aware', 'high', 7],
    ]);
    expect(coverage.uncoveredCustomers).toBe(57);
    expect(coverage.check).toEqual({ profiles: 80, placed: 80, addsUp: true });
    expect(coverage.cells).toHaveLength(6);
    expect(coverage.cells.find((cell) => cell.stage === 'felt' && cell.level === 'low')).toMatchObject({ service: 'no_contact', customers: 0 });
    // Served on paper only: the 同梱物 is not introduced.
    expect(coverage.notYetServed.map((cell) => `${cell.stage}/${cell.level}`)).toEqual(['felt/high']);
  });

  it('says so when the counts do not add up to every profile', () => {
    expect(coverageOf(map, counts, 81).check).toEqual({ profiles: 81, placed: 80, addsUp: false });
  });
});
