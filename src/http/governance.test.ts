import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshWorkspace, isolatedTestDatabase } from '../../test/support/database.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { addMember } from '../auth/memberships.ts';
import { createUser } from '../auth/users.ts';
import { DEFAULT_CONTACT_RULES } from '../governance/model.ts';
import type { MeasurementPlan } from '../scenarios/model.ts';
import { publishScenario } from '../scenarios/scenarios.ts';
import { marketingScenario, prepareScenarioWorkspace } from '../scenarios/test-scenario.ts';
import { manualClock } from '../shared/clock.ts';
import type { Role } from '../shared/vocabulary.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';

/**
 * The contact-rules and measurement routes, used as intended and as an attacker would: only an
 * admin changes the rules (by session from the console's own origin, or by key); invalid or
 * hostile bodies get a precise 4xx and change nothing, never a 500; another workspace's member
 * or key sees nothing of this one.
 */

// A database of its own: the sessions signed in here carry this file's clock, which another
// file's purge of expired sessions (with its own clock) would otherwise end.
const database = await isolatedTestDatabase();
const { pool } = database;
const clock = manualClock('2026-06-10T03:00:00.000Z');
const OWN = 'http://localhost:80';
const FOREIGN = 'https://evil.example';
let app: FastifyInstance;
let mine: Workspace;
let theirs: Workspace;
const cookies = {} as Record<'admin' | 'marketing' | 'read_only' | 'support' | 'theirAdmin', string>;
const keys = {} as Record<'admin' | 'marketing' | 'read_only' | 'theirAdmin', string>;
let adminUserId: string;
/** The errors the app logged (a 500's cause). */
const logged: string[] = [];
let purchaseScenarioId: string;
const PLAN: MeasurementPlan = { holdoutPercent: 20, metric: { kind: 'purchase' }, windowDays: 30, runDays: 30, minimumDetectableEffect: 5 };

const VALID_RULES = {
  caps: [{ id: 'marketing_weekly', name: '週3通まで', max: 3, window: { days: 7 } }],
  quietHours: [{ channel: 'email', from: '21:00', to: '08:00' }],
  globalControlPercent: 5,
};

async function signIn(workspace: Workspace, role: Role): Promise<{ cookie: string; userId: string }> {
  const email = `${randomUUID()}@example.jp`;
  const user = await createUser(database.db, { email, displayName: `${role} 担当`, password: 'correct horse battery' });
  await addMember(database.db, { workspaceId: workspace.id, email, role });
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { origin: OWN },
    payload: { email, password: 'correct horse battery' },
  });
  expect(login.statusCode).toBe(200);
  return { cookie: String(login.headers['set-cookie']).split(';')[0]!, userId: user.id };
}

async function apiKey(workspace: Workspace, role: Role): Promise<string> {
  return `Bearer ${(await createApiKey(database.db, { workspaceId: workspace.id, name: `${role}-${randomUUID()}`, role })).key}`;
}

type Auth = { cookie: string; origin?: string | null; fetchSite?: string } | { key: string };
function call(method: 'GET' | 'PUT' | 'POST', path: string, auth: Auth, payload?: unknown, workspace: Workspace = mine): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if ('key' in auth) headers.authorization = auth.key;
  else {
    headers.cookie = auth.cookie;
    // A browser sends Origin on every PUT and POST: the console's own unless said otherwise.
    if (method !== 'GET' && auth.origin !== null) headers.origin = auth.origin ?? OWN;
    if (auth.fetchSite) headers['sec-fetch-site'] = auth.fetchSite;
  }
  return app.inject({
    method,
    url: `/api/v1/workspaces/${workspace.name}/${path}`,
    headers,
    ...(payload === undefined
      ? {}
      : typeof payload === 'string'
        ? { payload, headers: { ...headers, 'content-type': 'application/json' } }
        : { payload: payload as object }),
  });
}

/** The stored rules of both workspaces, as a string to compare. */
async function storedRules(): Promise<string> {
  const { rows } = await pool.query('select workspace_id, document, updated_at, updated_by from contact_rules order by workspace_id');
  return JSON.stringify(rows);
}

beforeAll(async () => {
  app = await buildApp({ database, config: { secureCookies: false }, clock }, { logger: { level: 'error', stream: { write: (line) => logged.push(line) } } });
  mine = await freshWorkspace(database);
  theirs = await freshWorkspace(database);
  const admin = await signIn(mine, 'admin');
  cookies.admin = admin.cookie;
  adminUserId = admin.userId;
  cookies.marketing = (await signIn(mine, 'marketing')).cookie;
  cookies.read_only = (await signIn(mine, 'read_only')).cookie;
  cookies.support = (await signIn(mine, 'support')).cookie;
  cookies.theirAdmin = (await signIn(theirs, 'admin')).cookie;
  keys.admin = await apiKey(mine, 'admin');
  keys.marketing = await apiKey(mine, 'marketing');
  keys.read_only = await apiKey(mine, 'read_only');
  keys.theirAdmin = await apiKey(theirs, 'admin');

  const { templateIds } = await prepareScenarioWorkspace(pool, mine, clock);
  const scenario = (key: string, measurement: MeasurementPlan) =>
    marketingScenario({
      key,
      name: key,
      trigger: { kind: 'event', type: 'page_view' },
      start: 'hello',
      steps: [{ kind: 'send', id: 'hello', channel: 'email', templateId: templateIds[0]!, next: null }],
      measurement,
    });
  const publish = async (key: string, measurement: MeasurementPlan) =>
    (
      await publishScenario({
        pool,
        workspaceId: mine.id,
        input: scenario(key, measurement),
        actor: { kind: 'system', label: 'test' },
        clock,
        senderSettingsMissing: async () => [],
      })
    ).scenario.id;
  purchaseScenarioId = await publish('welcome', PLAN);
  await publish('spend', { ...PLAN, metric: { kind: 'revenue' }, minimumDetectableEffect: 500 });
  // Twenty customers, every other one a VIP.
  await pool.query(
    `insert into customers (workspace_id, external_id, attributes, created_at)
     select $1, 'C-' || g, jsonb_build_object('segment', case when g % 2 = 0 then 'vip' else 'regular' end), '2026-01-01'
       from generate_series(1, 20) g`,
    [mine.id],
  );
});
afterAll(async () => {
  await app.close();
  await database.close();
});

describe('GET and PUT contact-rules', () => {
  it('gives the defaults while none are saved, to any member and key of the workspace', async () => {
    for (const auth of [{ cookie: cookies.read_only }, { cookie: cookies.marketing }, { key: keys.read_only }]) {
      const response = await call('GET', 'contact-rules', auth);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ rules: DEFAULT_CONTACT_RULES, workspaceTimezone: 'Asia/Tokyo', updatedAt: null, updatedBy: null });
    }
  });

  it('refuses a marketing, support or read-only member or key (403) and saves nothing', async () => {
    const before = await storedRules();
    for (const [who, auth] of [
      ['marketing', { cookie: cookies.marketing }],
      ['support', { cookie: cookies.support }],
      ['read_only', { cookie: cookies.read_only }],
      ['marketing key', { key: keys.marketing }],
      ['read_only key', { key: keys.read_only }],
    ] as const) {
      const response = await call('PUT', 'contact-rules', auth, VALID_RULES);
      expect(response.statusCode, who).toBe(403);
      expect(response.json().code, who).toBe('forbidden');
    }
    expect((await call('PUT', 'contact-rules', { cookie: cookies.marketing }, VALID_RULES)).json().message).toBe(
      'The role "marketing" may not change the contact rules; an admin can.',
    );
    expect(await storedRules()).toBe(before);
  });

  it('refuses a cross-site PUT riding the admin session (Origin, Sec-Fetch-Site, "null") and saves nothing', async () => {
    const before = await storedRules();
    const foreign = await call('PUT', 'contact-rules', { cookie: cookies.admin, origin: FOREIGN }, VALID_RULES);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({ code: 'forbidden', message: expect.stringContaining(FOREIGN) });
    expect((await call('PUT', 'contact-rules', { cookie: cookies.admin, origin: null, fetchSite: 'cross-site' }, VALID_RULES)).statusCode).toBe(403);
    expect((await call('PUT', 'contact-rules', { cookie: cookies.admin, origin: null, fetchSite: 'same-site' }, VALID_RULES)).statusCode).toBe(403);
    expect((await call('PUT', 'contact-rules', { cookie: cookies.admin, origin: 'null' }, VALID_RULES)).statusCode).toBe(403);
    // A text/plain "simple request" from a foreign form: refused before it is even parsed.
    const simple = await app.inject({
      method: 'PUT',
      url: `/api/v1/workspaces/${mine.name}/contact-rules`,
      headers: { cookie: cookies.admin, origin: FOREIGN, 'content-type': 'text/plain' },
      payload: JSON.stringify(VALID_RULES),
    });
    expect(simple.statusCode).toBe(403);
    // The preview (a POST) is state-changing for the guard too.
    expect((await call('POST', 'contact-rules/preview', { cookie: cookies.admin, origin: FOREIGN }, {})).statusCode).toBe(403);
    expect(await storedRules()).toBe(before);
  });

  it('saves an admin’s rules (session from the console, or key) and gives them back', async () => {
    const saved = await call('PUT', 'contact-rules', { cookie: cookies.admin }, VALID_RULES);
    expect(saved.statusCode, saved.body).toBe(200);
    const expected = {
      rules: { ...DEFAULT_CONTACT_RULES, ...VALID_RULES },
      workspaceTimezone: 'Asia/Tokyo',
      updatedAt: '2026-06-10T03:00:00.000Z',
      updatedBy: adminUserId,
    };
    expect(saved.json()).toEqual(expected);
    expect((await call('GET', 'contact-rules', { key: keys.read_only })).json()).toEqual(expected);

    clock.advance(60_000);
    const byKey = await call('PUT', 'contact-rules', { key: keys.admin }, { ...VALID_RULES, globalControlPercent: 0 });
    expect(byKey.statusCode).toBe(200);
    expect(byKey.json()).toMatchObject({ rules: { globalControlPercent: 0 }, updatedAt: '2026-06-10T03:01:00.000Z', updatedBy: null });
    // Put back the first rules for the tests below.
    expect((await call('PUT', 'contact-rules', { cookie: cookies.admin }, VALID_RULES)).statusCode).toBe(200);
  });

  it('refuses invalid rules with a precise 4xx (never a 500) and keeps the saved ones', async () => {
    const before = await storedRules();
    const cap = VALID_RULES.caps[0]!;
    const cases: Array<[what: string, body: unknown, status: number, message: string | RegExp]> = [
      ['a window of 0', { caps: [{ ...cap, window: { days: 0 } }] }, 422, 'caps.0.window: a window is at least one hour'],
      ['a window of 91 days', { caps: [{ ...cap, window: { days: 91 } }] }, 422, 'caps.0.window.days'],
      ['a max of 0', { caps: [{ ...cap, max: 0 }] }, 422, 'caps.0.max'],
      ['a max of 1.5', { caps: [{ ...cap, max: 1.5 }] }, 422, 'caps.0.max'],
      ['duplicate ids', { caps: [cap, { ...cap, name: '別名' }] }, 422, 'caps.1.id: the rule id "marketing_weekly" is used twice'],
      ['a bad rule id', { caps: [{ ...cap, id: 'Weekly Cap' }] }, 422, 'caps.0.id: a rule id is lower-case letters'],
      ['21 caps', { caps: Array.from({ length: 21 }, (_, i) => ({ ...cap, id: `cap_${i}` })) }, 422, 'caps: '],
      ['a global control group of 20 %', { globalControlPercent: 20 }, 422, 'globalControlPercent'],
      ['a global control group of 0.5 %', { globalControlPercent: 0.5 }, 422, 'globalControlPercent'],
      [
        'quiet hours with "from" only',
        { quietHours: [{ channel: 'email', from: '21:00' }] },
        422,
        'quietHours.0: quiet hours name both "from" and "to", or neither',
      ],
      ['quiet hours from = to', { quietHours: [{ channel: 'email', from: '21:00', to: '21:00' }] }, 422, 'quietHours.0: "from" and "to" differ'],
      ['quiet hours at 25:00', { quietHours: [{ channel: 'email', from: '25:00', to: '08:00' }] }, 422, 'quietHours.0.from: a time of day is HH:MM'],
      ['an unknown channel', { quietHours: [{ channel: 'fax', from: '21:00', to: '08:00' }] }, 422, 'quietHours.0.channel'],
      ['an unknown cap channel', { caps: [{ ...cap, channels: ['carrier_pigeon'] }] }, 422, 'caps.0.channels.0'],
      ['an unknown time zone', { timezone: 'Mars/Olympus_Mons' }, 422, 'timezone: an IANA time zone'],
      ['a complaint open for 0 days', { complaints: { openForDays: 0 } }, 422, 'complaints.openForDays'],
      ['a complaint open for 1.5 days', { complaints: { openForDays: 1.5 } }, 422, 'complaints.openForDays'],
      [
        'a complaint test on a bad property name',
        { complaints: { openWhere: [{ property: 'a b', op: '=', value: 'x' }] } },
        422,
        'complaints.openWhere.0.property',
      ],
      ['a complaint test with an unknown op', { complaints: { openWhere: [{ property: 'topic', op: 'like', value: 'x' }] } }, 422, 'complaints.openWhere.0.op'],
      [
        '11 complaint tests',
        { complaints: { openWhere: Array.from({ length: 11 }, () => ({ property: 'topic', op: '=', value: 'complaint' })) } },
        422,
        'complaints.openWhere',
      ],
      ['no complaint tests (an empty list)', { complaints: { openWhere: [] } }, 422, 'complaints.openWhere'],
      ['an unknown field', { ...VALID_RULES, isAdmin: true }, 422, 'isAdmin'],
      ['a field of a wrong type', { caps: 'all of them' }, 422, 'caps'],
      ['an array', [VALID_RULES], 422, '(rules)'],
      ['null', null, 422, '(rules)'],
      ['a NUL character', { caps: [{ ...cap, name: 'a\u0000b' }] }, 422, 'NUL'],
      ['JSON nested 100 deep', JSON.parse(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`), 422, 'nested deeper than 64 levels'],
      ['not JSON', '{"caps": [', 400, /JSON/],
    ];
    for (const [what, body, status, message] of cases) {
      const response = await call('PUT', 'contact-rules', { cookie: cookies.admin }, body);
      expect(response.statusCode, `${what}: ${response.body}`).toBe(status);
      const json = response.json() as { code: string; message: string };
      expect(json.code, what).toBe(status === 422 ? 'validation_failed' : 'bad_request');
      if (typeof message === 'string') expect(json.message, what).toContain(message);
      else expect(json.message, what).toMatch(message);
    }
    expect(await storedRules()).toBe(before);
  });

  it('refuses a 10 MB body with 413, and saves nothing', async () => {
    const before = await storedRules();
    const huge = JSON.stringify({ caps: [{ ...VALID_RULES.caps[0], name: 'x'.repeat(10 * 1024 * 1024) }] });
    const response = await call('PUT', 'contact-rules', { cookie: cookies.admin }, huge);
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('payload_too_large');
    expect(await storedRules()).toBe(before);
  });
});

describe('POST contact-rules/preview', () => {
  it('previews the saved rules for any member, and rules to try without saving them', async () => {
    const before = await storedRules();
    const saved = await call(
      'POST',
      'contact-rules/preview',
      { cookie: cookies.read_only },
      { audience: { fact: 'attribute', name: 'segment', op: '=', value: 'vip' } },
    );
    expect(saved.statusCode, saved.body).toBe(200);
    // Ten VIPs, no contact yet, 12:00 in Tokyo: every one is sent but the 5 % global control group.
    const body = saved.json() as { audience: number; send: number; globalControl: number; deferred: number; skipped: number };
    expect(body.audience).toBe(10);
    expect(body.send + body.globalControl).toBe(10);
    expect(body.deferred + body.skipped).toBe(0);
    // Rules to try: quiet all day on Wednesday (2026-06-10 is one): every one deferred to Thursday.
    const tried = await call('POST', 'contact-rules/preview', { key: keys.read_only }, { rules: { quietHours: [{ channel: 'email', weekdays: ['wed'] }] } });
    expect(tried.statusCode, tried.body).toBe(200);
    const untilThursday = Math.round((Date.parse('2026-06-10T15:00:00Z') - clock.now().getTime()) / 60_000);
    expect(tried.json()).toMatchObject({ audience: 20, send: 0, deferred: 20, skipped: 0, globalControl: 0, medianDeferMinutes: untilThursday });
    expect(tried.json().byRule).toEqual([{ rule: { kind: 'quiet_hours', channel: 'email' }, deferred: 20, skipped: 0 }]);
    expect(await storedRules()).toBe(before);
  });

  it('refuses invalid rules to try, and hostile audiences, with a 4xx — never a 500', async () => {
    const deep = (depth: number) => {
      let condition: unknown = { fact: 'attribute', name: 'segment' };
      for (let i = 0; i < depth; i++) condition = { not: condition };
      return condition;
    };
    const cases: Array<[what: string, body: unknown, status: number, message: string]> = [
      [
        'rules to try with a window of 0',
        { rules: { caps: [{ ...VALID_RULES.caps[0], window: { hours: 0 } }] } },
        422,
        'The rules to try are not valid: caps.0.window',
      ],
      ['an unknown fact', { audience: { fact: 'password', op: '=', value: 1 } }, 400, 'body.audience'],
      ['an empty all', { audience: { all: [] } }, 400, 'body.audience'],
      ['51 conditions in one any', { audience: { any: Array.from({ length: 51 }, () => ({ fact: 'attribute', name: 'segment' })) } }, 400, 'body.audience'],
      ['an audience nested 100 deep', { audience: deep(100) }, 422, 'nested deeper than 64 levels'],
      ['a priority of 0', { priority: 0 }, 400, 'body.priority'],
      ['an unknown channel', { channel: 'fax' }, 400, 'body.channel'],
      ['a deferral of 100 years', { whenHeld: { kind: 'defer', within: { days: 36500 } } }, 400, 'body.whenHeld'],
    ];
    for (const [what, body, status, message] of cases) {
      const response = await call('POST', 'contact-rules/preview', { cookie: cookies.admin }, body);
      expect(response.statusCode, `${what}: ${response.body.slice(0, 300)}`).toBe(status);
      expect(response.json().message, what).toContain(message);
    }
    // Deep but within the bounds: answered.
    const within = await call('POST', 'contact-rules/preview', { cookie: cookies.admin }, { audience: deep(60) });
    expect(within.statusCode, within.body.slice(0, 300)).toBe(200);
  });

  // Many distinct event conditions of one type (2,500 columns, past PostgreSQL's 1,664 in one select): counted in statements of 500.
  it('answers a wide audience of many distinct event conditions with a 4xx or a result, never a 500', async () => {
    const audience = {
      any: Array.from({ length: 50 }, (_, i) => ({
        any: Array.from({ length: 50 }, (_, j) => ({ fact: 'events', type: 'page_view', withinDays: i * 50 + j + 1 })),
      })),
    };
    const response = await call('POST', 'contact-rules/preview', { cookie: cookies.admin }, { audience });
    expect(response.statusCode, `${response.body.slice(0, 300)} ${logged.at(-1)?.slice(0, 600)}`).toBeLessThan(500);
  });
});

describe('GET scenarios/:scenario/measurement', () => {
  it('measures a scenario by key and by id; an unknown one, or another workspace’s, is 404', async () => {
    const byKey = await call('GET', 'scenarios/welcome/measurement', { cookie: cookies.read_only });
    expect(byKey.statusCode, byKey.body).toBe(200);
    expect(byKey.json()).toMatchObject({
      scenarioId: purchaseScenarioId,
      scenarioKey: 'welcome',
      plan: PLAN,
      metric: 'purchase',
      status: 'collecting',
      launchedAt: '2026-06-10T03:00:00.000Z',
      judgedAt: '2026-08-09T03:00:00.000Z',
      pending: { treatment: 0, holdout: 0 },
      overall: { treatment: { customers: 0 }, holdout: { customers: 0 }, effect: null, verdict: null },
    });
    const byId = await call('GET', `scenarios/${purchaseScenarioId}/measurement`, { key: keys.read_only });
    expect(byId.statusCode).toBe(200);
    expect(byId.json()).toEqual(byKey.json());

    const unknown = await call('GET', 'scenarios/no_such_scenario/measurement', { cookie: cookies.admin });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'not_found', message: 'Scenario "no_such_scenario" does not exist in this workspace.' });
    expect((await call('GET', 'scenarios/999999999/measurement', { cookie: cookies.admin })).statusCode).toBe(404);
    // Longer than any key or id (and than Fastify's 100-character parameters): a 4xx.
    const overlong = await call('GET', `scenarios/${'x'.repeat(101)}/measurement`, { cookie: cookies.admin });
    expect([400, 404]).toContain(overlong.statusCode);
    // Their admin asks for this workspace's scenario by id through their own workspace.
    expect((await call('GET', `scenarios/${purchaseScenarioId}/measurement`, { cookie: cookies.theirAdmin }, undefined, theirs)).statusCode).toBe(404);
  });

  // A revenue scenario just published (nobody to compare yet): collecting, no figures.
  it('measures a revenue scenario just published (nobody to compare yet)', async () => {
    const response = await call('GET', 'scenarios/spend/measurement', { cookie: cookies.admin });
    expect(response.statusCode, `${response.body} ${logged.at(-1)?.slice(0, 600)}`).toBe(200);
  });
});

describe('GET measurement/global-control', () => {
  it('refuses a period that starts after it ends (422), and a malformed date (400)', async () => {
    const reversed = await call('GET', 'measurement/global-control?from=2026-06-02&to=2026-06-01', { cookie: cookies.read_only });
    expect(reversed.statusCode).toBe(422);
    expect(reversed.json()).toMatchObject({ code: 'validation_failed', message: 'The period starts (2026-06-02) after it ends (2026-06-01).' });
    const malformed = await call('GET', 'measurement/global-control?from=2026-02-30', { cookie: cookies.read_only });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().message).toContain('querystring.from');
  });

  // Regression: `'global:' || $1::text` once typed the workspace parameter as text, so
  // `workspace_id = $1` failed ("operator does not exist: bigint = text"): a 500 whenever a
  // global control group was set (here 5 %).
  it('reports the global control group against the rest', async () => {
    const response = await call('GET', 'measurement/global-control?from=2026-06-01&to=2026-06-09', { cookie: cookies.read_only });
    expect(response.statusCode, `${response.body} ${logged.at(-1)?.slice(0, 600)}`).toBe(200);
    const report = response.json() as { percent: number; from: string; to: string; control: { customers: number }; rest: { customers: number } };
    expect(report).toMatchObject({ percent: 5, from: '2026-06-01', to: '2026-06-09' });
    expect(report.control.customers + report.rest.customers).toBe(20);
  });
});

describe('another workspace’s member or key', () => {
  it('can neither read nor write this workspace’s rules, preview or measurements (404, nothing changes)', async () => {
    const before = await storedRules();
    for (const auth of [{ cookie: cookies.theirAdmin }, { key: keys.theirAdmin }]) {
      const attempts: Array<[method: 'GET' | 'PUT' | 'POST', path: string, payload?: unknown]> = [
        ['GET', 'contact-rules'],
        ['PUT', 'contact-rules', { globalControlPercent: 0 }],
        ['POST', 'contact-rules/preview', {}],
        ['GET', 'scenarios/welcome/measurement'],
        ['GET', 'measurement/global-control?from=2026-06-01&to=2026-06-09'],
      ];
      for (const [method, path, payload] of attempts) {
        const response = await call(method, path, auth, payload);
        expect(response.statusCode, `${method} ${path}`).toBe(404);
        expect(response.json().message).toBe(`No workspace named "${mine.name}".`);
      }
    }
    expect(await storedRules()).toBe(before);
    // Their own rules are theirs alone: saving them changes nothing here.
    expect((await call('PUT', 'contact-rules', { cookie: cookies.theirAdmin }, { globalControlPercent: 15 }, theirs)).statusCode).toBe(200);
    expect((await call('GET', 'contact-rules', { cookie: cookies.admin })).json().rules.globalControlPercent).toBe(5);
  });

  it('is refused without any credentials (401)', async () => {
    for (const [method, path] of [
      ['GET', 'contact-rules'],
      ['PUT', 'contact-rules'],
      ['POST', 'contact-rules/preview'],
    ] as const) {
      const response = await app.inject({ method, url: `/api/v1/workspaces/${mine.name}/${path}`, ...(method === 'GET' ? {} : { payload: {} }) });
      expect(response.statusCode, `${method} ${path}`).toBe(401);
    }
  });
});
