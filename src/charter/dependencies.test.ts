import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the charter capability', () => {
  it('never imports the demo brand: the demo uses the charter, not the other way round', async () => {
    const dir = import.meta.dirname;
    const files = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
    const importing: string[] = [];
    for (const file of files) {
      const source = await readFile(path.join(dir, file), 'utf8');
      if (/from '(\.\.\/)+demo\//.test(source)) importing.push(file);
    }
    expect(files.length).toBeGreaterThan(10);
    expect(importing).toEqual([]);
  });
});
