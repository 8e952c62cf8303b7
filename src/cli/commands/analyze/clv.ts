import { predictCustomerValues } from '../../../analytics/analyses.ts';
import type { BgNbdFit } from '../../../analytics/clv/bg-nbd.ts';
import type { GammaGammaFit } from '../../../analytics/clv/gamma-gamma.ts';
import type { TimeUnit } from '../../../analytics/clv/clv.ts';
import { listCustomerValues, type StoredCustomerValue } from '../../../analytics/customer-value/read-values.ts';
import { CUSTOMER_VALUE_DEFAULTS, type CustomerValueRun, type Distribution } from '../../../analytics/customer-value/terms.ts';
import type { SpendModel } from '../../../analytics/clv/spend-model.ts';
import { setAnalyticsSettings, type AnalyticsSettings } from '../../../analytics/settings.ts';
import { Option } from 'commander';
import { dataEndLine } from './data-end-line.ts';
import type { Workspace } from '../../../workspaces/workspaces.ts';
import type { RegisterCommand } from '../../context.ts';
import { formatTable } from '../../format-table.ts';
import { formatCount, formatNumber, formatPercent, moneyFormatter, NO_VALUE } from '../../format-numbers.ts';
import { analysisCommand, calendarDate, decimalNumber, oneOf, wholeNumber } from './options.ts';
import { runAnalysis, type AnalysisOptions } from './run-analysis.ts';
import { addDays } from '../../../analytics/periods.ts';

interface ClvOptions extends AnalysisOptions {
  calibrationEnd?: string;
  unit?: TimeUnit;
  horizon?: number;
  margin?: number;
  discountRate?: number;
  setMargin?: number | 'none';
  limit: number;
}

/** What `analyze clv` computes: the run (fits, checks, distributions) and the first page of customers by CLV. */
export interface CustomerValueReport {
  run: CustomerValueRun;
  top: { items: StoredCustomerValue[]; nextCursor: string | null };
}

/** Below this mean dropout probability the fit says the data shows no dropout (a at its boundary, 0). */
const NO_DROPOUT = 1e-4;

export const registerClvCommand: RegisterCommand = (analyze, context) => {
  const defaults = CUSTOMER_VALUE_DEFAULTS;
  analysisCommand(analyze, 'clv', { json: `print {run, top} as JSON: the run as computed and the first page of customers by CLV` })
    .summary('predicted customer value (BG/NBD + Gamma-Gamma)')
    .description(
      'predicted customer value: fits BG/NBD and Gamma-Gamma, scores and stores every customer, prints the fits, a holdout check, the distributions and the top customers',
    )
    .option('--calibration-end <date>', 'last day of the purchases the models learn from (default: yesterday)', calendarDate('--calibration-end'))
    .option('--unit <unit>', `time unit of the BG/NBD model: day or week (default: ${defaults.unit})`, oneOf<TimeUnit>('--unit', ['day', 'week']))
    .option('--horizon <months>', `months of future purchases valued (default: ${defaults.horizonMonths})`, wholeNumber('--horizon', 'months'))
    .option('--margin <share>', "share of spend kept as profit (粗利率), 0 to 1 (default: the workspace's setting; none is assumed)", decimalNumber('--margin'))
    .addOption(
      new Option('--set-margin <share|none>', 'store the workspace\'s margin (e.g. 0.35) that every run uses unless --margin is given; "none" unsets it')
        .argParser((value: string) => (value === 'none' ? ('none' as const) : decimalNumber('--set-margin')(value)))
        .conflicts(['calibrationEnd', 'unit', 'horizon', 'margin', 'discountRate']),
    )
    .option('--discount-rate <rate>', `discount rate a month, e.g. 0.01 (default: ${defaults.discountRate})`, decimalNumber('--discount-rate'))
    .option('--limit <n>', 'top customers listed', wholeNumber('--limit'), 20)
    .action((options: ClvOptions) => {
      if (options.setMargin !== undefined) {
        const margin = options.setMargin === 'none' ? null : options.setMargin;
        return runAnalysis({
          context,
          options,
          compute: ({ pool }, workspace) => setAnalyticsSettings({ pool, workspaceId: workspace.id, changes: { clvMargin: margin } }),
          print: (settings: AnalyticsSettings, workspace) => [
            settings.clvMargin === null
              ? `Workspace ${workspace.name} has no CLV margin now: analyze clv needs --margin until one is set.`
              : `The CLV margin of workspace ${workspace.name} is now ${formatPercent(settings.clvMargin)}; analyze clv uses it unless --margin is given.`,
          ],
        });
      }
      return runAnalysis({
        context,
        options,
        compute: async (deps, workspace): Promise<CustomerValueReport> => {
          const run = await predictCustomerValues(deps, {
            workspace,
            calibrationEnd: options.calibrationEnd,
            unit: options.unit,
            horizonMonths: options.horizon,
            margin: options.margin,
            discountRate: options.discountRate,
          });
          return { run, top: await listCustomerValues({ pool: deps.pool, workspaceId: workspace.id, limit: options.limit }) };
        },
        print: printCustomerValue,
      });
    });
};

/** What gave the expected spends, in words: the fit, or the fallback and why. */
function spendModelLines(model: SpendModel, money: (value: number) => string): string[] {
  if (model.method === 'gamma_gamma') return [`  Expected spends: Gamma-Gamma (population mean spend per purchase ${money(model.populationMean)}).`];
  const why = {
    not_converged: 'the Gamma-Gamma fit did not converge',
    no_population_mean: 'the Gamma-Gamma fit has no population mean (q ≤ 1)',
    no_spread: 'the Gamma-Gamma fit shows no spread of spend between customers (q too large: it would give every customer the same spend)',
  }[model.reason!];
  const k = formatCount(model.shrinkagePurchases ?? 0);
  return [
    `  Not used: ${why}. Expected spends are each customer's own mean spend shrunk toward the population's ${money(model.populationMean)}:`,
    `  (x × own mean + ${k} × ${money(model.populationMean)}) ÷ (x + ${k}), x = repeat purchase days (a customer without one gets the population's mean).`,
  ];
}

/** Estimates to four significant digits; a missing one (no standard error: singular information matrix) as NO_VALUE. */
function significant(value: number | null): string {
  return value !== null && Number.isFinite(value) ? value.toLocaleString('en-US', { maximumSignificantDigits: 4 }) : NO_VALUE;
}

function printCustomerValue({ run, top }: CustomerValueReport, workspace: Workspace): string[] {
  const money = moneyFormatter(workspace.currency);
  const right = { align: 'right' } as const;
  const { bgNbd: bg, gammaGamma: gg } = run;
  const meanDropout = bg.a / (bg.a + bg.b);
  const margin = `margin ${formatPercent(run.margin)}`;
  return [
    ...dataEndLine(run.dataEndsOn, addDays(run.calibrationEnd, 1)),
    `Predicted customer value, BG/NBD + ${run.spendModel.method === 'gamma_gamma' ? 'Gamma-Gamma' : 'shrunk mean spends'} (workspace ${workspace.name}, ${workspace.currency})`,
    `Calibration: purchases up to ${run.calibrationEnd}, time unit ${run.unit}; value over ${formatCount(run.horizonMonths)} months ` +
      `at a margin of ${formatPercent(run.margin)} (${run.marginSource === 'setting' ? "the workspace's setting" : 'given with --margin'}) and a discount rate of ${formatPercent(run.discountRate, 2)} a month`,
    `${formatCount(run.customers)} customers scored, ${formatCount(run.repeatCustomers)} with repeat purchases; total CLV ${money(run.totalClv)} (${margin})`,
    '',
    ...printFit(`BG/NBD, repeat purchase days (alpha in ${run.unit}s)`, bg, [
      ['r', bg.r, bg.standardErrors.r],
      ['alpha', bg.alpha, bg.standardErrors.alpha],
      ['a', bg.a, bg.standardErrors.a],
      ['b', bg.b, bg.standardErrors.b],
    ]),
    `  mean dropout probability after a purchase E[p] = a / (a + b) = ${formatNumber(meanDropout, 6)}`,
    ...(meanDropout < NO_DROPOUT
      ? [
          '  The data shows no dropout yet: every customer is estimated alive, and the BG/NBD estimates have no standard errors (the fit is at the edge of its range). A longer calibration period may let the model see dropout.',
        ]
      : []),
    '',
    ...printFit(`Gamma-Gamma, spend per purchase (gamma in ${workspace.currency})`, gg, [
      ['p', gg.p, gg.standardErrors.p],
      ['q', gg.q, gg.standardErrors.q],
      ['gamma', gg.gamma, gg.standardErrors.gamma],
    ]),
    ...spendModelLines(run.spendModel, money),
    '',
    run.holdout === null
      ? 'Holdout check: no purchase after the calibration end.'
      : `Holdout check: ${formatCount(run.holdout.days)} days after calibration, ${formatCount(run.holdout.actual)} repeat purchase days against ` +
        `${formatNumber(run.holdout.expected, 1)} expected (${signedPercent((run.holdout.actual - run.holdout.expected) / run.holdout.expected)})`,
    '',
    ...formatTable(
      ['distribution', 'mean', 'p10', 'p25', 'median', 'p75', 'p90', 'p99'].map((header, index) => ({ header, align: index === 0 ? 'left' : 'right' })),
      [distributionRow(`CLV (${workspace.currency}, ${margin})`, run.clv, money), distributionRow('P(alive)', run.probabilityAlive, (v) => formatPercent(v))],
    ),
    '',
    `Top ${formatCount(top.items.length)} customers by CLV`,
    ...formatTable(
      [
        { header: 'customer' },
        { header: 'name' },
        { header: 'repeat purchases', ...right },
        { header: 'P(alive)', ...right },
        { header: 'expected purchases', ...right },
        { header: 'expected spend', ...right },
        { header: `CLV (${margin})`, ...right },
      ],
      top.items.map((c) => [
        c.externalId,
        c.name ?? '',
        formatCount(c.repeatPurchases),
        formatPercent(c.probabilityAlive),
        formatNumber(c.expectedPurchases),
        money(c.expectedSpend),
        money(c.clv),
      ]),
    ),
  ];
}

/** A fit's header line and its parameters' estimates with standard errors. */
function printFit(title: string, fit: BgNbdFit | GammaGammaFit, parameters: [name: string, estimate: number, standardError: number | null][]): string[] {
  return [
    `${title}: log-likelihood ${formatNumber(fit.logLikelihood, 2)}, ${fit.converged ? 'converged' : 'NOT converged'} after ${formatCount(fit.iterations)} iterations`,
    ...formatTable(
      [{ header: 'parameter' }, { header: 'estimate', align: 'right' }, { header: 'std. error', align: 'right' }],
      parameters.map(([name, estimate, standardError]) => [name, significant(estimate), significant(standardError)]),
    ),
  ];
}

function distributionRow(label: string, d: Distribution, format: (value: number) => string): string[] {
  return [label, format(d.mean), format(d.p10), format(d.p25), format(d.median), format(d.p75), format(d.p90), format(d.p99)];
}

function signedPercent(share: number): string {
  return share > 0 ? `+${formatPercent(share)}` : formatPercent(share);
}
