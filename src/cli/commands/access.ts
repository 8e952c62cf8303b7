import { InvalidArgumentError } from 'commander';
import { createApiKey } from '../../auth/api-keys.ts';
import { addMember, listMembers, removeMember, setMemberRole } from '../../auth/memberships.ts';
import { ROLES } from '../../auth/permissions.ts';
import { createUser, findUserByEmail } from '../../auth/users.ts';
import { generatePassword } from '../../auth/passwords.ts';
import type { Database } from '../../db/connect.ts';
import type { Role } from '../../db/schema.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { RegisterCommand } from '../context.ts';

function parseRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`role must be one of: ${ROLES.join(', ')}`);
  return value as Role;
}

async function userIdOf(database: Database, email: string): Promise<string> {
  const user = await findUserByEmail(database.db, email);
  if (!user) throw new KizunaError('not_found', `No user with email ${email}. Create one with: npx kizuna user create --email ${email} --workspace NAME`);
  return user.id;
}

export const registerAccessCommands: RegisterCommand = (program, context) => {
  program
    .command('apikey')
    .description('manage API keys')
    .command('create')
    .requiredOption('--name <name>', 'what the key is for, e.g. "EC site sync"')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, parseRole, 'marketing' as Role)
    .option('--workspace <name>', 'workspace (default: demo)')
    .description('create an API key for one workspace; the key is printed once')
    .action(async (options: { name: string; role: Role; workspace?: string }) => {
      const { key, info } = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        return createApiKey(database.db, { workspaceId: workspace.id, name: options.name, role: options.role });
      });
      console.log(key);
      console.error(`API key "${info.name}" (${info.role}) created; it is shown only now.`);
    });

  program
    .command('user')
    .description('manage console users')
    .command('create')
    .requiredOption('--email <email>', 'sign-in email')
    .option('--name <name>', 'display name')
    .option('--workspace <name>', 'make the user a member of this workspace (with --role)')
    .option('--role <role>', `role in --workspace: one of ${ROLES.join(', ')}`, parseRole, 'read_only' as Role)
    .option('--instance-admin', 'may create workspaces (and becomes admin of those it creates)')
    .option('--password <password>', 'password (generated and printed when absent)')
    .description('create a console user; a user sees only the workspaces it is a member of')
    .action(async (options: { email: string; name?: string; workspace?: string; role: Role; instanceAdmin?: boolean; password?: string }) => {
      const password = options.password ?? generatePassword();
      const { user, workspace } = await context.withDatabase(async (database) => {
        const target = options.workspace === undefined ? undefined : await context.workspace(database, options.workspace);
        const created = await createUser(database.db, {
          email: options.email,
          displayName: options.name ?? options.email,
          password,
          instanceAdmin: options.instanceAdmin ?? false,
        });
        if (target) await addMember(database.db, { workspaceId: target.id, email: created.email, role: options.role });
        return { user: created, workspace: target };
      });
      const where = workspace ? `, ${options.role} of workspace "${workspace.name}"` : ', member of no workspace yet (npx kizuna member add)';
      console.log(
        `Created user ${user.email}${user.instanceAdmin ? ' (instance admin)' : ''}${where}${options.password ? '' : ` with the password ${password}`}`,
      );
    });

  const member = program.command('member').description("manage a workspace's members and their roles");

  member
    .command('add')
    .requiredOption('--email <email>', 'the user (created with a generated password when there is none)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseRole)
    .option('--workspace <name>', 'workspace (default: demo)')
    .description('make a user a member of a workspace with a role')
    .action(async (options: { email: string; role: Role; workspace?: string }) => {
      const { workspace, added } = await context.withDatabase(async (database) => {
        const target = await context.workspace(database, options.workspace);
        return { workspace: target, added: await addMember(database.db, { workspaceId: target.id, email: options.email, role: options.role }) };
      });
      const password = added.generatedPassword ? ` (new user, password ${added.generatedPassword})` : '';
      console.log(`${added.member.email} is now ${added.member.role} of workspace "${workspace.name}"${password}`);
    });

  member
    .command('role')
    .requiredOption('--email <email>', 'the member')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseRole)
    .option('--workspace <name>', 'workspace (default: demo)')
    .description("change a member's role (the last admin keeps admin)")
    .action(async (options: { email: string; role: Role; workspace?: string }) => {
      const changed = await context.withDatabase(async (database) => {
        const target = await context.workspace(database, options.workspace);
        return setMemberRole(database.db, { workspaceId: target.id, userId: await userIdOf(database, options.email), role: options.role });
      });
      console.log(`${changed.email} is now ${changed.role}`);
    });

  member
    .command('remove')
    .requiredOption('--email <email>', 'the member')
    .option('--workspace <name>', 'workspace (default: demo)')
    .description('remove a member from a workspace (not the last admin); the user keeps other workspaces')
    .action(async (options: { email: string; workspace?: string }) => {
      await context.withDatabase(async (database) => {
        const target = await context.workspace(database, options.workspace);
        await removeMember(database.db, { workspaceId: target.id, userId: await userIdOf(database, options.email) });
      });
      console.log(`Removed ${options.email}`);
    });

  member
    .command('list')
    .option('--workspace <name>', 'workspace (default: demo)')
    .option('--json', 'print JSON')
    .description('list the members of a workspace and their roles')
    .action(async (options: { workspace?: string; json?: boolean }) => {
      const members = await context.withDatabase(async (database) => listMembers(database.db, (await context.workspace(database, options.workspace)).id));
      if (options.json) console.log(JSON.stringify(members, null, 2));
      else for (const m of members) console.log(`${m.email}\t${m.role}\t${m.displayName}`);
    });
};
