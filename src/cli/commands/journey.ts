import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { todayIn } from '../../analytics/analyses.ts';
import { coverageOf } from '../../journey-map/coverage.ts';
import { journeyDiagramInput } from '../../journey-map/diagram-data.ts';
import { exportDiagram } from '../../journey-map/diagram/export.ts';
import { listJourneyMapVersions, readActiveJourneyMap, saveJourneyMap } from '../../journey-map/maps.ts';
import type { JourneyMap, MapProblem } from '../../journey-map/model.ts';
import { placeWorkspace } from '../../journey-map/placement/place.ts';
import { journeyCellCounts, journeyFlows, stepDownPatterns } from '../../journey-map/placement/reads.ts';
import { technologyMap } from '../../journey-map/technology-map.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import { journeyPeriod } from '../../journey-map/period.ts';
import type { RegisterCommand } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { formatTable } from '../format-table.ts';
import { progressBar } from '../progress.ts';
import { oneOf, usageError } from './analyze/options.ts';

/**
 * `kizuna journey set|show|versions|place|flows|coverage|technology|export`: the two-axis
 * journey map from the command line — the map as a JSON file (docs/journey-map.md), its live
 * counts, re-placing everyone, the flows of a period, coverage, the technology map and the
 * diagram's exports. Exit codes: 0 done; 1 a map refused (every problem printed, with its
 * path); 2 a usage error.
 */
export const registerJourneyCommand: RegisterCommand = (program, context) => {
  const journey = program
    .command('journey')
    .description('the two-axis journey map: set it from JSON, show it with live counts, flows, coverage, exports')
    .showHelpAfterError(false);

  journeyCommand(journey, 'set')
    .argument('<file>', 'the map as JSON (docs/journey-map.md); the output of journey show --json works too')
    .option('--draft', 'save as a draft version instead of making it the active map')
    .description('save the map from a JSON file as a new version; unless --draft, it becomes the active map and everyone is re-placed on it')
    .action(async (file: string, options: JourneyOptions & { draft?: boolean }) => {
      const input = mapOf(await readJson(file));
      try {
        const { workspace, saved } = await context.withDatabase(async (database, { analytics }) => {
          const workspace = await context.workspace(database, options.workspace);
          const saved = await saveJourneyMap({
            pool: database.pool,
            workspaceId: workspace.id,
            input,
            actor: { kind: 'system', label: cliActor() },
            activate: !options.draft,
            clock: context.clock,
            analytics,
          });
          return { workspace, saved };
        });
        if (options.json) {
          console.log(JSON.stringify(saved, null, 2));
          return;
        }
        const { version } = saved;
        if (saved.outcome === 'unchanged') console.log(`The map of workspace "${workspace.name}" is unchanged (version ${version.version}).`);
        else
          console.log(
            `Saved version ${version.version} of the journey map of workspace "${workspace.name}" as ${version.status}${version.summary ? `: ${version.summary}` : ''}.`,
          );
        if (saved.outcome === 'saved' && saved.placement) {
          const p = saved.placement;
          console.log(`Placed ${n(p.profiles)} customers and leads; ${n(p.moved)} changed cell (${p.seconds.toFixed(1)} s).`);
        }
      } catch (error) {
        if (error instanceof KizunaError && isProblems(error.details)) {
          const problems = error.details.problems;
          if (options.json) console.log(JSON.stringify({ refused: true, problems }, null, 2));
          else {
            console.error(`error: ${file} was refused (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was saved:`);
            for (const problem of problems) console.error(`  ${problem.path}: ${problem.message}`);
          }
          process.exitCode = EXIT.refused;
          return;
        }
        throw error;
      }
    });

  journeyCommand(journey, 'show')
    .description('the active map with the live count of every cell')
    .action(async (options: JourneyOptions) => {
      const { workspace, active, counts } = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        const active = await activeMapOf(database.pool, workspace);
        const counts = await journeyCellCounts({ pool: database.pool, workspaceId: workspace.id });
        return { workspace, active, counts };
      });
      if (options.json) {
        console.log(
          JSON.stringify({ version: active.version, map: active.map, cells: counts.cells, profiles: counts.profiles, placed: counts.placed }, null, 2),
        );
        return;
      }
      console.log(`${active.map.name} — workspace "${workspace.name}", version ${active.version}`);
      if (active.map.goal) console.log(`ゴール: ${active.map.goal}`);
      console.log(`${n(counts.profiles)} customers and leads; ${n(counts.placed)} placed.`);
      console.log('');
      console.log(cellTable(active.map, counts.cells, counts.profiles));
    });

  journeyCommand(journey, 'versions')
    .description('every saved version of the map, newest first')
    .action(async (options: JourneyOptions) => {
      const versions = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        return listJourneyMapVersions({ pool: database.pool, workspaceId: workspace.id });
      });
      if (options.json) {
        console.log(JSON.stringify(versions, null, 2));
        return;
      }
      console.log(
        table(
          ['version', 'status', 'name', 'changed by', 'changed at', 'summary'],
          versions.map((v) => [String(v.version), v.status, v.map.name, v.changedBy, v.changedAt.toISOString(), v.summary]),
        ),
      );
    });

  journeyCommand(journey, 'place')
    .description('re-place every customer and lead on the active map now (writes are placed live; this is for time passing, e.g. after a bulk load)')
    .action(async (options: JourneyOptions) => {
      const bar = progressBar('place [{bar}] {percentage}% | {value}/{total} profiles | eta {eta_formatted}', !options.json);
      const result = await context
        .withDatabase(async (database, { analytics }) => {
          const workspace = await context.workspace(database, options.workspace);
          await activeMapOf(database.pool, workspace);
          return placeWorkspace({ pool: database.pool, workspaceId: workspace.id, clock: context.clock, cause: 'sweep', analytics, onProgress: bar.update });
        })
        .finally(() => bar.stop());
      if (options.json) console.log(JSON.stringify(result, null, 2));
      else console.log(`Placed ${n(result.profiles)} customers and leads; ${n(result.moved)} changed cell (${result.seconds.toFixed(1)} s).`);
    });

  journeyCommand(journey, 'flows')
    .option('--from <date>', 'first local day (YYYY-MM-DD; default: 30 days before --to)')
    .option('--to <date>', "last local day (YYYY-MM-DD; default: today in the workspace's time zone)")
    .description('the moves between cells over a period: advances, rises, step-downs (and the events before step-downs)')
    .action(async (options: JourneyOptions & { from?: string; to?: string }) => {
      for (const [flag, value] of [
        ['--from', options.from],
        ['--to', options.to],
      ] as const) {
        if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw usageError(`${flag} must be a date YYYY-MM-DD, not "${value}"`);
      }
      const { active, period, flows, stepDowns } = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        const active = await activeMapOf(database.pool, workspace);
        const period = journeyPeriod({ from: options.from, to: options.to }, todayIn(workspace, context.clock));
        const [flows, stepDowns] = await Promise.all([
          journeyFlows({ pool: database.pool, workspaceId: workspace.id, ...period }),
          stepDownPatterns({ pool: database.pool, workspaceId: workspace.id, ...period }),
        ]);
        return { active, period, flows, stepDowns };
      });
      if (options.json) {
        console.log(JSON.stringify({ ...period, flows, stepDowns }, null, 2));
        return;
      }
      const names = cellNames(active.map);
      console.log(`Flows ${period.from} – ${period.to}`);
      console.log(
        table(
          ['from', 'to', 'kind', 'customers'],
          flows.map((flow) => [flow.from ? names(flow.from) : '(entered)', names(flow.to), flow.kind, n(flow.customers)]),
        ),
      );
      if (stepDowns.length > 0) {
        console.log('');
        console.log('Step-downs and the events in the 14 days before them:');
        for (const pattern of stepDowns) {
          const events = pattern.eventsBefore.map((event) => `${event.type} ${n(event.moves)}/${n(pattern.sampled)}`).join(', ');
          console.log(
            `  ${names(pattern.from)} → ${names(pattern.to)}: ${n(pattern.moves)} moves by ${n(pattern.customers)} customers${events ? ` (before them: ${events})` : ''}`,
          );
        }
      }
    });

  journeyCommand(journey, 'coverage')
    .description('coverage (漏れなく): the cells with neither a measure nor a no-contact decision, with their customers; and the check that the cells add up')
    .action(async (options: JourneyOptions) => {
      const { active, coverage } = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        const active = await activeMapOf(database.pool, workspace);
        const counts = await journeyCellCounts({ pool: database.pool, workspaceId: workspace.id });
        return { active, coverage: coverageOf(active.map, counts.cells, counts.profiles) };
      });
      if (options.json) {
        console.log(JSON.stringify(coverage, null, 2));
        return;
      }
      const names = cellNames(active.map);
      const { check } = coverage;
      console.log(
        check.addsUp
          ? `Every customer and lead is in exactly one cell: ${n(check.placed)} placed of ${n(check.profiles)}.`
          : `The cells do not add up: ${n(check.placed)} placed of ${n(check.profiles)} customers and leads (run npx kizuna journey place).`,
      );
      if (coverage.uncovered.length === 0) console.log('Every cell has a measure or a decision not to contact.');
      else {
        console.log(`${coverage.uncovered.length} cells have neither a measure nor a decision not to contact (${n(coverage.uncoveredCustomers)} customers):`);
        console.log(
          table(
            ['cell', 'customers'],
            coverage.uncovered.map((cell) => [names(cell), n(cell.customers)]),
          ),
        );
      }
      if (check.addsUp === false) process.exitCode = EXIT.refused;
    });

  journeyCommand(journey, 'technology')
    .description('the technology map (テクノロジーマップ): stages × measures by channel or solution; gaps, duplicates, solutions not introduced')
    .action(async (options: JourneyOptions) => {
      const active = await context.withDatabase(async (database) => activeMapOf(database.pool, await context.workspace(database, options.workspace)));
      const tech = technologyMap(active.map);
      if (options.json) {
        console.log(JSON.stringify(tech, null, 2));
        return;
      }
      const names = cellNames(active.map);
      console.log(
        table(
          ['channel / solution', ...tech.stages.map((stage) => stage.name)],
          tech.rows.map((row) => [
            `${row.solution ?? row.channel}${row.status === 'in_use' ? '' : ` (${row.status})`}`,
            ...tech.stages.map((stage) => (row.byStage[stage.key] ?? []).map((m) => m.name).join(', ')),
          ]),
        ),
      );
      console.log('');
      console.log(
        `Gaps: ${tech.gaps.stages.length} stages and ${tech.gaps.cells.length} cells nobody serves${tech.gaps.cells.length ? `: ${tech.gaps.cells.map(names).join('; ')}` : ''}.`,
      );
      for (const duplicate of tech.duplicates) {
        console.log(`Duplicate on ${names(duplicate)} (${duplicate.row}): ${duplicate.measures.map((m) => `${m.name} [${m.department}]`).join(', ')}`);
      }
      if (tech.notIntroduced.length) console.log(`Not introduced yet: ${tech.notIntroduced.map((row) => row.solution ?? row.channel).join(', ')}`);
    });

  journeyCommand(journey, 'export')
    .requiredOption('--out <file>', 'the file to write')
    .option('--format <format>', 'svg, png or pdf (default: from the --out extension, else svg)', oneOf<ExportFormat>('--format', EXPORT_FORMATS))
    .option('--paper <size>', 'a4 or a3 (landscape)', oneOf<'a4' | 'a3'>('--paper', ['a4', 'a3']), 'a4')
    .option('--width <px>', 'PNG width in pixels (default: the paper at 200 dpi)', wholeNumber)
    .option('--locale <lang>', 'the language of the diagram’s own labels: ja or en', oneOf<'ja' | 'en'>('--locale', ['ja', 'en']), 'ja')
    .option('--from <date>', 'flows from this local day (default: 30 days before --to)')
    .option('--to <date>', 'flows up to this local day (default: today)')
    .option('--no-flows', 'draw no flows')
    .description('the one-page diagram as SVG, PNG or PDF (A4/A3 landscape), Japanese fonts embedded')
    .action(async (options: JourneyOptions & ExportOptions) => {
      const format = options.format ?? formatOfFile(options.out);
      if (options.width !== undefined && (options.width < 400 || options.width > 8000)) throw usageError('--width must be between 400 and 8000 pixels');
      const file = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        const active = await activeMapOf(database.pool, workspace);
        const period = journeyPeriod({ from: options.from, to: options.to }, todayIn(workspace, context.clock));
        const counts = await journeyCellCounts({ pool: database.pool, workspaceId: workspace.id });
        const flows = options.flows ? await journeyFlows({ pool: database.pool, workspaceId: workspace.id, ...period }) : [];
        const input = journeyDiagramInput({ map: active.map, cells: counts.cells, profiles: counts.profiles, flows, period, locale: options.locale });
        return exportDiagram({ input, format, paper: options.paper, ...(options.width === undefined ? {} : { width: options.width }) });
      });
      await writeFile(options.out, file.body);
      if (options.json) console.log(JSON.stringify({ out: options.out, contentType: file.contentType, bytes: file.body.length }));
      else console.log(`Wrote ${options.out} (${file.contentType}, ${n(file.body.length)} bytes).`);
    });
};

type ExportFormat = 'svg' | 'png' | 'pdf';
const EXPORT_FORMATS: readonly ExportFormat[] = ['svg', 'png', 'pdf'];

interface JourneyOptions {
  workspace?: string;
  json?: boolean;
}

interface ExportOptions {
  out: string;
  format?: ExportFormat;
  paper: 'a4' | 'a3';
  width?: number;
  locale: 'ja' | 'en';
  from?: string;
  to?: string;
  flows: boolean;
}

function journeyCommand(journey: Command, name: string): Command {
  return journey.command(name).option('--workspace <name>', 'the workspace (default: demo)').option('--json', 'print the result as JSON');
}

function formatOfFile(file: string): ExportFormat {
  const extension = file.toLowerCase().split('.').pop();
  return extension === 'png' || extension === 'pdf' ? extension : 'svg';
}

function wholeNumber(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw usageError(`expected a whole number of pixels, not "${value}"`);
  return number;
}

const n = (value: number) => value.toLocaleString('en-US');

/** Aligned columns; a column whose every cell is a number keeps to the right. */
function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const numeric = headers.map((_, index) => rows.length > 0 && rows.every((row) => /^[\d,]+( \([\d.]+%\))?$/.test(row[index] ?? '')));
  return formatTable(
    headers.map((header, index) => ({ header, align: numeric[index] ? ('right' as const) : ('left' as const) })),
    rows,
  ).join('\n');
}

function isProblems(details: unknown): details is { problems: MapProblem[] } {
  return typeof details === 'object' && details !== null && Array.isArray((details as { problems?: unknown }).problems);
}

async function activeMapOf(pool: Parameters<typeof readActiveJourneyMap>[0]['pool'], workspace: Workspace) {
  const active = await readActiveJourneyMap({ pool, workspaceId: workspace.id });
  if (!active) {
    throw usageError(
      `workspace "${workspace.name}" has no journey map yet: set one with npx kizuna journey set FILE.json --workspace ${workspace.name} (npx kizuna journey show --json prints the demo brand's as an example)`,
    );
  }
  return active;
}

/** The map of a file: the map itself, or what `journey show --json` printed (the map under `map`). */
function mapOf(json: unknown): unknown {
  if (typeof json === 'object' && json !== null && !('stages' in json) && 'map' in json) return (json as { map: unknown }).map;
  return json;
}

/** "stage name × level name" of a cell. */
function cellNames(map: JourneyMap): (cell: { stage: string; level: string }) => string {
  const stage = new Map(map.stages.map((s) => [s.key, s.name]));
  const level = new Map(map.levels.map((l) => [l.key, l.name]));
  return (cell) => `${stage.get(cell.stage) ?? cell.stage} × ${level.get(cell.level) ?? cell.level}`;
}

/** The grid as a table: levels high → low as rows, stages as columns, each cell "count (share)". */
function cellTable(map: JourneyMap, cells: ReadonlyArray<{ stage: string; level: string; customers: number }>, profiles: number): string {
  const count = new Map(cells.map((cell) => [`${cell.stage}\u0000${cell.level}`, cell.customers]));
  const share = (value: number) => (profiles > 0 ? ` (${((100 * value) / profiles).toFixed(1)}%)` : '');
  const rows = [...map.levels].reverse().map((level) => [
    level.name,
    ...map.stages.map((stage) => {
      const value = count.get(`${stage.key}\u0000${level.key}`) ?? 0;
      return `${n(value)}${share(value)}`;
    }),
  ]);
  return table(['', ...map.stages.map((stage) => stage.name)], rows);
}

/** Who set the map from the command line: the OS user, when there is one. */
function cliActor(): string {
  try {
    return `cli (${userInfo().username})`;
  } catch {
    return 'cli';
  }
}

async function readJson(file: string): Promise<unknown> {
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
