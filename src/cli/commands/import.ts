import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { importCsv, type ImportReport } from '../../import/import-csv.ts';
import { RECORD_KINDS, type BatchKind } from '../../ingest/records.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { RegisterCommand } from '../context.ts';
import { progressBar } from '../progress.ts';

interface ImportCommandOptions {
  workspace?: string;
  mapping?: string;
  dryRun?: boolean;
  skipInvalid?: boolean;
  rejected?: string;
  json?: boolean;
}

/** Errors printed in the readable summary; --json lists them all. */
const PRINTED_ERRORS = 100;

export const registerImportCommand: RegisterCommand = (program, context) => {
  program.command('import')
    .description('import a CSV export (UTF-8 or Shift_JIS, Japanese or English headers) of customers, products, orders or events')
    .argument('<kind>', `what the file holds: ${RECORD_KINDS.join(', ')}`)
    .argument('<file>', 'the CSV file')
    .option('--workspace <name>', 'workspace to import into (default: demo)')
    .option('--mapping <file.json>', 'JSON object {"CSV column": "field"} overriding the automatic header mapping')
    .option('--dry-run', 'check everything and show what would be imported; store nothing')
    .option('--skip-invalid', 'store the valid lines and write the rejected ones apart (default: any error rejects the file)')
    .option('--rejected <file>', 'where --skip-invalid writes rejected lines (default: beside the file, orders.csv → orders.rejected.csv)')
    .option('--json', 'print the report as JSON, with every error')
    .action(async (kind: string, file: string, options: ImportCommandOptions) => {
      if (!RECORD_KINDS.includes(kind as BatchKind)) {
        throw new KizunaError('validation_failed', `Unknown kind "${kind}": use one of ${RECORD_KINDS.join(', ')}.`);
      }
      const mapping = options.mapping ? await readMapping(options.mapping) : undefined;
      const bar = progressBar('import [{bar}] {percentage}% | {duration_formatted} (eta {eta_formatted})', !options.json);
      const startedAt = performance.now();
      const report = await context.withDatabase(async (database) => {
        const workspace = await context.workspace(database, options.workspace);
        try {
          return await importCsv({
            pool: database.pool, workspace, kind: kind as BatchKind, source: { path: file }, mapping,
            mode: options.skipInvalid ? 'skip-invalid' : 'all-or-nothing', dryRun: options.dryRun ?? false, rejectedPath: options.rejected,
            onProgress: bar.update,
          });
        } finally {
          bar.stop();
        }
      });
      const seconds = (performance.now() - startedAt) / 1000;
      if (options.json) console.log(JSON.stringify({ ...report, seconds: Number(seconds.toFixed(1)) }, null, 2));
      else printReport(report, file, seconds);
      // 1 when errors reject the import (or would, in a dry run); skip-invalid storing some lines is a success.
      if (report.errors.length > 0 && (!options.skipInvalid || report.valid === 0)) process.exitCode = 1;
    });
};

async function readMapping(file: string): Promise<Record<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new KizunaError('validation_failed', `Cannot read the mapping ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const mapping = z.record(z.string(), z.string()).safeParse(parsed);
  if (!mapping.success) throw new KizunaError('validation_failed', `The mapping ${file} must be a JSON object {"CSV column": "field"} of strings.`);
  return mapping.data;
}

function printReport(report: ImportReport, file: string, seconds: number): void {
  const n = (value: number) => value.toLocaleString('en-US');
  const unit = report.kind === 'orders' ? 'orders' : report.kind;
  console.log(`${file}: ${report.encoding ?? 'unreadable'}, ${n(report.rows)} lines, ${n(report.records)} ${unit}`);
  if (report.columns.length > 0) {
    console.log(`  columns  ${report.columns.map((c) => `${c.column} → ${c.field ?? '(ignored)'}`).join(', ')}`);
  }
  for (const error of report.errors.slice(0, PRINTED_ERRORS)) {
    const cell = error.column ? `, ${error.column}${error.value !== null ? ` "${error.value}"` : ''}` : '';
    console.log(`  line ${error.line}${cell}: ${error.reason}`);
  }
  if (report.errors.length > PRINTED_ERRORS) console.log(`  and ${n(report.errors.length - PRINTED_ERRORS)} more errors (--json lists them all)`);
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
