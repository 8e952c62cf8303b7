import { senderSettingsGate } from '../../messaging/sender-settings.ts';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { type Comparison, measureScenario, type ScenarioMeasurement } from '../../measurement/uplift.ts';
import type { ScenarioProblem } from '../../scenarios/model.ts';
import { dryRunScenario } from '../../scenarios/dry-run.ts';
import { listScenarios, pauseScenario, publishScenario, readScenario, resumeScenario, type StoredScenario } from '../../scenarios/scenarios.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { RegisterCommand } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { formatTable } from '../format-table.ts';
import { usageError } from './analyze/options.ts';

/**
 * `kizuna scenario list | show ID|KEY | publish FILE.json | pause ID | resume ID | dry-run ID --customer C | measure ID`: scenarios
 * from the command line; a scenario is a JSON file (docs/scenarios.md). Exit codes: 0 done;
 * 1 a publish refused (every problem printed with its path) or a pause/resume that does not
 * apply; 2 a usage error.
 */
export const registerScenarioCommand: RegisterCommand = (program, context) => {
  const scenario = program.command('scenario').description('scenarios: list them, show one, publish one from JSON, pause, resume').showHelpAfterError(false);

  scenarioCommand(scenario, 'list')
    .description('every scenario of the workspace: key, status, published version, trigger')
    .action(async (options: ScenarioOptions) => {
      const list = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        return listScenarios({ pool: database.pool, workspaceId: workspace.id });
      });
      if (options.json) {
        console.log(JSON.stringify(list, null, 2));
        return;
      }
      if (list.length === 0) {
        console.log('No scenarios yet: publish one with npx kizuna scenario publish FILE.json (docs/scenarios.md).');
        return;
      }
      const columns = [
        { header: 'id', align: 'right' as const },
        { header: 'key' },
        { header: 'status' },
        { header: 'version', align: 'right' as const },
        { header: 'trigger' },
        { header: 'priority', align: 'right' as const },
        { header: 'name' },
      ];
      const rows = list.map((s) => [
        s.id,
        s.key,
        s.status,
        s.publishedVersion === null ? '-' : String(s.publishedVersion),
        s.triggerKind ?? '-',
        s.priority === null ? '-' : String(s.priority),
        s.name ?? '-',
      ]);
      for (const line of formatTable(columns, rows, 0)) console.log(line);
    });

  scenarioCommand(scenario, 'show')
    .argument('<scenario>', 'the scenario id or key')
    .description('one scenario: its status, published version (the document with --json) and draft')
    .action(async (name: string, options: ScenarioOptions) => {
      const stored = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        return readScenario({ pool: database.pool, workspaceId: workspace.id, scenario: name });
      });
      if (options.json) {
        console.log(JSON.stringify(stored, null, 2));
        return;
      }
      printScenario(stored);
    });

  scenarioCommand(scenario, 'publish')
    .argument('<file>', 'the scenario as JSON (docs/scenarios.md; examples/scenarios/step-up.json)')
    .description('check the scenario and publish it as a new version (created when its key is new); refused with every problem while any error remains')
    .action(async (file: string, options: ScenarioOptions) => {
      const input = await readJson(file);
      try {
        const published = await context.withDatabase(async (database) => {
          const workspace = await context.workspace(database, options.workspace);
          return publishScenario({
            pool: database.pool,
            workspaceId: workspace.id,
            input,
            actor: { kind: 'system', label: cliActor() },
            clock: context.clock,
            senderSettingsMissing: senderSettingsGate(database.db),
          });
        });
        if (options.json) {
          console.log(JSON.stringify(published, null, 2));
          return;
        }
        const { version } = published;
        if (published.outcome === 'unchanged')
          console.log(`Scenario "${published.scenario.key}" is unchanged (version ${version.version}); it is ${published.scenario.status}.`);
        else console.log(`Published version ${version.version} of scenario "${published.scenario.key}" (id ${published.scenario.id}): ${version.summary}.`);
        for (const warning of published.warnings) console.log(`  warning ${warning.path}: ${warning.message}`);
      } catch (error) {
        if (error instanceof KizunaError && isProblems(error.details)) {
          const problems = error.details.problems;
          if (options.json) console.log(JSON.stringify({ refused: true, problems }, null, 2));
          else {
            const errors = problems.filter((problem) => problem.severity === 'error').length;
            console.error(`error: ${file} was refused (${errors} problem${errors === 1 ? '' : 's'}); nothing was published:`);
            for (const problem of problems) console.error(`  ${problem.severity === 'warning' ? 'warning ' : ''}${problem.path}: ${problem.message}`);
          }
          process.exitCode = EXIT.refused;
          return;
        }
        throw error;
      }
    });

  for (const action of ['pause', 'resume'] as const) {
    scenarioCommand(scenario, action)
      .argument('<scenario>', 'the scenario id or key')
      .description(action === 'pause' ? 'stop new entries into an active scenario' : 'let customers enter a paused scenario again')
      .action(async (name: string, options: ScenarioOptions) => {
        const stored = await context.withDatabase(async (database) => {
          const workspace = await context.workspace(database, options.workspace);
          const change = action === 'pause' ? pauseScenario : resumeScenario;
          return change({ pool: database.pool, workspaceId: workspace.id, scenario: name, clock: context.clock });
        });
        if (options.json) console.log(JSON.stringify(stored, null, 2));
        else console.log(`Scenario "${stored.key}" is ${stored.status}.`);
      });
  }

  scenarioCommand(scenario, 'measure')
    .argument('<scenario>', 'the scenario id or key')
    .description('the effect against the holdout: by the plan, with 95 % intervals, per step; judged once at the planned end (docs/measurement.md)')
    .action(async (name: string, options: ScenarioOptions) => {
      const result = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        return measureScenario(database.pool, { workspaceId: workspace.id, scenario: name, now: context.clock.now() });
      });
      if (options.json) console.log(JSON.stringify(result, null, 2));
      else printMeasurement(result);
    });

  scenarioCommand(scenario, 'dry-run')
    .argument('<scenario>', 'the scenario id or key')
    .requiredOption('--customer <id>', "the customer's id (external id, or Kizuna's id)")
    .option('--draft', 'run the draft instead of the published version')
    .description('the path one customer would take if it triggered for them now, with the moment of each step; writes and sends nothing')
    .action(async (name: string, options: ScenarioOptions & { customer: string; draft?: boolean }) => {
      const run = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        return dryRunScenario({
          pool: database.pool,
          workspaceId: workspace.id,
          scenario: name,
          customer: options.customer,
          clock: context.clock,
          ...(options.draft ? { draft: true } : {}),
        });
      });
      if (options.json) {
        console.log(JSON.stringify(run, null, 2));
        return;
      }
      console.log(`Dry run of ${run.scenario.key} (version ${run.scenario.version}) for customer ${run.customer.externalId}; nothing is written or sent.`);
      for (const note of run.notes) console.log(`note: ${note}`);
      for (const entry of run.path) {
        const detail =
          entry.outcome === 'waiting'
            ? entry.until
              ? `waits until ${entry.until}`
              : `waits (${entry.detail ?? ''})`
            : `${entry.outcome}${entry.detail ? ` (${entry.detail})` : ''}`;
        console.log(`  ${entry.at}  ${entry.stepId} [${entry.kind}] ${detail}`);
      }
      for (const effect of run.effects) {
        const what =
          effect.kind === 'send'
            ? `send template ${effect.templateId} (${effect.purpose})`
            : effect.kind === 'task'
              ? `task for ${effect.department}: ${effect.title}`
              : `set ${effect.name}`;
        console.log(`effect at ${effect.at}: ${what}`);
      }
      console.log(`end: ${run.end.status}${run.end.reason ? ` (${run.end.reason})` : ''}`);
    });
};

interface ScenarioOptions {
  workspace?: string;
  json?: boolean;
}

/** A comparison's effect in a few words: "+2.3 pt (95 % CI +0.8 … +3.8 pt)" or the yen difference. */
function effectWords(comparison: Comparison): string {
  const { effect } = comparison;
  if (!effect) return 'no comparison yet';
  if (effect.kind === 'proportion') {
    const pt = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} pt`;
    return `${pt(effect.difference)} (95 % CI ${pt(effect.low)} … ${pt(effect.high)})`;
  }
  const yen = (value: number) => `${value >= 0 ? '+' : '−'}¥${Math.abs(Math.round(value)).toLocaleString('en-US')}`;
  const judged = effect.cuped ?? effect;
  return `${yen(judged.difference)} per customer (95 % CI ${yen(judged.low)} … ${yen(judged.high)}${effect.cuped ? ', CUPED' : ''}; bootstrap ${yen(effect.bootstrap.low)} … ${yen(effect.bootstrap.high)}; capped at ¥${Math.round(effect.cap.value).toLocaleString('en-US')})`;
}

function printMeasurement(result: ScenarioMeasurement): void {
  if (result.status === 'no_plan' || !result.plan) {
    console.log(`${result.scenarioKey}: no holdout planned — add "measurement" to the scenario (docs/measurement.md).`);
    return;
  }
  const { plan } = result;
  console.log(
    `${result.scenarioKey}: ${plan.holdoutPercent} % held out, metric ${result.kpi ? `KPI "${result.kpi.name}" (as ${result.metric})` : result.metric}, window ${plan.windowDays} d, entries until ${result.entriesUntil}, judged at ${result.judgedAt}`,
  );
  const overall = result.overall;
  if (overall) {
    const value = (arm: Comparison['treatment']) =>
      arm.value === null ? '-' : result.metric === 'revenue' ? `¥${Math.round(arm.value).toLocaleString('en-US')}` : `${(arm.value * 100).toFixed(1)} %`;
    console.log(
      `treatment ${overall.treatment.customers} customers: ${value(overall.treatment)}; holdout ${overall.holdout.customers}: ${value(overall.holdout)}`,
    );
    console.log(`effect: ${effectWords(overall)}`);
    if (overall.required)
      console.log(
        `needed for the planned minimum effect: ${overall.required.treatment} + ${overall.required.holdout} customers${overall.enoughData ? ' (reached)' : ' — not enough data yet'}`,
      );
  }
  console.log(
    result.status === 'judged'
      ? `verdict: ${overall?.verdict ?? 'no data'}`
      : `collecting: no verdict before ${result.judgedAt} (${result.pending.treatment + result.pending.holdout} customers still in their window)`,
  );
  if (result.sampleRatio.pValue !== null && result.sampleRatio.pValue < 0.001)
    console.log(
      `warning: ${((result.sampleRatio.observed ?? 0) * 100).toFixed(1)} % held out, ${plan.holdoutPercent} % planned (p = ${result.sampleRatio.pValue.toExponential(1)})`,
    );
  for (const step of result.steps)
    console.log(
      `  step ${step.stepId}: ${step.treatment.customers} + ${step.holdout.customers} reached it; ${effectWords(step)}${step.verdict ? `; ${step.verdict}` : ''}`,
    );
}

function scenarioCommand(scenario: Command, name: string): Command {
  return scenario.command(name).option('--workspace <name>', 'the workspace (default: demo)').option('--json', 'print the result as JSON');
}

function printScenario(stored: StoredScenario): void {
  const document = stored.published?.document;
  console.log(`${stored.key} (id ${stored.id}): ${stored.status}${document ? ` — ${document.name}` : ''}`);
  if (stored.published && document) {
    const { version, createdBy, createdAt } = stored.published;
    console.log(`version ${version}, published by ${createdBy} at ${createdAt.toISOString()}`);
    console.log(
      `purpose ${document.purpose}, department ${document.department}, priority ${document.priority}, trigger ${document.trigger.kind}, re-entry ${document.reentry.kind}`,
    );
    console.log(`${document.steps.length} steps from "${document.start}":`);
    for (const step of document.steps) console.log(`  ${step.id} (${step.kind})${step.name ? ` ${step.name}` : ''}`);
  }
  if (stored.draft) console.log(`draft saved by ${stored.draft.savedBy} at ${stored.draft.savedAt.toISOString()} (not published)`);
}

function isProblems(details: unknown): details is { problems: ScenarioProblem[] } {
  return typeof details === 'object' && details !== null && Array.isArray((details as { problems?: unknown }).problems);
}

export function cliActor(): string {
  try {
    return `cli (${userInfo().username})`;
  } catch {
    return 'cli';
  }
}

export async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw usageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new KizunaError('bad_request', `${file} is not JSON: ${(error as Error).message}`);
  }
}
