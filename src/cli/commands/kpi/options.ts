import type { Command } from 'commander';
import {
  KPI_DIRECTIONS,
  KPI_GRANULARITIES,
  KPI_METRICS,
  type KpiDirection,
  type KpiGranularity,
  type KpiMetricKind,
  type KpiTargetOverride,
} from '../../../kpis/definition.ts';
import { calendarDate, decimalNumber, oneOf, usageError, wholeNumber } from '../analyze/options.ts';

/**
 * The options that spell a KPI's fields on the command line, and the input they make for
 * createKpi / updateKpi. A malformed value is a usage error (exit 2); whether the definition
 * holds together (a filter the metric cannot take, a share above 1) is the domain's to say
 * (validation_failed, exit 1).
 */
export interface KpiFieldOptions {
  name?: string;
  metric?: KpiMetricKind;
  within?: number;
  window?: number;
  deliveryNumber?: number;
  granularity?: KpiGranularity;
  target?: number;
  override?: KpiTargetOverride[];
  filter?: Record<string, string>;
  direction?: KpiDirection;
  tolerance?: number;
  parent?: string | null;
}

/** `--override 2024-05-01=25000`, repeatable; `--override none` clears them (update). */
function targetOverride(value: string, previous: KpiTargetOverride[] | undefined): KpiTargetOverride[] {
  if (value === 'none') return [];
  const match = /^([^=]+)=(.+)$/.exec(value);
  if (!match) throw usageError(`--override must be BUCKET=TARGET such as 2024-05-01=25000 (or none), not "${value}"`);
  const bucket = calendarDate('--override')(match[1]!);
  return [...(previous ?? []), { bucket, target: decimalNumber('--override')(match[2]!) }];
}

/** `--filter channel=web`, repeatable (the domain takes one); `--filter none` clears them (update). */
function filter(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  if (value === 'none') return {};
  const match = /^([A-Za-z]+)=(.+)$/.exec(value);
  if (!match) throw usageError(`--filter must be KEY=VALUE such as channel=web or gender=female (or none), not "${value}"`);
  return { ...previous, [match[1]!]: match[2]! };
}

/** `--parent 12`, or `--parent none` to make the KPI a root (update). */
function parent(value: string): string | null {
  if (value === 'none') return null;
  if (!/^\d{1,18}$/.test(value)) throw usageError(`--parent must be the id of a KPI (digits, see kpi list) or none, not "${value}"`);
  return value;
}

/** Adds the field options to `command`; `required` marks those `kpi add` cannot do without. */
export function kpiFieldOptions(command: Command, required: boolean): Command {
  const requiredOrNot = (flags: string, help: string, parse?: (value: string) => unknown) =>
    required ? command.requiredOption(flags, help, parse as (value: string) => string) : command.option(flags, help, parse as (value: string) => string);
  requiredOrNot('--name <name>', "the KPI's name, unique in the workspace");
  requiredOrNot('--metric <kind>', `what is measured: ${KPI_METRICS.join(', ')}`, oneOf('--metric', KPI_METRICS));
  command
    .option('--within <days>', 'F2 or step-up window in days (with --metric f2_rate or step_up_rate, required there)', wholeNumber('--within', 'days'))
    .option('--delivery-number <k>', 'the delivery continued from (with --metric continuation_rate, required there)', wholeNumber('--delivery-number'))
    .option('--window <days>', "churn window in days (with --metric churn_rate; default: the workspace's window)", wholeNumber('--window', 'days'));
  requiredOrNot(
    '--target <number>',
    'target of every bucket: a sum for sales, customers, purchases; the value for the quotients; 0 to 1 for the rates',
    decimalNumber('--target'),
  );
  return command
    .option(
      '--granularity <unit>',
      `buckets: ${KPI_GRANULARITIES.join(' or ')}${required ? ' (default: month)' : ''}`,
      oneOf('--granularity', KPI_GRANULARITIES),
    )
    .option('--override <bucket=target>', 'the target of one bucket (its first date), repeatable; "none" clears them', targetOverride)
    .option(
      '--filter <key=value>',
      'restrict a sales metric: channel, orderPrefecture, store, gender, customerPrefecture, ageBand, category or product; "none" clears it',
      filter,
    )
    .option(
      '--direction <direction>',
      `${KPI_DIRECTIONS.join(' or ')} (default: the metric's; lower for churn_rate and cancellation_rate)`,
      oneOf('--direction', KPI_DIRECTIONS),
    )
    .option('--tolerance <share>', 'half-width of the on-track band, 0 to 0.5 (default: 0.05)', decimalNumber('--tolerance'))
    .option('--parent <id>', 'the KPI above it (see kpi list); "none" for a root', parent);
}

/**
 * The fields given, as the domain's input: only those present, so an update keeps the others.
 * The metric's parameters go with it: --within with f2_rate and step_up_rate, --window with
 * churn_rate, --delivery-number with continuation_rate.
 */
export function kpiFields(options: KpiFieldOptions): Record<string, unknown> {
  const { metric } = options;
  if (options.within !== undefined && metric !== 'f2_rate' && metric !== 'step_up_rate')
    throw usageError('--within goes with --metric f2_rate or step_up_rate');
  if (options.window !== undefined && metric !== 'churn_rate') throw usageError('--window goes with --metric churn_rate');
  if (options.deliveryNumber !== undefined && metric !== 'continuation_rate') throw usageError('--delivery-number goes with --metric continuation_rate');
  if (metric === 'f2_rate' && options.within === undefined) throw usageError('--metric f2_rate needs --within DAYS, the F2 window');
  if (metric === 'step_up_rate' && options.within === undefined) throw usageError('--metric step_up_rate needs --within DAYS, the step-up window');
  if (metric === 'continuation_rate' && options.deliveryNumber === undefined)
    throw usageError('--metric continuation_rate needs --delivery-number K, the delivery continued from');
  const fields: Record<string, unknown> = {
    name: options.name,
    metric:
      metric === undefined
        ? undefined
        : metric === 'f2_rate' || metric === 'step_up_rate'
          ? { kind: metric, within: options.within }
          : metric === 'churn_rate'
            ? { kind: metric, window: options.window ?? null }
            : metric === 'continuation_rate'
              ? { kind: metric, deliveryNumber: options.deliveryNumber }
              : { kind: metric },
    granularity: options.granularity,
    target: options.target,
    targetOverrides: options.override,
    filters: options.filter,
    direction: options.direction,
    tolerance: options.tolerance,
    parentId: options.parent,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
