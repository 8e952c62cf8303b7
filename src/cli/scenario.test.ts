import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, runKizuna } from '../../test/support/cli.ts';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { prepareScenarioWorkspace, stepUpExample } from '../scenarios/test-scenario.ts';
import { fixedClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';

/**
 * `kizuna scenario`: publish a JSON file (a refused one prints every problem with its path,
 * exit 1, nothing published), list, show, pause and resume.
 */

const database = connectTestDatabase();
let workspace: Workspace;
let dir: string;
let good: string;

const scenario = (...args: string[]) => runKizuna('scenario', workspace.name, args);

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  const { templateIds } = await prepareScenarioWorkspace(database.pool, workspace, fixedClock('2026-06-10T03:00:00Z'));
  dir = await mkdtemp(path.join(tmpdir(), 'kizuna-scenario-'));
  good = path.join(dir, 'step-up.json');
  await writeFile(good, JSON.stringify(stepUpExample(templateIds), null, 2));
});
afterAll(() => database.close());

describe('kizuna scenario', () => {
  it('refuses a file with problems, printing each with its path, and publishes nothing', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...stepUpExample(['999998', '999999', '999999', '999999']), priority: 101 }));
    const run = await scenario('publish', bad);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: ${bad} was refused (5 problems); nothing was published:`);
    expect(run.stderr).toContain('  priority: must be at most 100');
    expect(run.stderr).toContain('  steps[2].templateId: no template with id 999998 in this workspace (kizuna charter template list shows the ids)');
    expect(cliJson(await scenario('list', '--json'))).toEqual([]);
  });

  it('publishes a file, lists and shows it, pauses and resumes it', async () => {
    const published = await scenario('publish', good);
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(/^Published version 1 of scenario "aojiru_step_up" \(id \d+\): first version: 10 steps, trigger order\.\n$/);
    const list = await scenario('list');
    expect(list.stdout).toMatch(/aojiru_step_up\s+active\s+1\s+order\s+80\s+引き上げCRM/);
    const shown = cliJson(await scenario('show', 'aojiru_step_up', '--json'));
    expect(shown.published.document).toEqual(JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(good, 'utf8'))));
    expect((await scenario('pause', shown.id)).stdout).toBe('Scenario "aojiru_step_up" is paused.\n');
    const again = await scenario('pause', 'aojiru_step_up');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('only an active scenario can be paused');
    expect((await scenario('resume', 'aojiru_step_up')).stdout).toBe('Scenario "aojiru_step_up" is active.\n');
    expect((await scenario('publish', good)).stdout).toBe('Scenario "aojiru_step_up" is unchanged (version 1); it is active.\n');
  });
});
