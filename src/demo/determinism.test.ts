import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { fixedClock } from '../shared/clock.ts';
import { nullSink } from './demo-sink.ts';
import { generateDemoBrand, writeDemoBrand, type DemoSummary } from './generate-demo-brand.ts';
import { workspaceDigest } from './workspace-digest.ts';

const database = connectTestDatabase();
/** The history ends the day before: 2026-10-31. */
const clock = fixedClock('2026-11-01T10:00:00+09:00');
afterAll(() => database.close());

async function generate(seed: number, customers: number) {
  const workspace = await freshWorkspace(database);
  const summary = await generateDemoBrand({ pool: database.pool, workspace, customers, seed, clock, analyze: false });
  return { summary, digest: await workspaceDigest(database.pool, workspace.id) };
}

const withoutWorkspace = (summary: DemoSummary) => ({ ...summary, workspace: null });

describe('demo brand determinism', () => {
  let reference: DemoSummary;

  it('writes identical rows (subscriptions, their items and status history too) for the same customers and seed, and different rows for another seed', async () => {
    const first = await generate(7, 1_500);
    const second = await generate(7, 1_500);
    const other = await generate(8, 1_500);
    for (const [table, digest] of Object.entries(first.digest)) {
      expect(digest, `${table} has rows`).toMatch(/^[0-9a-f]{32}$/);
      expect(second.digest[table], `${table} is the same for the same seed`).toBe(digest);
      if (table !== 'products') expect(other.digest[table], `${table} differs for another seed`).not.toBe(digest);
    }
    expect(withoutWorkspace(second.summary)).toEqual(withoutWorkspace(first.summary));
    reference = first.summary;
  });

  it('generates the same rows without a database (the /dev/null sink of the benchmark)', async () => {
    const workspace = { id: '0', name: 'null', timezone: 'Asia/Tokyo', currency: 'JPY' };
    const dry = await writeDemoBrand({ workspace, sink: nullSink(), customers: 1_500, seed: 7, clock });
    expect(withoutWorkspace(dry)).toEqual(withoutWorkspace(reference));
  });
});
