import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase } from '../../test/support/database.ts';
import { addDays } from '../analytics/periods.ts';
import { readActiveJourneyMap } from '../journey-map/maps.ts';
import type { Condition } from '../journey-map/model.ts';
import { coverageOf } from '../journey-map/coverage.ts';
import { journeyCellCounts, journeyFlows } from '../journey-map/placement/reads.ts';
import { checkJourneyMap } from '../journey-map/rules/check-map.ts';
import { technologyMap } from '../journey-map/technology-map.ts';
import { fixedClock } from '../shared/clock.ts';
import { DEMO_EVENT_TYPES } from './behaviour-events.ts';
import { demoProducts } from './catalogue.ts';
import { DEMO_JOURNEY_HISTORY } from './demo-journey.ts';
import { demoJourneyMap } from './demo-journey-map.ts';
import { loadDemoBrand, type LoadDemoSummary } from './load-demo-brand.ts';
import { DEFAULT_DEMO_MODEL } from './model.ts';

const database = connectTestDatabase();
const { pool } = database;
/** The history ends on 2026-10-31; the journey is placed week by week up to now, 2026-11-01 10:00 in Tokyo. */
const clock = fixedClock('2026-11-01T10:00:00+09:00');
const TODAY = '2026-11-01';
const map = demoJourneyMap();
let summary: LoadDemoSummary;
let workspaceId: string;

beforeAll(async () => {
  summary = await loadDemoBrand(database, { customers: 2_000, seed: 11, clock, workspaceName: `demo-${randomUUID().slice(0, 8)}` });
  workspaceId = summary.workspace.id;
}, 300_000);
afterAll(() => database.close());

type Fact = Extract<Condition, { fact: string }>;

/** Every fact condition of the map's stage and level rules. */
function leaves(): Fact[] {
  const out: Fact[] = [];
  const walk = (condition: Condition) => {
    if ('all' in condition) condition.all.forEach(walk);
    else if ('any' in condition) condition.any.forEach(walk);
    else if ('not' in condition) walk(condition.not);
    else out.push(condition);
  };
  for (const node of [...map.stages, ...map.levels]) if (node.rule) walk(node.rule);
  return out;
}

describe('the demo journey map (みのり青汁本舗)', () => {
  it('names only SKUs of the catalogue and event types the demo generates, and each event test matches generated events', async () => {
    const skus = new Set(demoProducts(DEFAULT_DEMO_MODEL.effectShare).map((product) => product.sku));
    const categories = new Set(demoProducts(DEFAULT_DEMO_MODEL.effectShare).map((product) => product.category));
    const eventTests: Array<Extract<Fact, { fact: 'events' }>> = [];
    for (const leaf of leaves()) {
      if (leaf.fact === 'bought' || leaf.fact === 'days_since_delivered') {
        for (const sku of leaf.products ?? []) expect(skus, `SKU ${sku}`).toContain(sku);
        for (const category of leaf.categories ?? []) expect(categories, `category ${category}`).toContain(category);
      }
      if (leaf.fact === 'events') {
        expect(DEMO_EVENT_TYPES, `event type ${leaf.type}`).toContain(leaf.type);
        eventTests.push(leaf);
      }
    }
    expect(eventTests.length).toBeGreaterThan(5);
    // Every property test finds events of that type in the loaded demo that pass it (the property exists, with that JSON type).
    for (const test of eventTests) {
      for (const where of test.where ?? []) {
        const values = Array.isArray(where.value) ? where.value : [where.value];
        const jsonType = typeof values[0] === 'number' ? 'number' : typeof values[0] === 'boolean' ? 'boolean' : 'string';
        const { rows } = await pool.query<{ n: number }>(
          `select count(*)::int as n from events where workspace_id = $1 and type = $2 and jsonb_typeof(properties -> $3) = $4`,
          [workspaceId, test.type, where.property, jsonType],
        );
        expect(rows[0]!.n, `${test.type}.${where.property} (${jsonType})`).toBeGreaterThan(0);
      }
    }
  });

  it('passes checkJourneyMap on the loaded demo, and is its active map, saved by the demo', async () => {
    const checked = await checkJourneyMap({ pool, workspaceId, input: map });
    expect(checked).toEqual({ ok: true, map });
    const active = await readActiveJourneyMap({ pool, workspaceId });
    expect(active?.map).toEqual(map);
    expect(active?.changedBy).toMatch(/demo/);
    expect(summary.journey).toMatchObject({ saved: true, steps: DEMO_JOURNEY_HISTORY.days / DEMO_JOURNEY_HISTORY.everyDays + 1 });
  });

  it('places every customer and lead in one cell: the counts add up, over at least 3 stages and 3 levels', async () => {
    const counts = await journeyCellCounts({ pool, workspaceId });
    expect(counts.profiles).toBe(summary.customers + summary.leads);
    expect(counts.placed).toBe(counts.profiles);
    const { rows } = await pool.query<{ stage: string; level: string; n: number }>(
      'select stage, level, count(*)::int as n from journey_placements where workspace_id = $1 group by stage, level order by stage, level',
      [workspaceId],
    );
    expect(rows.map((row) => ({ stage: row.stage, level: row.level, customers: row.n }))).toEqual(counts.cells);
    expect(new Set(counts.cells.map((cell) => cell.stage)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(counts.cells.map((cell) => cell.level)).size).toBeGreaterThanOrEqual(3);
    // Leads never bought: all of them in the first stage.
    const { rows: leads } = await pool.query<{ stage: string }>(
      `select distinct p.stage from journey_placements p join customers c on c.id = p.customer_id where p.workspace_id = $1 and c.lifecycle = 'lead'`,
      [workspaceId],
    );
    expect(leads).toEqual([{ stage: 'awareness' }]);
  });

  it('leaves some cells uncovered on purpose, customers are in them, and the coverage check adds up', async () => {
    const counts = await journeyCellCounts({ pool, workspaceId });
    const coverage = coverageOf(map, counts.cells, counts.profiles);
    expect(coverage.uncovered.map((cell) => `${cell.stage}/${cell.level}`).sort()).toEqual([
      'awareness/fan',
      'felt/indifferent',
      'habit/indifferent',
      'trial/fan',
    ]);
    expect(coverage.uncoveredCustomers).toBeGreaterThan(0);
    // 実感 × 無関心 (trial buyers whose effect window passed in silence) is the largest gap.
    expect(coverage.uncovered[0]).toMatchObject({ stage: 'felt', level: 'indifferent' });
    expect(coverage.check).toEqual({ profiles: summary.customers + summary.leads, placed: summary.customers + summary.leads, addsUp: true });
    expect(coverage.cells.filter((cell) => cell.service === 'no_contact').map((cell) => `${cell.stage}/${cell.level}`)).toEqual([
      'awareness/indifferent',
      'subscription/indifferent',
    ]);
  });

  it('gives the technology map two duplicates, solutions not introduced yet, and a measure in every stage', () => {
    const technology = technologyMap(map);
    expect(technology.duplicates.map((duplicate) => `${duplicate.stage}/${duplicate.level} ${duplicate.row}`)).toEqual([
      'trial/interested channel:email',
      'subscription/fan channel:email',
    ]);
    expect(technology.notIntroduced.map((row) => row.key).sort()).toEqual([
      'channel:sms',
      'solution:コミュニティアプリ',
      'solution:レビュー投稿システム',
      'solution:会員ランク制度',
    ]);
    expect(technology.gaps.stages).toEqual([]);
    expect(map.cells.filter((cell) => cell.goal).map((cell) => `${cell.stage}/${cell.level}`)).toEqual(['habit/liking', 'habit/fan']);
  });

  it('has a past year of flows in both directions: advances, rises and step-downs', async () => {
    const flows = await journeyFlows({ pool, workspaceId, from: addDays(TODAY, -DEMO_JOURNEY_HISTORY.days), to: TODAY });
    const byKind = (kind: string) => flows.filter((flow) => flow.kind === kind).reduce((sum, flow) => sum + flow.customers, 0);
    expect(byKind('advance')).toBeGreaterThan(0);
    expect(byKind('rise')).toBeGreaterThan(0);
    expect(byKind('step_down')).toBeGreaterThan(0);
    // Subscribers step down too (a cancelled 定期 loses 信頼's support; a silence, a complaint).
    expect(flows.some((flow) => flow.kind === 'step_down' && (flow.from?.stage === 'subscription' || flow.from?.stage === 'habit'))).toBe(true);
  });

  it('steps a customer down to 関心 or below at the first weekly placement after a complaint', async () => {
    // The cell as of an instant is the customer's last move by then. Complaints after the first step of the year.
    const { rows } = await pool.query<{ before: string | null; after: string }>(
      `select (select m.to_level from journey_moves m where m.workspace_id = e.workspace_id and m.customer_id = e.customer_id and m.moved_at < e.occurred_at
                order by m.moved_at desc, m.id desc limit 1) as before,
              (select m.to_level from journey_moves m where m.workspace_id = e.workspace_id and m.customer_id = e.customer_id and m.moved_at <= e.occurred_at + interval '7 days'
                order by m.moved_at desc, m.id desc limit 1) as after
         from events e
        where e.workspace_id = $1 and e.type = 'support_contact' and e.properties->>'topic' = 'complaint'
          and e.occurred_at >= $2::timestamptz + interval '7 days' and e.occurred_at <= $3::timestamptz - interval '7 days'`,
      [workspaceId, `${addDays(TODAY, -DEMO_JOURNEY_HISTORY.days)}T23:59:59.999+09:00`, clock.now().toISOString()],
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(['indifferent', 'interested']).toContain(row.after);
    const fellFromAbove = rows.filter((row) => row.before === 'trust' || row.before === 'liking' || row.before === 'fan');
    expect(fellFromAbove.length).toBeGreaterThan(0);
  });
});
