import { InvalidArgumentError } from 'commander';
import { DEMO_WORKSPACE } from '../../workspaces/workspaces.ts';
import { loadDemoBrand, type LoadDemoSummary } from '../../demo/load-demo-brand.ts';
import type { RegisterCommand } from '../context.ts';
import { progressBar } from '../progress.ts';

interface DemoCommandOptions {
  customers?: number;
  seed?: number;
  workspace: string;
  until?: string;
  replace?: boolean;
  journeyHistory: boolean;
  json?: boolean;
}

function wholeNumber(value: string): number {
  const number = Number(value.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(number) || number < 0) throw new InvalidArgumentError('expected a whole number ≥ 0.');
  return number;
}

export const registerDemoCommand: RegisterCommand = (program, context) => {
  program
    .command('demo')
    .description('generate the demo brand (みのり青汁本舗): customers, leads, subscriptions, two years of orders and events up to yesterday')
    .option('--customers <n>', `customers who bought (leads come on top; default KIZUNA_DEMO_CUSTOMERS or ${context.config.demoCustomers})`, wholeNumber)
    .option('--seed <s>', `random seed: the same seed and size give the same data (default KIZUNA_DEMO_SEED or ${context.config.demoSeed})`, wholeNumber)
    .option('--workspace <name>', 'workspace to load into, created when missing', DEMO_WORKSPACE)
    .option('--until <date>', "last day of the two-year history (YYYY-MM-DD; default yesterday in the workspace's time zone)")
    .option('--replace', "delete the workspace's customers, orders, events and products first")
    .option('--no-journey-history', 'place the journey map as of now only, without the weekly placements of the past year (for very large demos)')
    .option('--json', 'print the summary as JSON')
    .action(async (options: DemoCommandOptions) => {
      const customers = options.customers ?? context.config.demoCustomers;
      const seed = options.seed ?? context.config.demoSeed;
      const bar = progressBar('demo [{bar}] {percentage}% | {value}/{total} profiles | {duration_formatted} (eta {eta_formatted})', !options.json);
      const journeyBar = progressBar('journey map [{bar}] {percentage}% | {value}/{total} weeks placed | {duration_formatted}', !options.json);
      const startedAt = performance.now();
      const summary = await context.withDatabase(async (database) => {
        try {
          return await loadDemoBrand(database, {
            customers,
            seed,
            ...(options.until === undefined ? { clock: context.clock } : { until: options.until }),
            workspaceName: options.workspace,
            replace: options.replace,
            journeyHistory: options.journeyHistory,
            onProgress: (done, total) => {
              bar.update(done, total);
              if (done === total) bar.stop();
            },
            onJourneyProgress: journeyBar.update,
          });
        } finally {
          bar.stop();
          journeyBar.stop();
        }
      });
      const seconds = (performance.now() - startedAt) / 1000;
      if (options.json) console.log(JSON.stringify({ ...summary, seconds: Number(seconds.toFixed(1)) }, null, 2));
      else printSummary(summary, seconds);
    });
};

function printSummary(summary: LoadDemoSummary, seconds: number): void {
  const n = (value: number) => value.toLocaleString('en-US');
  const rows = Object.values(summary.rows).reduce((sum, count) => sum + count, 0);
  console.log(`Loaded ${summary.brand} into workspace "${summary.workspace.name}" (seed ${summary.seed}, ${summary.window.from} – ${summary.window.until}).`);
  console.log(`  customers        ${n(summary.customers)}`);
  console.log(`  leads            ${n(summary.leads)}`);
  console.log(`  products         ${n(summary.products)}`);
  console.log(`  subscriptions    ${n(summary.rows.subscriptions)} (${n(summary.subscriptionsInForce)} in force on the last day)`);
  console.log(`  orders           ${n(summary.rows.orders)} (${n(summary.purchases)} purchases, ¥${n(summary.salesTotal)})`);
  console.log(`  order items      ${n(summary.rows.order_items)}`);
  console.log(`  identities       ${n(summary.rows.customer_identities)}`);
  console.log(`  consents         ${n(summary.rows.consents)} (${n(summary.rows.consent_changes)} changes)`);
  console.log(`  events           ${n(summary.rows.events)}`);
  const { journey } = summary;
  const placements = journey.steps === 1 ? 'placed now' : `${journey.steps} weekly placements over the past year`;
  console.log(`  journey map      ${journey.saved ? 'the demo map, ' : ''}${placements}, ${n(journey.moves)} moves (${journey.seconds.toFixed(1)} s)`);
  console.log(`  ${n(rows)} rows in ${seconds.toFixed(1)} s (${n(Math.round(rows / seconds))} rows/s)`);
}
