import { Command } from 'commander';
import { createCliContext, reportCliError } from './context.ts';
import { registerAccessCommands } from './commands/access.ts';
import { registerAnalyzeCommand } from './commands/analyze.ts';
import { registerCharterCommand } from './commands/charter.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerImportCommand } from './commands/import.ts';
import { registerKpiCommand } from './commands/kpi.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerWorkspaceCommands } from './commands/workspace.ts';

const program = new Command('kizuna')
  .description('Kizuna (絆): a relationship-first CRM engine for repeat-purchase brands')
  .showHelpAfterError();
const context = createCliContext();

registerServeCommand(program, context);
registerWorkspaceCommands(program, context);
registerAccessCommands(program, context);
registerDemoCommand(program, context);
registerImportCommand(program, context);
registerAnalyzeCommand(program, context);
registerKpiCommand(program, context);
registerCharterCommand(program, context);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  reportCliError(error);
}
// Exit explicitly: the embedded PostgreSQL's exit hook would otherwise end the process with 0.
process.exit(process.exitCode ?? 0);
