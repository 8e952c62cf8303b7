import { readFile } from 'node:fs/promises';
import { parseMappingJson, type ExplicitMapping } from '../../import/column-mapping.ts';
import { decompressedName, withDecompressedFile } from '../../import/gzip-file.ts';
import { importCsv, type ImportReport } from '../../import/import-csv.ts';
import { countErrorsByReason } from '../../import/import-report.ts';
import { ORDER_TIME_RULES, type OrderTimeRule } from '../../import/order-staging.ts';
import { RECORD_KINDS, type BatchKind } from '../../ingest/records.ts';
import { drainJourneyChanges } from '../../journey-map/placement/reactor.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { RegisterCommand } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { formatTable } from '../format-table.ts';
import { progressBar } from '../progress.ts';

interface ImportCommandOptions {
  workspace?: string;
  mapping?: string;
  dryRun?: boolean;
  skipInvalid?: boolean;
  rejected?: string;
  orderTime?: OrderTimeRule;
  json?: boolean;
}

/** Errors printed in the readable summary; --json lists them all. */
const PRINTED_ERRORS = 100;

export const registerImportCommand: RegisterCommand = (program, context) => {
  program
    .command('import')
    .description(
      'import a CSV export (UTF-8 or Shift_JIS, Japanese or English headers; gzip-compressed too) of customers, products, orders, events or subscriptions (定期)',
    )
    .argument('<kind>', `what the file holds: ${RECORD_KINDS.join(', ')}`)
    .argument('<file>', 'the CSV file, or the CSV gzip-compressed (orders.csv.gz)')
    .option('--workspace <name>', 'workspace to import into (default: demo)')
    .option('--mapping <file.json>', 'JSON object {"CSV column": "field"} overriding the automatic header mapping')
    .option('--dry-run', 'check everything and show what would be imported; store nothing')
    .option('--skip-invalid', 'store the valid lines and write the rejected ones apart (default: any error rejects the file)')
    .option('--rejected <file>', 'where --skip-invalid writes rejected lines (default: beside the file, orders.csv → orders.rejected.csv)')
    .option(
      '--order-time <rule>',
      'orders: "same" (default), every line of an order carries its time, a line that differs is refused; ' +
        '"earliest", the lines may differ and the order takes the earliest (exports that stamp each line as keyed)',
      orderTimeRule,
    )
    .option('--json', 'print the report as JSON, with every error')
    .action(async (kind: string, file: string, options: ImportCommandOptions) => {
      if (!RECORD_KINDS.includes(kind as BatchKind)) {
        throw new KizunaError('validation_failed', `Unknown kind "${kind}": use one of ${RECORD_KINDS.join(', ')}.`);
      }
      const mapping = options.mapping ? await readMapping(options.mapping) : undefined;
      const bar = progressBar('import [{bar}] {percentage}% | {duration_formatted} (eta {eta_formatted})', !options.json);
      const startedAt = performance.now();
      const report = await context.withDatabase(async (database, { analytics }) => {
        const workspace = await context.workspace(database, options.workspace);
        // A .gz file is read from a decompressed copy; its rejected lines go beside it (orders.csv.gz → orders.rejected.csv).
        const imported = await withDecompressedFile(file, async (csvPath, compressed) => {
          try {
            return await importCsv({
              pool: database.pool,
              workspace,
              kind: kind as BatchKind,
              source: { path: csvPath },
              mapping,
              mode: options.skipInvalid ? 'skip-invalid' : 'all-or-nothing',
              dryRun: options.dryRun ?? false,
              rejectedPath: options.rejected ?? (compressed ? defaultRejectedPath(decompressedName(file)) : undefined),
              orderTime: options.orderTime,
              onProgress: bar.update,
              clock: context.clock,
            });
          } finally {
            bar.stop();
          }
        });
        // Without a server nobody listens for the changes the import queued: the journey map is brought up to date here.
        if (!options.dryRun) await drainJourneyChanges({ pool: database.pool, workspaceId: workspace.id, clock: context.clock, analytics });
        return imported;
      });
      const seconds = (performance.now() - startedAt) / 1000;
      if (options.json)
        console.log(JSON.stringify({ ...report, errorsByReason: countErrorsByReason(report.errors), seconds: Number(seconds.toFixed(1)) }, null, 2));
      else printReport(report, file, seconds);
      // 1 when errors reject the import (or would, in a dry run); skip-invalid storing some lines is a success.
      if (report.errors.length > 0 && (!options.skipInvalid || report.valid === 0)) process.exitCode = EXIT.refused;
    });
};

function orderTimeRule(value: string): OrderTimeRule {
  if (!(ORDER_TIME_RULES as readonly string[]).includes(value)) {
    throw new KizunaError('bad_request', `--order-time must be one of ${ORDER_TIME_RULES.join(', ')}, not "${value}"`);
  }
  return value as OrderTimeRule;
}

/** orders.csv → orders.rejected.csv, as the importer's own default for a file on disk. */
function defaultRejectedPath(csvFile: string): string {
  return `${csvFile.replace(/\.csv$/i, '')}.rejected.csv`;
}

async function readMapping(file: string): Promise<ExplicitMapping> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new KizunaError('validation_failed', `Cannot read the mapping ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = parseMappingJson(text);
  if (!parsed.ok) throw new KizunaError('validation_failed', `The mapping ${file} is ${parsed.reason}.`);
  return parsed.mapping;
}

function printReport(report: ImportReport, file: string, seconds: number): void {
  const n = (value: number) => value.toLocaleString('en-US');
  const unit = report.kind;
  console.log(`${file}: ${report.encoding ?? 'unreadable'}, ${n(report.rows)} lines, ${n(report.records)} ${unit}`);
  if (report.columns.length > 0) {
    console.log(`  columns  ${report.columns.map((c) => `${c.column} → ${c.field ?? '(ignored)'}`).join(', ')}`);
  }
  for (const error of report.errors.slice(0, PRINTED_ERRORS)) {
    const cell = error.column ? `, ${error.column}${error.value !== null ? ` "${error.value}"` : ''}` : '';
    console.log(`  line ${error.line}${cell}: ${error.reason}`);
  }
  if (report.errors.length > PRINTED_ERRORS) console.log(`  and ${n(report.errors.length - PRINTED_ERRORS)} more errors (--json lists them all)`);
  if (report.errors.length > 0) printReasons(report);
  const rate = seconds > 0 ? ` in ${seconds.toFixed(1)} s (${n(Math.round(report.rows / seconds))} lines/s)` : '';
  if (report.dryRun) {
    console.log(`Dry run: ${n(report.valid)} lines would be stored, ${n(report.invalid)} rejected; nothing was stored.`);
  } else if (report.stored) {
    console.log(`Stored ${n(report.valid)} lines${report.invalid > 0 ? `, rejected ${n(report.invalid)}` : ''}${rate}.`);
    if (report.rejectedPath) console.log(`Rejected lines, with their errors: ${report.rejectedPath}`);
  } else {
    console.log(`Nothing was stored: ${n(report.errors.length)} error(s). Fix them, or use --skip-invalid to store the valid lines.`);
  }
}

/** The errors counted by reason, and the lines refused only because another line of their order was. */
function printReasons(report: ImportReport): void {
  const n = (value: number) => value.toLocaleString('en-US');
  const reasons = countErrorsByReason(report.errors);
  console.log('Errors by reason (a line refused for two reasons counts under both):');
  const rows = reasons.map((r) => [r.column ?? '(line)', r.code ?? '', r.reason, n(r.lines)]);
  const linesWithErrors = new Set(report.errors.map((e) => e.line)).size;
  const withTheirOrder = report.invalid - linesWithErrors;
  if (withTheirOrder > 0) rows.push(['(line)', '', 'refused with its order, for an error on another line', n(withTheirOrder)]);
  for (const line of formatTable([{ header: 'column' }, { header: 'code' }, { header: 'reason (first)' }, { header: 'lines', align: 'right' }], rows, 2))
    console.log(line);
}
