/**
 * `npm run bench:ingest`: the foundation's benchmarks, one after another, each on a fresh
 * database that it drops afterwards (DATABASE_URL's server when set, else the embedded one).
 *   1. events through the HTTP batch API vs COPY          (bench/ingest-http.ts)
 *   2. CSV import of 1,000,000 Shift_JIS order lines       (bench/import-csv.ts)
 *   3. demo generation of 1,000,000 customers              (bench/demo.ts)
 *   4. customer list queries at 1,000,000 profiles         (bench/customer-list.ts)
 *   5. order batches from 8 concurrent clients sharing new customers vs 1 client (bench/ingest-concurrent.ts)
 * Pass `--quick` for a smaller run of each (a smoke test, not the recorded figures).
 */
import { spawnSync } from 'node:child_process';

const quick = process.argv.includes('--quick');
const suites: [string, string[]][] = [
  ['bench/ingest-http.ts', quick ? ['--events', '50000', '--customers', '5000'] : []],
  ['bench/import-csv.ts', quick ? ['--lines', '50000'] : []],
  ['bench/demo.ts', quick ? ['--customers', '20000'] : []],
  ['bench/customer-list.ts', quick ? ['--customers', '50000', '--runs', '10'] : []],
  ['bench/ingest-concurrent.ts', quick ? ['--orders', '16000'] : []],
];

for (const [script, args] of suites) {
  console.log(`\n=== ${script} ${args.join(' ')}`);
  const result = spawnSync(process.execPath, [...process.execArgv, script, ...args], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${script} failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
}
