import { execFile } from 'node:child_process';
import path from 'node:path';
import { expect, inject } from 'vitest';

/** What a run of the `kizuna` binary left. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node bin/kizuna.js <command> ...args --workspace <workspace>` against the test database
 * (`--workspace` added unless the arguments name one).
 */
export function runKizuna(command: string, workspace: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/kizuna.js', command, ...args, ...(args.includes('--workspace') ? [] : ['--workspace', workspace])],
      {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The JSON a successful `--json` run printed. */
// biome-ignore lint/suspicious/noExplicitAny: the tests read the printed JSON's fields as they expect them
export function cliJson(run: CliRun): any {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

/** The readable output's lines, each with its runs of spaces collapsed to one (alignment is checked apart). */
export function cliLines(run: CliRun): string[] {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.stdout.split('\n').map((line) => line.trim().replace(/ {2,}/g, ' '));
}
