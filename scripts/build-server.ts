import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The server and CLI run as JavaScript compiled into dist/ (`npm run build`, tsconfig.build.json),
 * so `kizuna` starts without compiling TypeScript. Whatever runs bin/kizuna.js on the sources in
 * the working tree (the test run's global setup, the CLI benchmark) calls `buildServerIfStale`
 * first, so nobody runs JavaScript older than the TypeScript it came from.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Written last by every build; its time is the build's. */
const BUILD_STAMP = path.join(root, 'dist', '.tsbuildinfo');
const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];

/** Compiles src/ into dist/ unless dist/ is newer than every source file and build setting. */
export async function buildServerIfStale(): Promise<'built' | 'fresh'> {
  if (existsSync(BUILD_STAMP) && (await stat(BUILD_STAMP)).mtimeMs >= (await newestSourceTime())) return 'fresh';
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root });
  } catch (error) {
    const { code, stdout } = error as { code?: number; stdout?: string };
    // 2: type errors, the JavaScript written all the same (`npm run typecheck` is what reports them); 1 or else: nothing usable.
    if (code !== 2) throw new Error(`Building dist/ failed (npm run build):\n${stdout || (error instanceof Error ? error.message : String(error))}`);
    console.warn(`dist/ was built from sources with type errors:\n${stdout}`);
  }
  // tsc leaves its build info alone when no output changed (a file touched, a comment edited): date the build now.
  const now = new Date();
  await utimes(BUILD_STAMP, now, now);
  return 'built';
}

async function newestSourceTime(): Promise<number> {
  const sources = (await readdir(path.join(root, 'src'), { recursive: true }))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => path.join(root, 'src', file));
  const times = await Promise.all([...sources, ...BUILD_INPUTS.map((file) => path.join(root, file))].map(async (file) => (await stat(file)).mtimeMs));
  return Math.max(...times);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`dist/: ${await buildServerIfStale()}`);
}
