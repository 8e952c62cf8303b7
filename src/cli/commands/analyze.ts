import type { RegisterCommand } from '../context.ts';
import { registerChurnCommand } from './analyze/churn.ts';
import { registerClvCommand } from './analyze/clv.ts';
import { registerDifferenceCommand } from './analyze/difference.ts';
import { registerRetentionCommand } from './analyze/retention.ts';
import { registerRepeatCommand, registerF2Command } from './analyze/repeat-f2.ts';
import { registerRfmCommand } from './analyze/rfm.ts';
import { registerSalesCommand } from './analyze/sales.ts';
import { registerCancellationsCommand, registerContinuationCommand, registerStepUpCommand, registerSubscribersCommand } from './analyze/subscriptions.ts';

/**
 * `kizuna analyze sales|difference|repeat|f2|retention|churn|rfm|clv|continuation|cancellations|step-up|subscribers`: each subcommand calls
 * one analysis of src/analytics and prints readable tables, or with --json the result as
 * computed. Exit codes: 0 done; 1 the analysis refused its input (a period's order, a window
 * out of range: validation_failed); 2 a usage error, reported on one line naming the option
 * (a value that is not a date, an unknown --by, a required option missing), or another failure.
 */
export const registerAnalyzeCommand: RegisterCommand = (program, context) => {
  const analyze = program
    .command('analyze')
    .description(
      'analytics: sales decomposition and difference, repeat rate, F2 conversion, cohort retention, churn, RFM, predicted customer value; subscriptions: continuation, cancellations, step-up, subscribers',
    )
    // Copied into the subcommands created below: a usage error is one line (exit code 2, src/cli/exit-codes.ts).
    .showHelpAfterError(false);
  for (const register of [
    registerSalesCommand,
    registerDifferenceCommand,
    registerRepeatCommand,
    registerF2Command,
    registerRetentionCommand,
    registerChurnCommand,
    registerRfmCommand,
    registerClvCommand,
    registerContinuationCommand,
    registerCancellationsCommand,
    registerStepUpCommand,
    registerSubscribersCommand,
  ])
    register(analyze, context);
};
