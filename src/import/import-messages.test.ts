import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import type { BatchKind } from '../ingest/records.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { importCsv, type ImportCsvParams } from './import-csv.ts';

const database = connectTestDatabase();
let workspace: Workspace;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
});
afterAll(() => database.close());

function importBytes(kind: BatchKind, buffer: Buffer, options: Partial<ImportCsvParams> = {}) {
  return importCsv({ pool: database.pool, workspace, kind, source: { buffer }, mode: 'all-or-nothing', dryRun: true, ...options });
}

describe('import messages say what is wrong and where', () => {
  it('calls a 5 MB unquoted field too long, on its line, with the limit (not an unclosed quote), and reads the lines after it', async () => {
    const file = Buffer.from(`customer_id,name\nK1,花子\nK2,${'x'.repeat(5_000_000)}\nK3,太郎\n`);
    const report = await importBytes('customers', file);
    expect(report.errors.map(({ line, code, params }) => ({ line, code, params }))).toEqual([
      { line: 3, code: 'line_too_long', params: { limit: 4_194_304, line: 3 } },
    ]);
    expect(report.errors[0]!.reason).toContain('line 3 is longer than 4,194,304 characters');
    expect(report.errors[0]!.reason).not.toContain('quote');
    expect(report).toMatchObject({ rows: 3, valid: 2, invalid: 1 });
  });

  it('says where a UTF-8 file changes to CP932, by line and byte offset, instead of missing a column', async () => {
    const utf8 = Buffer.from('会員ID,氏名\nK1,山田\n');
    const file = Buffer.concat([utf8, iconv.encode('K2,佐藤\n', 'cp932')]);
    const report = await importBytes('customers', file);
    expect(report.errors).toEqual([
      expect.objectContaining({ line: 3, code: 'encoding_changes', params: { line: 3, offset: utf8.length + 3, encoding: 'UTF-8' } }),
    ]);
    expect(report.errors[0]!.reason).toContain(`the file's encoding changes at line 3 (byte offset ${utf8.length + 3})`);

    // Further in than the first chunk read: found while decoding, on its line.
    const lines = Buffer.from(`会員ID,氏名\n${'K0,山田\n'.repeat(200_000)}`);
    const late = await importBytes('customers', Buffer.concat([lines, iconv.encode('K2,佐藤\n', 'cp932')]));
    expect(late.errors).toEqual([
      expect.objectContaining({ line: 200_002, code: 'encoding_changes', params: { line: 200_002, offset: lines.length + 3, encoding: 'UTF-8' } }),
    ]);
  });

  it('names a bare carriage return among LF line breaks, on its line, instead of counting columns', async () => {
    const report = await importBytes('customers', Buffer.from('customer_id,name\nK1,花子\rK2,太郎\nK3,次郎\n'));
    expect(report.errors).toEqual([expect.objectContaining({ line: 2, code: 'bare_carriage_return', params: { line: 2, column: 2 } })]);
    expect(report.errors[0]!.reason).toContain('line 2 contains a bare carriage return (CR without LF)');
    // Also when the columns happen to add up: the value is not stored with a line break folded into it.
    const same = await importBytes('customers', Buffer.from('customer_id,name\r\nK1,花子\rK2\r\nK3,次郎\r\n'));
    expect(same.errors.map(({ line, code }) => ({ line, code }))).toEqual([{ line: 2, code: 'bare_carriage_return' }]);
    expect(same).toMatchObject({ rows: 2, valid: 1, invalid: 1 });
  });

  it('calls a NUL byte further down the file not text, on its line and byte, not an encoding change', async () => {
    const head = Buffer.from(`会員ID,氏名\n${'K0,山田\n'.repeat(200_000)}K1,`);
    const report = await importBytes('customers', Buffer.concat([head, Buffer.from([0]), Buffer.from('\n')]));
    expect(report.errors.map(({ line, code }) => ({ line, code }))).toEqual([{ line: 200_002, code: 'not_text' }]);
    expect(report.errors[0]!.reason).toContain(`NUL byte at line 200002 (byte offset ${head.length})`);
  });
});
