import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { cliJson, runKizuna } from '../../test/support/cli.ts';
import type { Workspace } from '../workspaces/workspaces.ts';

const database = connectTestDatabase();
let workspace: Workspace;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  // Only the members this test makes (instance admins of other test files may have joined).
  await database.db.deleteFrom('workspace_members').where('workspace_id', '=', workspace.id).execute();
});
afterAll(() => database.close());

describe('kizuna user and member', () => {
  it('creates a user as a member of a workspace, adds and changes members, and keeps the last admin', async () => {
    const boss = `boss-${randomUUID().slice(0, 8)}@example.jp`;
    const created = await runKizuna('user', workspace.name, ['create', '--email', boss, '--role', 'admin']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`^Created user ${boss}, admin of workspace "${workspace.name}" with the password [\\w-]{20}\\n$`));

    const helper = `help-${randomUUID().slice(0, 8)}@example.jp`;
    const added = await runKizuna('member', workspace.name, ['add', '--email', helper, '--role', 'support']);
    expect(added.stdout).toMatch(new RegExp(`^${helper} is now support of workspace "${workspace.name}" \\(new user, password [\\w-]{20}\\)\\n$`));
    expect((await runKizuna('member', workspace.name, ['role', '--email', helper, '--role', 'sales'])).stdout).toBe(`${helper} is now sales\n`);

    const lastAdmin = await runKizuna('member', workspace.name, ['remove', '--email', boss]);
    expect(lastAdmin.code).not.toBe(0);
    expect(lastAdmin.stderr).toContain('Cannot remove the last admin of this workspace');

    const members = cliJson(await runKizuna('member', workspace.name, ['list', '--json'])) as { email: string; role: string }[];
    expect(members.map((m) => [m.email, m.role]).sort()).toEqual(
      [
        [boss, 'admin'],
        [helper, 'sales'],
      ].sort(),
    );
  });
});
