import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';
import { createApiKey } from '../auth/api-keys.ts';
import type { ScenarioDocument } from '../scenarios/model.ts';
import { prepareScenarioWorkspace, stepUpExample } from '../scenarios/test-scenario.ts';
import { fixedClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';

/**
 * The scenario HTTP API: draft, publish (and its refusals with paths), pause and resume,
 * versions, with the roles that may do each, and hostile input answered 4xx, never 500.
 */

const database = connectTestDatabase();
const clock = fixedClock('2026-06-10T03:00:00Z');
let app: FastifyInstance;
let brand: Workspace;
let stepUp: ScenarioDocument;
const keys: Record<'marketing' | 'read_only' | 'support', string> = { marketing: '', read_only: '', support: '' };
let senderMissing: string[] = [];

beforeAll(async () => {
  app = await buildApp({
    database,
    analytics: new AnalyticsEngine(database.pool),
    config: { secureCookies: false },
    clock,
    senderSettingsMissing: async () => senderMissing,
  });
  brand = await freshWorkspace(database);
  for (const role of Object.keys(keys) as (keyof typeof keys)[])
    keys[role] = (await createApiKey(database.db, { workspaceId: brand.id, name: `${role}-key`, role })).key;
  stepUp = stepUpExample((await prepareScenarioWorkspace(database.pool, brand, clock)).templateIds);
});
afterAll(async () => {
  await app.close();
  await database.close();
});

function send(method: 'GET' | 'POST' | 'PUT', path: string, key: string, payload?: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method,
    url: `/api/v1/workspaces/${brand.name}/${path}`,
    headers: { authorization: `Bearer ${key}`, ...headers },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

describe('the scenario API', () => {
  it('lets only admin and marketing change scenarios; every role reads', async () => {
    for (const key of [keys.support, keys.read_only]) {
      const refused = await send('PUT', 'scenarios/aojiru_step_up/draft', key, stepUp);
      expect(refused.statusCode).toBe(403);
    }
    expect((await send('GET', 'scenarios', keys.read_only)).json()).toEqual([]);
  });

  it('saves a draft with its problems, refuses to publish it with every problem (422), then publishes the fixed document', async () => {
    const draft = await send('PUT', 'scenarios/aojiru_step_up/draft', keys.marketing, { ...stepUp, start: 'nowhere' });
    expect(draft.statusCode).toBe(200);
    expect(draft.json()).toMatchObject({
      key: 'aojiru_step_up',
      status: 'draft',
      published: null,
      draft: { problems: [{ path: 'start', severity: 'error' }] },
    });

    const refused = await send('POST', 'scenarios/aojiru_step_up/publish', keys.marketing, {});
    expect(refused.statusCode).toBe(422);
    expect(refused.json().details.problems).toEqual([{ path: 'start', message: '"start" names no step: there is no step "nowhere"', severity: 'error' }]);

    senderMissing = ['sender address'];
    const gated = await send('POST', 'scenarios/aojiru_step_up/publish', keys.marketing, { document: stepUp });
    expect(gated.statusCode).toBe(422);
    expect(gated.json().details.problems[0].path).toBe('purpose');
    senderMissing = [];

    const published = await send('POST', 'scenarios/aojiru_step_up/publish', keys.marketing, { document: stepUp });
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({
      outcome: 'published',
      scenario: { status: 'active', draft: null, published: { version: 1, createdBy: 'API key "marketing-key"' } },
    });
  });

  it('pauses and resumes, 409 on a second pause, and lists versions', async () => {
    expect((await send('POST', 'scenarios/aojiru_step_up/pause', keys.marketing)).json().status).toBe('paused');
    const again = await send('POST', 'scenarios/aojiru_step_up/pause', keys.marketing);
    expect(again.statusCode).toBe(409);
    expect((await send('POST', 'scenarios/aojiru_step_up/resume', keys.marketing)).json().status).toBe('active');
    const versions = await send('GET', 'scenarios/aojiru_step_up/versions', keys.read_only);
    expect(versions.json().map((v: { version: number }) => v.version)).toEqual([1]);
    expect((await send('GET', 'scenarios/aojiru_step_up/versions/1', keys.read_only)).json().document).toEqual(stepUp);
    expect((await send('GET', 'scenarios/aojiru_step_up/versions/2', keys.read_only)).statusCode).toBe(404);
    expect((await send('GET', 'scenarios/nope', keys.read_only)).statusCode).toBe(404);
    const list = (await send('GET', 'scenarios', keys.read_only)).json();
    expect(list).toMatchObject([{ key: 'aojiru_step_up', status: 'active', publishedVersion: 1, triggerKind: 'order', hasDraft: false }]);
    expect(list[0]).toMatchObject({ enrolled: 0, entered: 0, sent: 0, conversions: 0 });
  });

  it('answers the step counters in the order of the steps, and an empty send log, to every role', async () => {
    const steps = await send('GET', 'scenarios/aojiru_step_up/steps', keys.read_only);
    expect(steps.statusCode).toBe(200);
    expect(steps.json().map((step: { stepId: string }) => step.stepId)).toEqual(stepUp.steps.map((step) => step.id));
    expect(steps.json()[0]).toEqual({ stepId: 'delivered', entered: 0, waiting: 0, passed: 0, exited: 0 });
    const sends = await send('GET', 'scenarios/aojiru_step_up/sends?limit=10', keys.read_only);
    expect(sends.json()).toEqual({ sends: [], next: null });
    expect((await send('GET', 'scenarios/aojiru_step_up/sends?limit=1000', keys.read_only)).statusCode).toBe(422);
    expect((await send('GET', 'scenarios/aojiru_step_up/sends?before=abc', keys.read_only)).statusCode).toBe(400);
    expect((await send('GET', 'scenarios/nope/sends', keys.read_only)).statusCode).toBe(404);
    expect((await send('GET', 'scenarios/aojiru_step_up/steps?version=0', keys.read_only)).statusCode).toBe(400);
  });

  it("checks a document without saving it: the checker's problems with their paths", async () => {
    const checked = await send('POST', 'scenarios/check', keys.read_only, { document: { ...stepUp, key: 'unsaved', start: 'nowhere' } });
    expect(checked.statusCode).toBe(200);
    expect(checked.json().problems).toEqual([{ path: 'start', message: '"start" names no step: there is no step "nowhere"', severity: 'error' }]);
    expect((await send('POST', 'scenarios/check', keys.read_only, { document: stepUp })).json()).toEqual({ problems: [] });
    expect((await send('GET', 'scenarios', keys.read_only)).json().map((item: { key: string }) => item.key)).toEqual(['aojiru_step_up']);
  });

  it('answers hostile input with 4xx, never 500', async () => {
    const wrongTypes = [
      ['PUT', 'scenarios/x/draft', []],
      ['PUT', 'scenarios/x/draft', 'text'],
      ['PUT', 'scenarios/x/draft', { key: 42 }],
      ['POST', 'scenarios/x/publish', { document: [] }],
      ['POST', 'scenarios/aojiru_step_up/publish', { document: { ...stepUp, steps: [{ kind: 'branch', id: 'b', condition: { all: 'x' } }] } }],
      ['GET', 'scenarios/aojiru_step_up/versions/abc', undefined],
    ] as const;
    for (const [method, path, payload] of wrongTypes) {
      const response = await send(method, path, keys.marketing, payload, typeof payload === 'string' ? { 'content-type': 'application/json' } : {});
      expect(response.statusCode, `${method} ${path} ${JSON.stringify(payload)}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, `${method} ${path}`).toBeLessThan(500);
    }
    // A draft of the wrong shape is kept, with its problems, for the editor.
    const kept = await send('PUT', 'scenarios/x/draft', keys.marketing, { key: 'x', steps: 'many', trigger: [] });
    expect(kept.statusCode).toBe(200);
    expect(kept.json().draft.problems).toContainEqual({ path: 'steps', message: 'expected a list, got "many"', severity: 'error' });
    const huge = { ...stepUp, steps: Array.from({ length: 20_000 }, (_, i) => ({ kind: 'send', id: `s${i}`, channel: 'email', templateId: '1', next: null })) };
    const tooMany = await send('POST', 'scenarios/aojiru_step_up/publish', keys.marketing, { document: huge });
    expect(tooMany.statusCode).toBe(413);
    const many = { ...stepUp, steps: Array.from({ length: 500 }, (_, i) => ({ kind: 'send', id: `s${i}`, channel: 'email', templateId: '1', next: null })) };
    const bounded = await send('POST', 'scenarios/aojiru_step_up/publish', keys.marketing, { document: many });
    expect(bounded.statusCode).toBe(422);
    expect(bounded.json().details.problems).toEqual([{ path: 'steps', message: 'has more than 200 items (at most 200)', severity: 'error' }]);
  });

  it('answers a dry run for one customer, read-only roles included; an unknown customer is a 404', async () => {
    await send('POST', 'scenarios/aojiru_step_up/publish', keys.marketing, { document: stepUp });
    const unknown = await send('GET', 'scenarios/aojiru_step_up/dry-run?customer=NOPE', keys.read_only);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe('no customer NOPE in this workspace');
    const missing = await send('GET', 'scenarios/aojiru_step_up/dry-run', keys.read_only);
    expect(missing.statusCode).toBe(400);
  });
});
