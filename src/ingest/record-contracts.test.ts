import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('record contracts', () => {
  it('live where their records live: the customer, product, order and event code never imports the intake', async () => {
    const offenders: string[] = [];
    for (const folder of ['customers', 'products', 'orders', 'events']) {
      for (const file of await readdir(path.join(src, folder))) {
        if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue; // tests may seed through the intake
        const text = await readFile(path.join(src, folder, file), 'utf8');
        if (/from '\.\.\/(ingest|import)\//.test(text)) offenders.push(`${folder}/${file}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
