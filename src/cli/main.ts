import { Command } from 'commander';
import { namedCommand, TOP_LEVEL_COMMANDS } from './command-index.ts';
import { createCliContext, reportCliError } from './context.ts';
import { EXIT } from './exit-codes.ts';

const program = new Command('kizuna')
  .description('Kizuna (絆): a relationship-first CRM engine for repeat-purchase brands')
  .showHelpAfterError()
  // Inherited by every command registered below: a usage error (an unknown option, a missing argument) exits 2, help 0.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? EXIT.done : EXIT.failed));

try {
  const context = createCliContext();
  const named = namedCommand(process.argv.slice(2));
  // Only the command named is loaded; without one, each is listed by name for the help and for commander's "unknown command".
  if (named) (await named.load())(program, context);
  else for (const command of TOP_LEVEL_COMMANDS) program.command(command.name).summary(command.summary);
  await program.parseAsync(process.argv);
} catch (error) {
  reportCliError(error);
}
// Exit explicitly: the embedded PostgreSQL's exit hook would otherwise end the process with 0.
process.exit(process.exitCode ?? EXIT.done);
