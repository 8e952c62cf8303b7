/**
 * How long a `kizuna` command takes from start to exit: `kizuna --help`, and `workspace list`
 * against a running PostgreSQL (a fresh database on DATABASE_URL, or the embedded PostgreSQL
 * started once beforehand), for the JavaScript built into dist/ (what bin/kizuna.js runs) against
 * the TypeScript sources run through tsx (as bin/kizuna.js did before, the baseline), in the
 * same run: median and slowest of the runs after one warm-up run each, and tsx without its
 * compile cache (a first start after a change).
 *   npm run bench:cli [-- --runs 7]
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { buildServerIfStale } from '../scripts/build-server.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { openBenchDatabase } from './support/bench-database.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const RUNS = Number(args.runs);
const root = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);

interface Variant {
  label: string;
  argv: string[];
  env?: Record<string, string>;
}

const VARIANTS: Variant[] = [
  { label: 'built JavaScript (bin/kizuna.js → dist/)', argv: ['bin/kizuna.js'] },
  { label: 'TypeScript through tsx, compile cache warm', argv: ['--import', 'tsx', 'src/cli/main.ts'] },
  { label: 'TypeScript through tsx, no compile cache', argv: ['--import', 'tsx', 'src/cli/main.ts'], env: { TSX_DISABLE_CACHE: '1' } },
];

/** Wall-clock milliseconds of each run of one command, after a warm-up run that is not counted. */
async function time(variant: Variant, command: string[], env: Record<string, string>): Promise<number[]> {
  const once = async () => {
    const startedAt = performance.now();
    await run(process.execPath, [...variant.argv, ...command], { cwd: root, env: { ...process.env, ...env, ...variant.env } });
    return performance.now() - startedAt;
  };
  await once();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await once());
  return samples.sort((a, b) => a - b);
}

console.log(`dist/: ${await buildServerIfStale()}`);
const bench = await openBenchDatabase('cli');
try {
  for (const name of ['brand-a', 'brand-b', 'brand-c']) await createWorkspace(bench.database.db, { name, timezone: 'Asia/Tokyo', currency: 'JPY' });
  const commands: Array<[string, string[]]> = [
    ['kizuna --help', ['--help']],
    ['kizuna workspace list', ['workspace', 'list']],
  ];
  console.log(`CLI start: ${RUNS} runs after a warm-up, ${bench.database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'} (already running)`);
  console.log('| command | how it runs | median | slowest | median ÷ built |');
  console.log('|---|---|---:|---:|---:|');
  for (const [label, command] of commands) {
    let built = NaN;
    for (const variant of VARIANTS) {
      const samples = await time(variant, command, { DATABASE_URL: bench.database.url });
      const median = samples[Math.floor(samples.length / 2)]!;
      if (Number.isNaN(built)) built = median;
      console.log(
        `| \`${label}\` | ${variant.label} | ${(median / 1000).toFixed(2)} s | ${(samples.at(-1)! / 1000).toFixed(2)} s | ${(median / built).toFixed(1)}× |`,
      );
    }
  }
} finally {
  await bench.drop();
}
