import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOrderExport } from '../../test/fixtures/import/order-lines.ts';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { importCsv } from './import-csv.ts';

const LINES = 4_000;
const database = connectTestDatabase();
// PostgreSQL's auto_explain reports the plan of every statement, with actual row counts, as notices.
const explained = new pg.Pool({
  connectionString: database.url,
  max: 1,
  options:
    '-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_level=notice ' +
    '-c auto_explain.log_analyze=on -c auto_explain.log_timing=off -c auto_explain.log_nested_statements=on',
});
const plans: string[] = [];
explained.on('connect', (client) => client.on('notice', (notice) => plans.push(notice.message ?? '')));
let workspace: Workspace;
let directory: string;
let file: string;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  directory = await mkdtemp(path.join(tmpdir(), 'kizuna-reimport-'));
  file = path.join(directory, 'juchu.csv');
  await writeOrderExport(file, { lines: LINES, customers: 400, products: 120, seed: 3 });
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
  await explained.end();
  await database.close();
});

/** The largest count of row pairs a join compared and threw away, and the statement that did. */
function worstJoinFilter(statements: readonly string[]): { removed: number; statement: string } {
  let worst = { removed: 0, statement: '' };
  for (const plan of statements) {
    for (const match of plan.matchAll(/Rows Removed by Join Filter: (\d+)/g)) {
      if (Number(match[1]) > worst.removed) worst = { removed: Number(match[1]), statement: plan.slice(0, 8_000) };
    }
  }
  return worst;
}

describe('importing the same order file again', () => {
  it('plans no join that compares every staged line with every stored row, whatever the statistics say', async () => {
    const importFile = () => importCsv({ pool: explained, workspace, kind: 'orders', source: { path: file }, mode: 'all-or-nothing', dryRun: false });
    expect((await importFile()).stored).toBe(true);
    // A small import leaves the statistics as they were (the workspace held nothing): the
    // planner believes it holds no customers, orders or products.
    plans.length = 0;
    const again = await importFile();

    expect(again).toMatchObject({ rows: LINES, invalid: 0 });
    expect(plans.length).toBeGreaterThan(10);
    // Linear work compares each line with at most a few rows; the nested loops over every
    // stored customer that made a 300,000-line re-import take 11 minutes compared 400 × 400 / 2 here.
    const worst = worstJoinFilter(plans);
    expect(worst.removed, worst.statement).toBeLessThanOrEqual(LINES);
  });
});
