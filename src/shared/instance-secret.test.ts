import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { instanceSecret } from './instance-secret.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'kizuna-secret-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the instance secret', () => {
  it('is KIZUNA_SECRET when set', () => {
    expect(instanceSecret({ secret: 'k'.repeat(32), dataDir })).toBe('k'.repeat(32));
  });

  it('is otherwise made once, kept in the data folder readable by its owner only, and the same after a restart', () => {
    const first = instanceSecret({ secret: undefined, dataDir: path.join(dataDir, 'new') });
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(dataDir, 'new', 'secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(instanceSecret({ secret: undefined, dataDir: path.join(dataDir, 'new') })).toBe(first);
  });
});
