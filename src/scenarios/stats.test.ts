import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { type SmtpSink, startSmtpSink } from '../../test/support/smtp-sink.ts';
import { ingest } from '../journey-map/placement/test-map.ts';
import { createSmtpTransport, type SmtpTransport } from '../messaging/smtp.ts';
import { manualClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import type { ScenarioDocument } from './model.ts';
import { runDueSteps } from './runtime/enrollments.ts';
import { performPendingEffects } from './runtime/effects.ts';
import { processSignals } from './runtime/process-signals.ts';
import { publishScenario } from './scenarios.ts';
import { isConversion, scenarioFigures, sendLog, stepCounters } from './stats.ts';
import { marketingScenario, prepareScenarioWorkspace } from './test-scenario.ts';

/**
 * The console's figures of a scenario at work, counted by hand: three customers view a page and
 * enter; each is sent "hello" (B has no consent: not sent), then waits two days; C complains
 * during the wait and leaves by the exit rule (a conversion); A and B go on to "bye".
 */
const database = connectTestDatabase();
const { pool } = database;
const clock = manualClock('2026-06-01T01:00:00.000Z');
let sink: SmtpSink;
let transport: SmtpTransport;
let workspace: Workspace;
let scenarioId: string;

const scenario = (templateId: string): ScenarioDocument =>
  marketingScenario({
    key: 'welcome',
    name: 'ようこそ',
    trigger: { kind: 'event', type: 'page_view' },
    exitRules: [
      { kind: 'condition', name: '苦情', condition: { fact: 'events', type: 'support_contact', withinDays: 1 } },
      { kind: 'left_cell', stage: 'trial' },
    ],
    start: 'hello',
    steps: [
      { kind: 'send', id: 'hello', channel: 'email', templateId, next: 'pause' },
      { kind: 'wait', id: 'pause', duration: { days: 2 }, next: 'bye' },
      { kind: 'send', id: 'bye', channel: 'email', templateId, next: null },
    ],
  });

let eventSeq = 0;
async function event(customer: string, type: string): Promise<void> {
  eventSeq++;
  await ingest(
    pool,
    workspace,
    'events',
    [{ customer_id: customer, type, occurred_at: clock.now().toISOString(), properties: {}, idempotency_key: `ev-${eventSeq}` }],
    clock,
  );
  await processSignals({ pool, clock, workspaceId: workspace.id });
}

const perform = () => performPendingEffects({ pool, clock, transport, secret: 'x'.repeat(40), publicUrl: 'https://crm.example.jp', workspaceId: workspace.id });

beforeAll(async () => {
  sink = await startSmtpSink();
  transport = createSmtpTransport(sink.url);
  workspace = await freshWorkspace(database);
  const { templateIds } = await prepareScenarioWorkspace(pool, workspace, clock);
  const published = await publishScenario({
    pool,
    workspaceId: workspace.id,
    input: scenario(templateIds[0]!),
    actor: { kind: 'system', label: 'test' },
    clock,
  });
  scenarioId = published.scenario.id;
  const consent = [{ channel: 'email', purpose: 'marketing', status: 'granted', at: '2026-05-01T10:00:00+09:00', source: 'signup form' }];
  await ingest(
    pool,
    workspace,
    'customers',
    [
      { customer_id: 'A', name: '青木 一郎', email: 'a@example.jp', consents: consent },
      { customer_id: 'B', name: '馬場 二郎', email: 'b@example.jp' },
      { customer_id: 'C', name: '千葉 三郎', email: 'c@example.jp', consents: consent },
    ],
    clock,
  );
});
afterAll(async () => {
  transport.close();
  await sink.close();
  await database.close();
});

describe('scenario figures, step counters and the send log', () => {
  it('counts enrolled, entered, sent and conversions, and each step, as the customers go through', async () => {
    for (const customer of ['A', 'B', 'C']) await event(customer, 'page_view');
    await perform();
    expect(sink.received.map((mail) => mail.to[0]).sort()).toEqual(['a@example.jp', 'c@example.jp']);
    expect((await scenarioFigures({ pool, workspaceId: workspace.id })).get(scenarioId)).toEqual({ enrolled: 3, entered: 3, sent: 2, conversions: 0 });

    // C complains during the wait: leaves at once by the condition rule — a conversion.
    clock.advance(60 * 60 * 1000);
    await event('C', 'support_contact');
    expect((await scenarioFigures({ pool, workspaceId: workspace.id })).get(scenarioId)).toEqual({ enrolled: 2, entered: 3, sent: 2, conversions: 1 });
    expect(await stepCounters({ pool, workspaceId: workspace.id, scenario: 'welcome' })).toEqual([
      { stepId: 'hello', entered: 3, waiting: 0, passed: 3, exited: 0 },
      { stepId: 'pause', entered: 3, waiting: 2, passed: 0, exited: 1 },
      { stepId: 'bye', entered: 0, waiting: 0, passed: 0, exited: 0 },
    ]);

    // Two days later A and B go on to "bye"; A's is sent, B's again not.
    clock.advance(2 * 86_400_000);
    await runDueSteps({ pool, clock, workspaceId: workspace.id });
    await perform();
    expect((await scenarioFigures({ pool, workspaceId: workspace.id })).get(scenarioId)).toEqual({ enrolled: 0, entered: 3, sent: 3, conversions: 1 });
    expect(await stepCounters({ pool, workspaceId: workspace.id, scenario: scenarioId, version: 1 })).toEqual([
      { stepId: 'hello', entered: 3, waiting: 0, passed: 3, exited: 0 },
      { stepId: 'pause', entered: 3, waiting: 0, passed: 2, exited: 1 },
      { stepId: 'bye', entered: 2, waiting: 0, passed: 2, exited: 0 },
    ]);
  });

  it('pages the send log newest first, with the customer, the outcome and why in words', async () => {
    const first = await sendLog({ pool, workspaceId: workspace.id, scenario: 'welcome', limit: 3 });
    expect(first.sends.map((send) => [send.customer.externalId, send.stepId, send.status, send.reason])).toEqual([
      ['B', 'bye', 'not_sent', 'no_consent'],
      ['A', 'bye', 'sent', null],
      ['C', 'hello', 'sent', null],
    ]);
    expect(first.next).toBe(first.sends[2]!.id);
    const second = await sendLog({ pool, workspaceId: workspace.id, scenario: 'welcome', limit: 3, before: first.next! });
    expect(second.sends.map((send) => [send.customer.externalId, send.stepId, send.status])).toEqual([
      ['B', 'hello', 'not_sent'],
      ['A', 'hello', 'sent'],
    ]);
    expect(second.next).toBeNull();
    const aHello = second.sends[1]!;
    expect(aHello.customer.name).toBe('青木 一郎');
    expect(aHello.version).toBe(1);
    expect(aHello.why).toMatchObject({ scenarioId, key: 'welcome', stepId: 'hello', trigger: { kind: 'event' }, timing: { kind: 'trigger' } });
    expect(aHello.whyText.ja).toBe('サイトのページをご覧になった方にお送りしています。「ようこそ」のご案内です。');
    expect(first.sends[1]!.whyText.en).toBe(
      'We are sending you this because 2 days have passed since you viewed a page of our site. It is part of "ようこそ".',
    );
  });

  it('counts as a conversion only an exit by a condition rule of the version', () => {
    const document = scenario('1');
    expect(isConversion('exit rule: 苦情', document)).toBe(true);
    expect(isConversion('exit rule: left the cell trial/*', document)).toBe(false);
    expect(isConversion('exit step', document)).toBe(false);
    expect(isConversion(null, document)).toBe(false);
  });
});
