import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, cliLines, runKizuna } from '../../test/support/cli.ts';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { ingestBatch } from '../ingest/ingest-batch.ts';
import type { BatchKind } from '../ingest/records.ts';
import { addDays } from '../analytics/periods.ts';
import type { JourneyMap } from '../journey-map/model.ts';
import type { Workspace } from '../workspaces/workspaces.ts';

/**
 * `kizuna journey`: a map set from a JSON file (every problem of a refused one printed with its
 * path, exit 1, nothing saved), shown with its live counts, re-placed, flows, coverage, the
 * technology map and the exports, on a hand-built brand of three customers.
 */

const database = connectTestDatabase();
let workspace: Workspace;
let dir: string;

const map: JourneyMap = {
  name: 'CLIマップ',
  goal: '習慣になっている状態',
  stages: [
    { key: 'aware', name: '認知' },
    { key: 'buyer', name: '購入', rule: { fact: 'purchase_count', op: '>=', value: 1 } },
  ],
  levels: [
    { key: 'cold', name: '無関心' },
    { key: 'warm', name: '関心', rule: { fact: 'events', type: 'email_open', withinDays: 3650 } },
  ],
  cells: [{ stage: 'buyer', level: 'warm', measures: [{ name: 'サンクスメール', department: 'marketing', channel: 'email', status: 'in_use' }] }],
};

function ingest(kind: BatchKind, records: unknown[]) {
  return withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind, records, mode: 'all-or-nothing' }));
}

const journey = (...args: string[]) => runKizuna('journey', workspace.name, args);

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  await ingest('products', [{ sku: 'P-1', name: '青汁', price: 1000 }]);
  await ingest('customers', [
    { customer_id: 'C-1', name: '一' },
    { customer_id: 'C-2', name: '二' },
    { customer_id: 'C-3', name: '三' },
  ]);
  await ingest('orders', [
    {
      order_id: 'O-1',
      customer_id: 'C-1',
      ordered_at: '2024-05-01T10:00:00+09:00',
      status: 'delivered',
      items: [{ sku: 'P-1', quantity: 1, unit_price: 1000 }],
    },
  ]);
  await ingest('events', [{ customer_id: 'C-1', type: 'email_open', occurred_at: '2024-05-02T10:00:00+09:00', idempotency_key: 'e-1' }]);
  dir = await mkdtemp(path.join(tmpdir(), 'kizuna-journey-'));
  await writeFile(path.join(dir, 'map.json'), JSON.stringify(map));
  const broken = structuredClone(map) as unknown as { stages: Array<Record<string, unknown>> };
  broken.stages[1]!.rule = { fact: 'bought', products: ['NOPE'] };
  broken.stages.push({ key: 'aware', name: '重複' });
  await writeFile(path.join(dir, 'broken.json'), JSON.stringify(broken));
  await writeFile(path.join(dir, 'not-json.json'), '{ stages: ');
});
afterAll(() => database.close());

describe('kizuna journey', () => {
  it('refuses a broken map with every problem and its path, exit 1, and saves nothing', async () => {
    const run = await journey('set', path.join(dir, 'broken.json'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('was refused');
    expect(run.stderr).toMatch(/stages\[1\]\.rule\.products\[0\]: .*NOPE/);
    expect(run.stderr).toMatch(/stages\[2\]\.key: /);
    const show = await journey('show');
    expect(show.code).toBe(2);
    expect(show.stderr).toContain('has no journey map yet');
    const notJson = await journey('set', path.join(dir, 'not-json.json'));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('is not JSON');
  });

  it('sets the map and places everyone, then shows the live counts', async () => {
    const set = await journey('set', path.join(dir, 'map.json'));
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('Saved version 1');
    expect(set.stdout).toContain('Placed 3 customers and leads; 3 changed cell');
    const shown = cliJson(await journey('show', '--json'));
    expect(shown).toMatchObject({ version: 1, profiles: 3, placed: 3 });
    expect(Object.fromEntries(shown.cells.map((c: { stage: string; level: string; customers: number }) => [`${c.stage}/${c.level}`, c.customers]))).toEqual({
      'aware/cold': 2,
      'buyer/warm': 1,
    });
    const lines = cliLines(await journey('show'));
    expect(lines).toContain('関心 0 (0.0%) 1 (33.3%)');
    expect(lines).toContain('無関心 2 (66.7%) 0 (0.0%)');
    expect((await journey('set', path.join(dir, 'map.json'))).stdout).toContain('unchanged (version 1)');
    // What journey show --json printed can be set back as it is (the map under "map").
    await writeFile(path.join(dir, 'shown.json'), JSON.stringify(shown));
    expect((await journey('set', path.join(dir, 'shown.json'))).stdout).toContain('unchanged (version 1)');
  });

  it('re-places, and reads flows, coverage and the technology map', async () => {
    // The CLI places at the real clock's now: the moves are dated today.
    const today = new Date().toISOString().slice(0, 10);
    expect(cliJson(await journey('place', '--json'))).toMatchObject({ profiles: 3, moved: 0 });
    const flows = cliJson(await journey('flows', '--json', '--from', addDays(today, -30), '--to', addDays(today, 1)));
    expect(flows.flows.map((f: { kind: string; customers: number }) => `${f.kind}:${f.customers}`).sort()).toEqual(['enter:1', 'enter:2']);
    const coverage = cliJson(await journey('coverage', '--json'));
    expect(coverage.check).toEqual({ profiles: 3, placed: 3, addsUp: true });
    expect(coverage.uncovered.map((c: { stage: string; level: string }) => `${c.stage}/${c.level}`)).toEqual(['aware/cold', 'aware/warm', 'buyer/cold']);
    const text = await journey('coverage');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('認知 × 無関心');
    const tech = cliJson(await journey('technology', '--json'));
    expect(tech.gaps.stages).toEqual(['aware']);
    const badDate = await journey('flows', '--from', '2024-13-01');
    expect(badDate.code).toBe(2);
  });

  it('exports the diagram as SVG, PNG and PDF files', async () => {
    const svg = path.join(dir, 'map.svg');
    expect((await journey('export', '--out', svg)).code).toBe(0);
    const text = await readFile(svg, 'utf8');
    expect(XMLValidator.validate(text)).toBe(true);
    expect(text).toContain('購入');
    const png = path.join(dir, 'map.png');
    const run = await journey('export', '--out', png, '--width', '1000', '--paper', 'a3', '--json');
    expect(cliJson(run)).toMatchObject({ contentType: 'image/png' });
    expect((await readFile(png)).readUInt32BE(16)).toBe(1000);
    const pdf = path.join(dir, 'map.pdf');
    expect((await journey('export', '--out', pdf, '--locale', 'en')).code).toBe(0);
    expect((await readFile(pdf)).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await journey('export', '--out', pdf, '--format', 'gif')).code).toBe(2);
  });
});
