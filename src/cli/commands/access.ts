import { InvalidArgumentError } from 'commander';
import { createApiKey } from '../../auth/api-keys.ts';
import { ROLES } from '../../auth/permissions.ts';
import { createUser } from '../../auth/users.ts';
import { generatePassword } from '../../auth/passwords.ts';
import type { Role } from '../../db/schema.ts';
import type { RegisterCommand } from '../context.ts';

function parseRole(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`role must be one of: ${ROLES.join(', ')}`);
  return value as Role;
}

export const registerAccessCommands: RegisterCommand = (program, context) => {
  program.command('apikey')
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

  program.command('user')
    .description('manage console users')
    .command('create')
    .requiredOption('--email <email>', 'sign-in email')
    .option('--name <name>', 'display name')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, parseRole, 'read_only' as Role)
    .option('--password <password>', 'password (generated and printed when absent)')
    .description('create a console user')
    .action(async (options: { email: string; name?: string; role: Role; password?: string }) => {
      const password = options.password ?? generatePassword();
      const user = await context.withDatabase((database) =>
        createUser(database.db, { email: options.email, displayName: options.name ?? options.email, role: options.role, password }));
      console.log(`Created ${user.role} user ${user.email}${options.password ? '' : ` with the password ${password}`}`);
    });
};
