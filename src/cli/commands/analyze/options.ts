import { COMPARISONS, dayNumber, GRANULARITIES, type Comparison, type Granularity } from '../../../analytics/periods.ts';
import { DIMENSION_KINDS, type DifferenceDimension } from '../../../analytics/sales-difference.ts';
import type { Command } from 'commander';
import { KizunaError } from '../../../shared/errors.ts';
import { ENGINE_CHOICES, type EngineChoice } from '../../../analytics/engine/analytics-engine.ts';

/**
 * Parsers of the analyze commands' option values, for commander's `.option(flags, help, parser)`.
 * A malformed value is a usage error: `bad_request`, which the CLI prints as one line naming
 * the option and ends with exit code 2 (see reportCliError). Whether a well-formed value is
 * acceptable (a period's order, a window's range) is left to the domain function, whose
 * `validation_failed` ends with exit code 1.
 */

export function usageError(message: string): KizunaError {
  return new KizunaError('bad_request', message);
}

/** `--from 2024-03-01`: a calendar date written YYYY-MM-DD. */
export function calendarDate(option: string): (value: string) => string {
  return (value) => {
    try {
      dayNumber(value);
    } catch {
      throw usageError(`${option} must be a date written YYYY-MM-DD, not "${value}"`);
    }
    return value;
  };
}

/** `--within 90`: digits only (a sign, a fraction or a unit is refused rather than guessed). */
export function wholeNumber(option: string, unit?: string): (value: string) => number {
  return (value) => {
    if (!/^\d{1,9}$/.test(value)) throw usageError(`${option} must be a whole number${unit ? ` of ${unit}` : ''}, not "${value}"`);
    return Number(value);
  };
}

/** `--margin 0.3`: a plain decimal number. */
export function decimalNumber(option: string): (value: string) => number {
  return (value) => {
    if (!/^-?(\d+\.?\d*|\.\d+)$/.test(value)) throw usageError(`${option} must be a number such as 0.3, not "${value}"`);
    return Number(value);
  };
}

/** `--unit week`: one of a closed list. */
export function oneOf<Choice extends string>(option: string, choices: readonly Choice[]): (value: string) => Choice {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw usageError(`${option} must be one of ${choices.join(', ')}, not "${value}"`);
    return value as Choice;
  };
}

export const granularity = oneOf<Granularity>('--granularity', GRANULARITIES);

/** `--compare previous,year` (sales): the comparisons, comma-separated, or `none`. */
export function comparisons(value: string): Comparison[] {
  if (value === 'none') return [];
  const parse = oneOf<Comparison>('--compare', COMPARISONS);
  try {
    return [...new Set(value.split(',').map((part) => parse(part.trim())))];
  } catch {
    throw usageError(`--compare must be previous, year, both (previous,year) or none, not "${value}"`);
  }
}

/** `--by age_band`, `--by attribute:会員ランク`: the dimension of a difference. */
export function dimension(value: string): DifferenceDimension {
  const attribute = /^attribute:(.+)$/.exec(value);
  if (attribute) return { kind: 'attribute', key: attribute[1]! };
  const kinds = DIMENSION_KINDS.filter((kind) => kind !== 'attribute');
  const isKind = (text: string): text is Exclude<DifferenceDimension['kind'], 'attribute'> => (kinds as readonly string[]).includes(text);
  if (!isKind(value)) throw usageError(`--by must be one of ${kinds.join(', ')} or attribute:KEY, not "${value}"`);
  return { kind: value };
}

/**
 * `--set-window 120` or `--set-window proposal` (follow the window proposed from the purchase
 * intervals). A word rather than null, which commander would turn into ''.
 */
export function churnWindowSetting(value: string): number | 'proposal' {
  if (value === 'proposal') return value;
  if (!/^\d{1,9}$/.test(value)) throw usageError(`--set-window must be a whole number of days or "proposal", not "${value}"`);
  return Number(value);
}

/** The help line of every `--workspace`. */
const WORKSPACE_HELP = 'workspace to analyse (default: demo)';
/** The help line of every `--json`. */
const JSON_HELP = 'print the result as JSON (the analysis exactly as computed)';

const PERIOD_HELP = { from: 'first day of the period (YYYY-MM-DD)', to: 'first day after the period (YYYY-MM-DD): the period is [from, to)' };

/**
 * An analyze subcommand with the options every analysis takes: `--workspace`, `--json`
 * (`json` rewords its help), and, with `period`, the required `--from` and `--to` (a command
 * may reword their help).
 */
export function analysisCommand(
  analyze: Command,
  name: string,
  shape: { period?: boolean | { from: string; to: string }; json?: string; engine?: boolean } = {},
): Command {
  const command = analyze.command(name);
  if (shape.engine) {
    command.option(
      '--engine <engine>',
      'memory: the analytics engine (reads the purchases once, then computes in memory); sql: the SQL reference implementation',
      oneOf<EngineChoice>('--engine', ENGINE_CHOICES),
      'memory',
    );
  }
  if (shape.period) {
    const help = shape.period === true ? PERIOD_HELP : shape.period;
    command.requiredOption('--from <date>', help.from, calendarDate('--from')).requiredOption('--to <date>', help.to, calendarDate('--to'));
  }
  return command.option('--workspace <name>', WORKSPACE_HELP).option('--json', shape.json ?? JSON_HELP);
}
