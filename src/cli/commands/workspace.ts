import type { RegisterCommand } from '../context.ts';
import { createWorkspace, listWorkspaces, summarizeWorkspace, findWorkspace } from '../../workspaces/workspaces.ts';

export const registerWorkspaceCommands: RegisterCommand = (program, context) => {
  const workspace = program.command('workspace').description('create, list and inspect workspaces (one per brand)');

  workspace
    .command('create')
    .argument('<name>', 'workspace name')
    .option('--timezone <zone>', 'IANA time zone: days and months, and timestamps without a zone', 'Asia/Tokyo')
    .option('--currency <code>', 'ISO 4217 currency of amounts', 'JPY')
    .option('--json', 'print JSON')
    .description('create a workspace')
    .action(async (name: string, options: { timezone: string; currency: string; json?: boolean }) => {
      const created = await context.withDatabase((database) => createWorkspace(database.db, { name, timezone: options.timezone, currency: options.currency }));
      if (options.json) console.log(JSON.stringify(created, null, 2));
      else console.log(`Created workspace "${created.name}" (${created.timezone}, ${created.currency}).`);
    });

  workspace
    .command('list')
    .option('--json', 'print JSON')
    .description('list workspaces')
    .action(async (options: { json?: boolean }) => {
      const workspaces = await context.withDatabase((database) => listWorkspaces(database.db));
      if (options.json) console.log(JSON.stringify(workspaces, null, 2));
      else for (const w of workspaces) console.log(`${w.name}\t${w.timezone}\t${w.currency}`);
    });

  workspace
    .command('show')
    .argument('<name>', 'workspace name')
    .option('--json', 'print JSON')
    .description('counts of customers, leads, products, orders, items and events, and the sales total')
    .action(async (name: string, options: { json?: boolean }) => {
      const summary = await context.withDatabase(async (database) => summarizeWorkspace(database.db, await findWorkspace(database.db, name)));
      if (options.json) {
        console.log(JSON.stringify(summary, null, 2));
        return;
      }
      console.log(`${summary.name} (${summary.timezone}, ${summary.currency})`);
      for (const [key, value] of Object.entries(summary.counts)) console.log(`  ${key.padEnd(12)} ${value.toLocaleString('en-US')}`);
      console.log(`  ${'sales'.padEnd(12)} ${groupThousands(summary.salesTotal)} ${summary.currency}`);
    });
};

/** '76860300.50' → '76,860,300.50', exactly (the decimal string is never turned into a float). */
function groupThousands(decimal: string): string {
  const [whole = '0', fraction] = decimal.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}
