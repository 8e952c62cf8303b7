import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { KizunaError, type ErrorCode } from '../shared/errors.ts';
import { reportCliError } from './context.ts';
import { EXIT_CODES } from './exit-codes.ts';

/** Runs `node bin/kizuna.js ...args` against the test database. */
function kizuna(...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/kizuna.js', ...args],
      {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
      },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

describe('one table of exit codes for every command', () => {
  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  });

  it('exits with the code of the error: 1 refused, 2 failed, 75 retry later; 2 for an unexpected error', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const exitCodeOf = (error: unknown) => {
      reportCliError(error);
      return process.exitCode;
    };
    const expected: Record<ErrorCode, number> = {
      validation_failed: 1,
      conflict: 1,
      bad_request: 2,
      not_found: 2,
      unauthorized: 2,
      forbidden: 2,
      payload_too_large: 2,
      too_many_requests: 75,
      unavailable: 75,
    };
    expect(EXIT_CODES).toEqual(expected);
    for (const code of Object.keys(expected) as ErrorCode[]) expect(exitCodeOf(new KizunaError(code, 'no'))).toBe(expected[code]);
    expect(exitCodeOf(new Error('boom'))).toBe(2);
  });

  it('a conflict exits 1 in every command, as in kpi: a workspace name already taken', async () => {
    const name = `exit-${randomUUID().slice(0, 8)}`;
    expect((await kizuna('workspace', 'create', name)).code).toBe(0);
    const again = await kizuna('workspace', 'create', name);
    expect(again.stderr).toMatch(/^error: /);
    expect(again.code).toBe(1);
  });

  it('a usage error exits 2 in every command, as in analyze: a missing argument, an unknown option', async () => {
    expect((await kizuna('import', 'orders')).code).toBe(2);
    expect((await kizuna('workspace', 'list', '--no-such-option')).code).toBe(2);
    expect((await kizuna('--help')).code).toBe(0);
  });
});
