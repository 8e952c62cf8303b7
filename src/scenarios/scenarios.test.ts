import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { manualClock } from '../shared/clock.ts';
import { KizunaError } from '../shared/errors.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { checkScenario } from './check-scenario.ts';
import type { ScenarioDocument } from './model.ts';
import {
  listActiveScenarioVersions,
  listScenarios,
  listScenarioVersions,
  pauseScenario,
  publishScenario,
  readScenario,
  readScenarioVersion,
  resumeScenario,
  saveScenarioDraft,
} from './scenarios.ts';
import { prepareScenarioWorkspace, stepUpExample } from './test-scenario.ts';

const database = connectTestDatabase();
const { pool } = database;
const clock = manualClock('2026-06-10T03:00:00Z');
const actor = { kind: 'system' as const, label: 'cli' };
let workspace: Workspace;
let stepUp: ScenarioDocument;

beforeAll(async () => {
  workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  const { templateIds } = await prepareScenarioWorkspace(pool, workspace, clock);
  stepUp = stepUpExample(templateIds);
});
afterAll(() => database.close());

const refusalOf = async (promise: Promise<unknown>) => {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KizunaError);
  return error as KizunaError;
};
const rowCounts = async () => {
  const { rows } = await pool.query<{ scenarios: number; versions: number }>(
    `select (select count(*)::int from scenarios where workspace_id = $1) as scenarios,
            (select count(*)::int from scenario_versions v join scenarios s on s.id = v.scenario_id where s.workspace_id = $1) as versions`,
    [workspace.id],
  );
  return rows[0]!;
};

describe('scenario versions', () => {
  it('checks the step-up example clean in a workspace with the demo catalogue, the demo map and its templates', async () => {
    const checked = await checkScenario({ pool, workspaceId: workspace.id, input: stepUp });
    expect(checked).toMatchObject({ ok: true, warnings: [] });
  });

  it('refuses a publish with every problem and writes nothing', async () => {
    const before = await rowCounts();
    const bad = {
      ...stepUp,
      trigger: { kind: 'event', type: 'never_seen' },
      steps: stepUp.steps.map((s) => (s.kind === 'send' ? { ...s, templateId: '999999' } : s)),
    };
    const refused = await refusalOf(publishScenario({ pool, workspaceId: workspace.id, input: bad, actor, clock }));
    expect(refused.code).toBe('validation_failed');
    const problems = (refused.details as { problems: Array<{ path: string; message: string }> }).problems;
    expect(problems.map((p) => p.path)).toEqual([
      'steps[0]',
      'steps[2].templateId',
      'steps[3]',
      'steps[4].templateId',
      'steps[5]',
      'steps[7].templateId',
      'steps[9].templateId',
      'trigger.type',
    ]);
    expect(problems.at(-1)!.message).toMatch(/^unknown event type "never_seen"/);
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses an advertising scenario while the sender settings are incomplete, and publishes once they are', async () => {
    const missing = async () => ['sender address', 'contact for enquiries'];
    const refused = await refusalOf(
      publishScenario({ pool, workspaceId: workspace.id, input: { ...stepUp, key: 'gated' }, actor, clock, senderSettingsMissing: missing }),
    );
    expect((refused.details as { problems: unknown[] }).problems).toEqual([
      {
        path: 'purpose',
        message:
          "advertising email (特定電子メール法) shows the sender's details in every message, and the workspace's sender settings lack: sender address, contact for enquiries; complete them before publishing",
        severity: 'error',
      },
    ]);
    const transactional = { ...stepUp, key: 'gated', purpose: 'transactional' as const };
    const published = await publishScenario({ pool, workspaceId: workspace.id, input: transactional, actor, clock, senderSettingsMissing: missing });
    expect(published.scenario.status).toBe('active');
  });

  it('saves a draft with its problems, publishes it as version 1, and a change as version 2 with what changed', async () => {
    const draft = await saveScenarioDraft({ pool, workspaceId: workspace.id, input: { ...stepUp, priority: 0 }, actor, clock });
    expect(draft.scenario).toMatchObject({ key: 'aojiru_step_up', status: 'draft', published: null });
    expect(draft.problems).toEqual([{ path: 'priority', message: 'must be at least 1', severity: 'error' }]);
    await refusalOf(publishScenario({ pool, workspaceId: workspace.id, scenario: 'aojiru_step_up', actor, clock }));

    await saveScenarioDraft({ pool, workspaceId: workspace.id, input: stepUp, scenario: 'aojiru_step_up', actor, clock });
    clock.advance(60_000);
    const first = await publishScenario({ pool, workspaceId: workspace.id, scenario: 'aojiru_step_up', actor, clock, senderSettingsMissing: async () => [] });
    expect(first).toMatchObject({ outcome: 'published', version: { version: 1, createdBy: 'cli', summary: 'first version: 10 steps, trigger order' } });
    expect(first.scenario).toMatchObject({ status: 'active', draft: null });

    const again = await publishScenario({ pool, workspaceId: workspace.id, input: stepUp, actor, clock });
    expect(again.outcome).toBe('unchanged');

    const changed = { ...stepUp, priority: 90, steps: stepUp.steps.map((s) => (s.id === 'later' && s.kind === 'wait' ? { ...s, duration: { days: 20 } } : s)) };
    const second = await publishScenario({ pool, workspaceId: workspace.id, input: changed, actor, clock });
    expect(second.version).toMatchObject({ version: 2, summary: 'priority 80 → 90; steps: 1 changed' });
    expect((await readScenarioVersion({ pool, workspaceId: workspace.id, scenario: first.scenario.id, version: 1 })).document).toEqual(stepUp);
    expect((await listScenarioVersions({ pool, workspaceId: workspace.id, scenario: 'aojiru_step_up' })).map((v) => v.version)).toEqual([2, 1]);
    const read = await readScenario({ pool, workspaceId: workspace.id, scenario: 'aojiru_step_up' });
    expect(read.published?.document.priority).toBe(90);
  });

  it('refuses a document whose key is not the scenario addressed', async () => {
    const refused = await refusalOf(
      saveScenarioDraft({ pool, workspaceId: workspace.id, input: { ...stepUp, key: 'other' }, scenario: 'aojiru_step_up', actor, clock }),
    );
    expect(refused.details).toEqual({
      problems: [
        {
          path: 'key',
          message: 'the document\'s key "other" is not the key of the scenario addressed ("aojiru_step_up"); a scenario keeps its key',
          severity: 'error',
        },
      ],
    });
  });

  it('pauses and resumes; a second pause is a conflict; paused scenarios are not among the active ones', async () => {
    const paused = await pauseScenario({ pool, workspaceId: workspace.id, scenario: 'aojiru_step_up', clock });
    expect(paused.status).toBe('paused');
    expect((await refusalOf(pauseScenario({ pool, workspaceId: workspace.id, scenario: 'aojiru_step_up', clock }))).code).toBe('conflict');
    expect((await listActiveScenarioVersions({ pool, workspaceId: workspace.id })).map((v) => v.document.key)).toEqual(['gated']);
    const resumed = await resumeScenario({ pool, workspaceId: workspace.id, scenario: paused.id, clock });
    expect(resumed.status).toBe('active');
    expect((await refusalOf(resumeScenario({ pool, workspaceId: workspace.id, scenario: 'aojiru_step_up', clock }))).message).toBe(
      'The scenario "aojiru_step_up" is active; only a paused scenario can be resumed.',
    );
  });

  it('lists scenarios with their published name, and answers not_found for another workspace', async () => {
    const list = await listScenarios({ pool, workspaceId: workspace.id });
    expect(list.map((s) => [s.key, s.status, s.publishedVersion, s.name])).toEqual([
      ['aojiru_step_up', 'active', 2, '引き上げCRM（みのり青汁お試し14日分）'],
      ['gated', 'active', 1, '引き上げCRM（みのり青汁お試し14日分）'],
    ]);
    const other = await freshWorkspace(database);
    expect((await refusalOf(readScenario({ pool, workspaceId: other.id, scenario: list[0]!.id }))).code).toBe('not_found');
  });
});
