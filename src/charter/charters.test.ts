import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { KizunaError } from '../shared/errors.ts';
import { listCharterVersions, readCharter, saveCharter } from './charters.ts';
import { TEST_CHARTER } from './test-charter.ts';

const database = connectTestDatabase();
afterAll(() => database.close());
const cli = { kind: 'system', label: 'cli' } as const;

describe('saveCharter', () => {
  it('writes version 1, then a version per change with the fields that changed and who changed them', async () => {
    const { id: workspaceId } = await freshWorkspace(database);
    expect(await readCharter({ pool: database.pool, workspaceId })).toBeUndefined();

    const first = await saveCharter({ pool: database.pool, workspaceId, input: TEST_CHARTER, actor: cli });
    expect(first.outcome).toBe('saved');
    expect(first.version).toMatchObject({ version: 1, changedBy: 'cli', changedFields: ['charter'] });

    const changed = {
      ...TEST_CHARTER,
      register: 'dearu',
      limits: { ...TEST_CHARTER.limits, emoji: 'none' },
      pressure: [...TEST_CHARTER.pressure, { phrase: '残りわずか', severity: 'warning' }],
      greetings: [],
    };
    const second = await saveCharter({ pool: database.pool, workspaceId, input: changed, actor: { kind: 'system', label: 'demo' } });
    expect(second.version.version).toBe(2);
    expect(second.version.changedFields).toEqual(['register', 'pressure', 'limits.emoji', 'greetings']);
    expect(second.version.summary.split('\n')).toEqual([
      'register: desumasu → dearu',
      'pressure: added 残りわずか',
      'limits.emoji: few → none',
      'greetings: removed いつもありがとうございます。',
    ]);

    const current = await readCharter({ pool: database.pool, workspaceId });
    expect(current?.version).toBe(2);
    expect(current?.charter.register).toBe('dearu');
    const versions = await listCharterVersions({ pool: database.pool, workspaceId });
    expect(versions.map((v) => [v.version, v.changedBy])).toEqual([
      [2, 'demo'],
      [1, 'cli'],
    ]);
    expect(versions[1]!.charter).toEqual(TEST_CHARTER);
  });

  it('writes no version when the charter saved is the current one', async () => {
    const { id: workspaceId } = await freshWorkspace(database);
    await saveCharter({ pool: database.pool, workspaceId, input: TEST_CHARTER, actor: cli });
    const again = await saveCharter({ pool: database.pool, workspaceId, input: structuredClone(TEST_CHARTER), actor: cli });
    expect(again).toMatchObject({ outcome: 'unchanged', version: { version: 1 } });
    expect(await listCharterVersions({ pool: database.pool, workspaceId })).toHaveLength(1);
  });

  it('refuses an invalid charter naming each field and why, and writes nothing', async () => {
    const { id: workspaceId } = await freshWorkspace(database);
    const invalid = { ...TEST_CHARTER, register: 'keigo', limits: { ...TEST_CHARTER.limits, maxSentenceLength: 3 }, address: { use: [], avoid: [] } };
    const error = await saveCharter({ pool: database.pool, workspaceId, input: invalid, actor: cli }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KizunaError);
    expect((error as KizunaError).code).toBe('validation_failed');
    const fields = ((error as KizunaError).details as { problems: { field: string }[] }).problems.map((p) => p.field);
    expect(fields.sort()).toEqual(['address.use', 'limits.maxSentenceLength', 'register']);
    expect(await readCharter({ pool: database.pool, workspaceId })).toBeUndefined();
  });
});
