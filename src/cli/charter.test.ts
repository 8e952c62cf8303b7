import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { listCharterVersions, readCharter, saveCharter } from '../charter/charters.ts';
import { TEST_CHARTER } from '../charter/test-charter.ts';
import type { Workspace } from '../workspaces/workspaces.ts';

const database = connectTestDatabase();
let workspace: Workspace;
let bare: Workspace;
let dir: string;

const GREETING = 'いつもありがとうございます。';
const SIGN_OFF = '今後ともよろしくお願いいたします。';

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  bare = await freshWorkspace(database);
  await saveCharter({ pool: database.pool, workspaceId: workspace.id, input: TEST_CHARTER, actor: { kind: 'system', label: 'test' } });
  dir = await mkdtemp(path.join(tmpdir(), 'kizuna-charter-'));
  // Subject on line 1; お客さま on line 3, column 1 (a dictionary variant: a warning).
  await writeFile(path.join(dir, 'shipping.txt'), `Subject: 発送のお知らせ\n${GREETING}\nお客さまのご注文を発送しました。\n${SIGN_OFF}\n`);
  // HTML: 痩せる (a 薬機法 claim: an error) on line 3, column 10.
  await writeFile(path.join(dir, 'diet.html'), `<p>${GREETING}</p>\n<p>新商品です。</p>\n<p>これで誰でも痩せる青汁です。</p>\n<p>${SIGN_OFF}</p>\n`);
  await writeFile(path.join(dir, 'clean.txt'), `${GREETING}\nご注文を発送しました。\n${SIGN_OFF}\n`);
  await writeFile(path.join(dir, 'charter.json'), JSON.stringify({ ...TEST_CHARTER, register: null }));
  await writeFile(path.join(dir, 'broken.json'), JSON.stringify({ ...TEST_CHARTER, limits: { ...TEST_CHARTER.limits, emoji: 'lots' } }));
});
afterAll(() => database.close());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function charter(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/kizuna.js', 'charter', ...args, ...(args.includes('--workspace') ? [] : ['--workspace', workspace.name])],
      {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const file = (name: string) => path.join(dir, name);

describe('kizuna charter check', () => {
  it('prints each finding at its line and column in Japanese, and exits 0 without errors', async () => {
    const run = await charter('check', file('shipping.txt'), '--department', 'support');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${file('shipping.txt')}:3:1  警告  dictionary.variant  「お客さま」は「お客様」と書きます。  (→ お客様)`);
    expect(run.stdout).toContain('1 ファイル：エラー 0、警告 1、情報 0');
  });

  it('exits 1 when a file has an error; ranges in HTML point into the source; --lang en', async () => {
    const run = await charter('check', file('diet.html'), file('clean.txt'), '--lang', 'en');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`${file('diet.html').replace(/[.\\]/g, '\\$&')}:3:10  error  claims\\.yakkiho\\.slimming  `));
    expect(run.stdout).toContain('2 files: 1 error, 0 warnings, 0 info');
  });

  it("prints JSON with each finding's line and column", async () => {
    const run = await charter('check', file('shipping.txt'), '--json');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.charterVersion).toBe(1);
    expect(result.files[0]).toMatchObject({
      file: file('shipping.txt'),
      score: 95,
      findings: [{ rule: 'dictionary.variant', line: 3, column: 1, range: { part: 'body' } }],
    });
  });

  it('exits 2 for bad usage: an unknown department, a missing file, a workspace without a charter', async () => {
    expect((await charter('check', file('clean.txt'), '--department', 'legal')).code).toBe(2);
    const missing = await charter('check', file('nowhere.txt'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
    const noCharter = await charter('check', file('clean.txt'), '--workspace', bare.name);
    expect(noCharter.code).toBe(2);
    expect(noCharter.stderr).toContain('has no charter yet: set one with npx kizuna charter set FILE.json');
  });
});

describe('kizuna charter show and set', () => {
  it('sets a new version from JSON, shows it, and refuses an invalid one with the field (exit 1)', async () => {
    const set = await charter('set', file('charter.json'));
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('as version 2');
    expect(set.stdout).toContain('register: desumasu → not fixed');
    expect(set.stdout).toMatch(/Checked \d+ templates? again against it\./);
    const show = await charter('show');
    expect(show.stdout).toContain('お客様と「かかりつけ」のような関係を築く');
    expect(show.stdout).toContain('register:   not fixed');
    const broken = await charter('set', file('broken.json'));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('limits.emoji');
    expect((await readCharter({ pool: database.pool, workspaceId: workspace.id }))?.version).toBe(2);
    expect((await listCharterVersions({ pool: database.pool, workspaceId: workspace.id }))[0]!.changedBy).toMatch(/^cli/);
  });
});
