import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase } from '../../test/support/database.ts';
import { type ClaimOutcome, type GovernedSend, outcomeStatement } from './govern.ts';
import type { Decision, LedgerContact } from './model.ts';

/**
 * The work of a claim's write stays bounded by the claim, whatever the planner believes.
 *
 * Right after a release (a timer letting 100,000 customers through at once) the statistics of
 * scenario_effects still say "no pending effect": they were gathered before. A write that joined
 * an empty list of held-back effects against the table was then planned as a walk of every pending
 * effect — once per claim of 32, so a release cost grew with its square (the scenarios benchmark
 * at 100,000 fell to 0.42 of its rate without the rules). Here the same stale statistics are made
 * on purpose, on copies of the tables in this session's temporary schema (autovacuum never
 * analyses those, so the staleness holds), and the statement is run under EXPLAIN ANALYZE: the
 * rows it reads from scenario_effects are counted.
 */
const database = connectTestDatabase();
let client: pg.PoolClient;
const PENDING = 3000;
const CLAIMED = 32;
const NOW = new Date('2026-12-07T03:00:00Z');
let claimedIds: string[] = [];
let pendingIds: string[] = [];

beforeAll(async () => {
  client = await database.pool.connect();
  // Temporary tables come first in the search path: the statement's unqualified names find these.
  for (const table of ['scenario_effects', 'contact_ledger', 'contact_decisions'])
    await client.query(`create temp table ${table} (like public.${table} including all)`);
  const effect = (status: string, count: number) =>
    client.query<{ id: string }>(
      `insert into scenario_effects (workspace_id, key, enrollment_id, customer_id, step_id, kind, payload, why, status, created_at)
       select 1, $1 || ':' || i, i, i, 'mail', 'send', '{}'::jsonb, '{}'::jsonb, $1, $2 from generate_series(1, $3::int) i returning id::text`,
      [status, NOW, count],
    );
  // The statistics are taken when nothing is pending (before the release) …
  await effect('done', 2000);
  await client.query('analyze scenario_effects');
  // … then the release: thousands pending, a claim of them being sent.
  pendingIds = (await effect('pending', PENDING)).rows.map((row) => row.id);
  claimedIds = (await effect('sending', CLAIMED)).rows.map((row) => row.id);
});

afterAll(async () => {
  client.release(true);
  await database.close();
});

function governed(effectId: string, index: number): GovernedSend {
  return {
    effectId,
    customerId: String(index + 1),
    channel: 'email',
    purpose: 'marketing',
    department: 'marketing',
    priority: 50,
    scenarioId: '7',
    dueAt: NOW,
    whenHeld: { kind: 'defer', within: { days: 3 } },
  };
}

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** Runs the statement under EXPLAIN ANALYZE (rolled back) and counts the rows read from scenario_effects by every node. */
async function effectRowsRead(outcome: ClaimOutcome): Promise<number> {
  const statement = outcomeStatement(outcome);
  if (!statement) return 0;
  await client.query('begin');
  try {
    const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (analyze, format json) ${statement.text}`, statement.values);
    let read = 0;
    const walk = (node: PlanNode) => {
      if (node['Relation Name'] === 'scenario_effects' && !('Plans' in node && node.Plans?.length))
        read += (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1);
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(rows[0]!['QUERY PLAN'][0]!.Plan);
    return read;
  } finally {
    await client.query('rollback');
  }
}

describe('a claim’s write under stale statistics', () => {
  it('reads no effect at all when every message of the claim goes', async () => {
    const sends = claimedIds.map(governed);
    const outcome: ClaimOutcome = {
      workspaceId: '1',
      now: NOW,
      sends,
      decisions: new Map(sends.map((send) => [send.effectId, { kind: 'send', displaced: [] } satisfies Decision])),
      ledgerWrites: sends.map((send) => ({ send, at: NOW, state: 'sent' as const })),
      displacedRows: [],
    };
    expect(await effectRowsRead(outcome)).toBe(0);
  });

  it('reads only the held-back and displaced effects when some are', async () => {
    const sends = claimedIds.map(governed);
    const until = new Date(NOW.getTime() + 3_600_000);
    const rule = { kind: 'cap', id: 'weekly', name: '週3通' } as const;
    const decisions = new Map<string, Decision>(
      sends.map((send, index): [string, Decision] => [
        send.effectId,
        index < 4 ? { kind: 'defer', until, rule } : index < 8 ? { kind: 'skip', rule, why: 'step_skips' } : { kind: 'send', displaced: [] },
      ]),
    );
    // Two deferred messages already holding a place (pending, due later) give way to the claim's first sent one.
    const displaced: LedgerContact[] = pendingIds.slice(0, 2).map((effectId, index) => ({
      id: String(900 + index),
      effectId,
      at: until,
      channel: 'email',
      purpose: 'marketing',
      department: 'marketing',
      priority: 10,
      state: 'scheduled',
      scenarioId: '8',
    }));
    const outcome: ClaimOutcome = {
      workspaceId: '1',
      now: NOW,
      sends,
      decisions,
      ledgerWrites: sends.flatMap((send, index): ClaimOutcome['ledgerWrites'] =>
        index < 4 ? [{ send, at: until, state: 'scheduled' }] : index < 8 ? [] : [{ send, at: NOW, state: 'sent' }],
      ),
      displacedRows: displaced.map((contact) => ({ contact, by: sends[8]! })),
    };
    const read = await effectRowsRead(outcome);
    // Eight held back and two displaced: each found by its id (a little slack for the planner's choice of join order).
    expect(read).toBeGreaterThanOrEqual(10);
    expect(read).toBeLessThanOrEqual(2 * 10);
    // And the write itself does what it says.
    const statement = outcomeStatement(outcome)!;
    await client.query('begin');
    try {
      await client.query(statement.text, statement.values);
      const { rows } = await client.query<{ status: string; n: number }>(
        `select status, count(*)::int as n from scenario_effects where id = any($1::bigint[]) group by status order by status`,
        [[...claimedIds.slice(0, 8), ...pendingIds.slice(0, 2)]],
      );
      expect(rows).toEqual([
        { status: 'not_done', n: 4 },
        { status: 'pending', n: 6 },
      ]);
      const { rows: decided } = await client.query<{ decision: string; n: number }>(
        `select decision, count(*)::int as n from contact_decisions group by decision order by decision`,
      );
      expect(decided).toEqual([
        { decision: 'deferred', n: 4 },
        { decision: 'displaced', n: 2 },
        { decision: 'skipped', n: 4 },
      ]);
    } finally {
      await client.query('rollback');
    }
  });
});
