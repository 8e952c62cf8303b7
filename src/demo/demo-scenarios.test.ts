import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase } from '../../test/support/database.ts';
import { checkMessage } from '../charter/check-message.ts';
import { readTemplate } from '../charter/templates.ts';
import { createEmailRenderer } from '../messaging/render.ts';
import { missingSenderSettings, readSenderSettings } from '../messaging/sender-settings.ts';
import { checkScenario } from '../scenarios/check-scenario.ts';
import { dryRunScenario } from '../scenarios/dry-run.ts';
import { readScenario } from '../scenarios/scenarios.ts';
import { fixedClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { DEMO_CHARTER } from './demo-charter.ts';
import { DEMO_SCENARIO_TEMPLATES } from './demo-scenario-templates.ts';
import {
  DEMO_SENDER,
  type DemoTemplateIds,
  NEWSLETTER_SCENARIO_KEY,
  newsletterScenario,
  STEP_UP_SCENARIO_KEY,
  seedDemoScenarios,
  stepUpScenario,
} from './demo-scenarios.ts';
import { loadDemoBrand } from './load-demo-brand.ts';

const database = connectTestDatabase();
const { pool } = database;
afterAll(() => database.close());

const clock = fixedClock('2026-11-01T10:00:00+09:00');
let workspace: Workspace;
let seededAtLoad: boolean;

beforeAll(async () => {
  const loaded = await loadDemoBrand(database, {
    customers: 300,
    seed: 7,
    clock,
    journeyHistory: false,
    workspaceName: `demo-${randomUUID().slice(0, 8)}`,
  });
  workspace = loaded.workspace;
  seededAtLoad = loaded.scenariosSeeded;
});

async function templateIds(): Promise<DemoTemplateIds> {
  const { rows } = await pool.query<{ id: string; name: string }>('select id::text, name from message_templates where workspace_id = $1', [workspace.id]);
  const byName = new Map(rows.map((row) => [row.name, row.id]));
  return Object.fromEntries(Object.entries(DEMO_SCENARIO_TEMPLATES).map(([key, input]) => [key, byName.get(input.name)!])) as DemoTemplateIds;
}

describe("the demo brand's scenario templates", () => {
  it.each(Object.entries(DEMO_SCENARIO_TEMPLATES))('%s passes the demo charter with no error and no warning', async (_key, input) => {
    const result = await checkMessage(DEMO_CHARTER, {
      department: input.department,
      channel: input.channel,
      format: input.format!,
      subject: input.subject!,
      body: input.body,
    });
    expect(result.findings.map((f) => `${f.severity} ${f.rule} 「${f.text}」`)).toEqual([]);
    expect(result.publishable).toBe(true);
  });

  it('the checker would catch an efficacy claim in the day-14 message (the test above can fail)', async () => {
    const input = DEMO_SCENARIO_TEMPLATES.day14;
    const claim = input.body.replace('毎日1包を続けてくださったことを、心からうれしく思います。', '体調の改善を実感される頃です。');
    const result = await checkMessage(DEMO_CHARTER, {
      department: input.department,
      channel: input.channel,
      format: 'mjml',
      subject: input.subject!,
      body: claim,
    });
    expect(result.findings.filter((f) => f.severity === 'error').map((f) => f.rule)).toContain('claims.yakkiho.improve');
  });

  it('are published in the demo workspace and render as mail with the footer (MJML compiles, every Liquid variable is known)', async () => {
    const ids = await templateIds();
    const sender = await readSenderSettings(database.db, workspace.id);
    const renderer = createEmailRenderer();
    for (const [key, id] of Object.entries(ids)) {
      const template = await readTemplate({ pool, workspaceId: workspace.id, templateId: id });
      expect(template.status, key).toBe('published');
      const message = await renderer.render({
        template,
        purpose: 'marketing',
        sender,
        customer: { id: '1', name: '山田 花子', email: 'hanako@example.jp' },
        product: { name: 'みのり青汁 お試し14日分', sku: 'MNR-AOJ-TRIAL14' },
        daysSinceDelivery: 14,
        reasonText: 'みのり青汁 お試し14日分をお届けしてから14日目の方にお送りしています。',
        unsubscribeUrl: 'https://kizuna.example.jp/u/token',
      });
      expect(message.html).toContain('山田 花子様');
      expect(message.text).toContain('このメールをお送りした理由');
      expect(message.text).toContain('株式会社みのり農園');
      expect(message.subject).not.toMatch(/\{\{|\}\}/);
    }
  });
});

describe("the demo brand's scenarios", () => {
  it('are published with the demo load: 引き上げCRM and the monthly 会報誌, active, version 1, with sender settings complete', async () => {
    expect(seededAtLoad).toBe(true);
    const stepUp = await readScenario({ pool, workspaceId: workspace.id, scenario: STEP_UP_SCENARIO_KEY });
    const newsletter = await readScenario({ pool, workspaceId: workspace.id, scenario: NEWSLETTER_SCENARIO_KEY });
    const ids = await templateIds();
    expect(stepUp).toMatchObject({ status: 'active', published: { version: 1, document: stepUpScenario(ids) } });
    expect(newsletter).toMatchObject({ status: 'active', published: { version: 1, document: newsletterScenario(ids) } });
    expect(newsletter.published!.document.trigger).toEqual({
      kind: 'audience',
      audience: { fact: 'subscription_status', in: ['active'] },
      schedule: { kind: 'monthly', dayOfMonth: 5, at: '10:00' },
    });
    const sender = await readSenderSettings(database.db, workspace.id);
    expect(missingSenderSettings(sender)).toEqual([]);
    expect(sender).toMatchObject({ senderName: DEMO_SENDER.senderName, postalAddress: DEMO_SENDER.postalAddress, fromAddress: DEMO_SENDER.fromAddress });
  });

  it('pass the scenario checker with no error and no warning', async () => {
    const ids = await templateIds();
    for (const document of [stepUpScenario(ids), newsletterScenario(ids)]) {
      const checked = await checkScenario({ pool, workspaceId: workspace.id, input: document });
      expect(checked.ok ? checked.warnings : checked.problems, document.key).toEqual([]);
    }
  });

  it('enroll nobody from the history: publishing reacts only to triggers from now on', async () => {
    const { rows } = await pool.query<{ enrollments: number; signals: number }>(
      `select (select count(*)::int from scenario_enrollments where workspace_id = $1) as enrollments,
              (select count(*)::int from scenario_signals where workspace_id = $1) as signals`,
      [workspace.id],
    );
    expect(rows[0]).toEqual({ enrollments: 0, signals: 0 });
  });

  it('time the step-up contacts to the trial product: its delivery, day 3, day 14 and day 28', async () => {
    // A trial buyer who has not (yet) stepped up: no subscription, no 30日分.
    const { rows } = await pool.query<{ external_id: string; ordered_at: Date; delivered_at: Date }>(
      `select c.external_id, o.ordered_at, o.delivered_at from customers c
         join orders o on o.customer_id = c.id join order_items i on i.order_id = o.id join products p on p.id = i.product_id
        where c.workspace_id = $1 and p.sku = 'MNR-AOJ-TRIAL14' and o.delivered_at is not null
          and not exists (select 1 from subscriptions s where s.customer_id = c.id)
          and not exists (select 1 from orders o2 join order_items i2 on i2.order_id = o2.id join products p2 on p2.id = i2.product_id
                           where o2.customer_id = c.id and p2.sku in ('MNR-AOJ-30', 'MNR-AOJ-SUB30'))
          and not exists (select 1 from events e where e.customer_id = c.id and e.type = 'support_contact')
        order by o.ordered_at desc, c.id limit 1`,
      [workspace.id],
    );
    expect(rows[0]).toBeDefined();
    // As if the order had just come in.
    const atOrder = fixedClock(new Date(rows[0]!.ordered_at.getTime() + 60_000));
    const run = await dryRunScenario({ pool, workspaceId: workspace.id, scenario: STEP_UP_SCENARIO_KEY, customer: rows[0]!.external_id, clock: atOrder });
    const sends = run.effects.filter((effect) => effect.kind === 'send');
    expect(sends.map((send) => send.stepId)).toEqual(['how_to_drink', 'first_impressions', 'effect_message', 'others_notice']);
    const tokyoDay = (at: string) => new Date(new Date(at).getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
    const deliveredDay = tokyoDay(rows[0]!.delivered_at.toISOString());
    const daysAfter = (at: string) => Math.round((Date.parse(tokyoDay(at)) - Date.parse(deliveredDay)) / 86_400_000);
    expect(sends.map((send) => daysAfter(send.at))).toEqual([0, 3, 14, 28]);
    // The timeline's sends carry the day of the point (the templates' {{ days_since_delivery }}).
    expect(sends.slice(0, 3).map((send) => (send.timing.kind === 'effect' ? send.timing.days : null))).toEqual([0, 3, 14]);
    expect(sends.map((send) => (send.kind === 'send' ? send.purpose : null))).toEqual(['transactional', 'marketing', 'marketing', 'marketing']);
  });

  it('are seeded once: a second seeding leaves the workspace as it is', async () => {
    const before = await pool.query('select count(*)::int as n from message_templates where workspace_id = $1', [workspace.id]);
    const again = await seedDemoScenarios({ pool, db: database.db, workspaceId: workspace.id, check: checkMessage, clock });
    expect(again).toMatchObject({ seeded: false });
    const after = await pool.query('select count(*)::int as n from message_templates where workspace_id = $1', [workspace.id]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });
});
