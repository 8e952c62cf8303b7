import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase } from '../../test/support/database.ts';
import { createWorkspace } from '../workspaces/workspaces.ts';
import { listMembers, roleIn } from './memberships.ts';
import { createUser } from './users.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

const newUser = (instanceAdmin: boolean) =>
  createUser(database.db, { email: `${randomUUID()}@example.jp`, displayName: 'U', password: 'correct horse battery', instanceAdmin });
const name = () => `m-${randomUUID().slice(0, 12)}`;

describe('the first members of a new workspace', () => {
  it('are its creator alone, as admin', async () => {
    const creator = await newUser(true);
    const otherInstanceAdmin = await newUser(true);
    const workspace = await createWorkspace(database.db, { name: name(), creatorUserId: creator.id });
    expect(await listMembers(database.db, workspace.id)).toMatchObject([{ userId: creator.id, role: 'admin' }]);
    expect(await roleIn(database.db, { userId: otherInstanceAdmin.id, workspaceId: workspace.id })).toBeUndefined();
  });

  it('are every instance admin when no user creates it (the CLI, the demo brand), and nobody else', async () => {
    const instanceAdmin = await newUser(true);
    const plain = await newUser(false);
    const workspace = await createWorkspace(database.db, { name: name() });
    expect(await roleIn(database.db, { userId: instanceAdmin.id, workspaceId: workspace.id })).toBe('admin');
    expect(await roleIn(database.db, { userId: plain.id, workspaceId: workspace.id })).toBeUndefined();
  });

  it('are not written when the workspace is refused', async () => {
    const creator = await newUser(true);
    const taken = name();
    await createWorkspace(database.db, { name: taken, creatorUserId: creator.id });
    await expect(createWorkspace(database.db, { name: taken, creatorUserId: creator.id })).rejects.toMatchObject({ code: 'conflict' });
    const rows = await database.db.selectFrom('workspace_members').select('workspace_id').where('user_id', '=', creator.id).execute();
    expect(rows).toHaveLength(1);
  });
});
