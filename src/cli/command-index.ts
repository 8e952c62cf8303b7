import type { RegisterCommand } from './context.ts';

/** A top-level command of `kizuna`: its name, the line `kizuna --help` lists it with, and how to load it. */
export interface TopLevelCommand {
  name: string;
  summary: string;
  load(): Promise<RegisterCommand>;
}

/**
 * Every top-level command. Each module is imported only when its command is named, so
 * `kizuna --help` imports none of them and a command imports only its own: the analyses, the
 * importer, the demo generator and the charter checker each take a good part of a second to
 * load. A module may register more than one command (access: apikey, user and member); every command
 * a module registers must be listed here (src/cli/command-index.test.ts checks it).
 */
export const TOP_LEVEL_COMMANDS: readonly TopLevelCommand[] = [
  { name: 'serve', summary: 'run the API and the console', load: async () => (await import('./commands/serve.ts')).registerServeCommand },
  {
    name: 'workspace',
    summary: 'create, list and inspect workspaces (one per brand)',
    load: async () => (await import('./commands/workspace.ts')).registerWorkspaceCommands,
  },
  { name: 'apikey', summary: 'manage API keys', load: async () => (await import('./commands/access.ts')).registerAccessCommands },
  { name: 'user', summary: 'manage console users', load: async () => (await import('./commands/access.ts')).registerAccessCommands },
  { name: 'member', summary: "manage a workspace's members and their roles", load: async () => (await import('./commands/access.ts')).registerAccessCommands },
  { name: 'demo', summary: 'generate the demo brand (みのり青汁本舗)', load: async () => (await import('./commands/demo.ts')).registerDemoCommand },
  {
    name: 'import',
    summary: 'import a CSV export of customers, products, orders or events',
    load: async () => (await import('./commands/import.ts')).registerImportCommand,
  },
  {
    name: 'analyze',
    summary: 'sales, repeat rate, F2, retention, churn, RFM, customer value, subscriptions',
    load: async () => (await import('./commands/analyze.ts')).registerAnalyzeCommand,
  },
  {
    name: 'kpi',
    summary: 'KPIs: the tree of targets, their board, a tree seeded from sales',
    load: async () => (await import('./commands/kpi.ts')).registerKpiCommand,
  },
  {
    name: 'journey',
    summary: 'the two-axis journey map: set it, show it with live counts, flows, coverage, exports',
    load: async () => (await import('./commands/journey.ts')).registerJourneyCommand,
  },
  {
    name: 'scenario',
    summary: 'scenarios: list them, show one, publish one from JSON, pause, resume',
    load: async () => (await import('./commands/scenario.ts')).registerScenarioCommand,
  },
  {
    name: 'rules',
    summary: 'contact rules: frequency caps, quiet hours, suppression, the global control group; a preview',
    load: async () => (await import('./commands/rules.ts')).registerRulesCommand,
  },
  {
    name: 'charter',
    summary: 'check messages against the relationship charter; show, set it',
    load: async () => (await import('./commands/charter.ts')).registerCharterCommand,
  },
];

/**
 * The top-level command the arguments name (`kizuna help <command>` names its argument), or
 * undefined: `kizuna`, `kizuna --help`, `kizuna help` or an unknown name.
 */
export function namedCommand(args: readonly string[]): TopLevelCommand | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return TOP_LEVEL_COMMANDS.find((command) => command.name === name);
}
