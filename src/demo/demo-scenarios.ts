import type pg from 'pg';
import type { Actor } from '../charter/actor.ts';
import { readCharter } from '../charter/charters.ts';
import { type CheckMessage, contentOf, createTemplate, publishTemplate, TemplateInput } from '../charter/templates.ts';
import type { Kdb } from '../db/connect.ts';
import { readSenderSettings, SenderSettingsInput, senderSettingsGate, writeSenderSettings } from '../messaging/sender-settings.ts';
import type { ContactRulesInput } from '../governance/model.ts';
import { saveContactRules } from '../governance/rules-store.ts';
import type { ScenarioDocument } from '../scenarios/model.ts';
import { publishScenario } from '../scenarios/scenarios.ts';
import type { Clock } from '../shared/clock.ts';
import { DEMO_BRAND, demoProducts, PRODUCT_INDEX } from './catalogue.ts';
import { DEMO_SCENARIO_TEMPLATES, type DemoScenarioTemplateKey } from './demo-scenario-templates.ts';

/**
 * The demo brand's two scenarios (seed 002, 共感型CRM), published when the demo is loaded:
 *
 * - **引き上げCRM** (`aojiru_step_up`): after an order of the お試し14日分, four contacts timed to
 *   the trial product's effect timeline — at its delivery (how to drink it), at the first
 *   feeling (day 3: first impressions), when the effect is clear (day 14), and two weeks later
 *   (what others notice). A customer leaves at once when they start a 定期便 or buy the 30日分
 *   (the step-up happened), or complain.
 * - **継続CRM** (`subscriber_newsletter`): the monthly 会報誌 「みのり通信」 for every active
 *   subscriber, on the 5th at 10:00 (an `audience` trigger), leaving when the 定期便 ends.
 *
 * Publishing enrolls nobody from the past: an order scenario reacts to orders written from then
 * on, and the audience's first issue is the first 5th after the publication.
 */

const TRIAL = demoProducts(0.7)[PRODUCT_INDEX.trial]!;
const MAIN_PRODUCTS = [demoProducts(0.7)[PRODUCT_INDEX.subscription]!.sku, demoProducts(0.7)[PRODUCT_INDEX.single]!.sku];

export const STEP_UP_SCENARIO_KEY = 'aojiru_step_up';
export const NEWSLETTER_SCENARIO_KEY = 'subscriber_newsletter';

/** The template id of each demo scenario template in a workspace. */
export type DemoTemplateIds = Record<DemoScenarioTemplateKey, string>;

/** 引き上げCRM for the aojiru trial, sending the workspace's templates `ids`. */
export function stepUpScenario(ids: DemoTemplateIds): ScenarioDocument {
  return {
    key: STEP_UP_SCENARIO_KEY,
    name: '引き上げCRM（みのり青汁お試し14日分）',
    description:
      'お試しをご注文の方へ、届いた日に飲み方、3日目（最初の実感の頃）に最初の印象、14日目（7割の方が実感する頃）にこの14日間、' +
      'その2週間後に周りの方との会話をお伝えします。定期便を始めた方、30日分をお求めの方、苦情をお寄せいただいた方はすぐに抜けます。',
    purpose: 'marketing',
    department: 'marketing',
    priority: 80,
    channels: ['email'],
    // One in ten trial buyers travels the path without the mails: did the mails bring the 定期?
    measurement: { holdoutPercent: 10, metric: { kind: 'subscription_start' }, windowDays: 30, runDays: 90, minimumDetectableEffect: 5 },
    trigger: { kind: 'order', products: [TRIAL.sku] },
    reentry: { kind: 'once' },
    exitRules: [
      { kind: 'condition', name: '定期便を始めた', condition: { fact: 'subscription_status', in: ['active'] } },
      { kind: 'condition', name: '本品をお求めいただいた', condition: { fact: 'bought', products: MAIN_PRODUCTS } },
      {
        kind: 'condition',
        name: '苦情をお寄せいただいた',
        condition: { fact: 'events', type: 'support_contact', where: [{ property: 'topic', op: '=', value: 'complaint' }], withinDays: 1 },
      },
    ],
    start: 'delivered',
    steps: [
      // Each send follows its point of the timeline directly: the message goes at the delivery's
      // time of day, and its {{ days_since_delivery }} is the point's day (0, 3, 14).
      { kind: 'wait_for_effect', id: 'delivered', name: 'お届け', point: 'delivered', next: 'how_to_drink' },
      { kind: 'send', id: 'how_to_drink', name: '飲み方', channel: 'email', templateId: ids.howToDrink, purpose: 'transactional', next: 'first_feeling' },
      { kind: 'wait_for_effect', id: 'first_feeling', name: '最初の実感の頃（3日目）', point: 'first_feeling', next: 'first_impressions' },
      { kind: 'send', id: 'first_impressions', name: '最初の印象', channel: 'email', templateId: ids.firstImpressions, next: 'effect_clear' },
      { kind: 'wait_for_effect', id: 'effect_clear', name: '7割の方が実感する頃（14日目）', point: 'clear', next: 'effect_message' },
      { kind: 'send', id: 'effect_message', name: '14日目', channel: 'email', templateId: ids.day14, next: 'later' },
      { kind: 'wait', id: 'later', name: 'しばらくして（2週間後）', duration: { days: 14 }, next: 'later_morning' },
      { kind: 'wait_until', id: 'later_morning', name: '午前10時', time: '10:00', next: 'others_notice' },
      { kind: 'send', id: 'others_notice', name: '周りの方との会話', channel: 'email', templateId: ids.othersNotice, next: null },
    ],
  };
}

/** 継続CRM: the monthly 会報誌 for active subscribers, sending the workspace's template `ids.newsletter`. */
export function newsletterScenario(ids: Pick<DemoTemplateIds, 'newsletter'>): ScenarioDocument {
  return {
    key: NEWSLETTER_SCENARIO_KEY,
    name: '継続CRM 会報誌「みのり通信」（毎月）',
    description: '定期便をご利用中のお客様へ、毎月5日の10時に会報誌「みのり通信」（開発者のこぼれ話、お客様の声、読者の川柳）をお届けします。',
    purpose: 'marketing',
    department: 'marketing',
    priority: 40,
    channels: ['email'],
    // Does the 会報誌 keep subscribers subscribed (a delivery within 35 days of the issue)?
    measurement: { holdoutPercent: 10, metric: { kind: 'continuation' }, windowDays: 35, runDays: 180, minimumDetectableEffect: 3 },
    trigger: { kind: 'audience', audience: { fact: 'subscription_status', in: ['active'] }, schedule: { kind: 'monthly', dayOfMonth: 5, at: '10:00' } },
    reentry: { kind: 'every_time' },
    exitRules: [{ kind: 'condition', name: '定期便を解約された', condition: { fact: 'subscription_status', in: ['cancelled'] } }],
    start: 'issue',
    steps: [{ kind: 'send', id: 'issue', name: '今月号', channel: 'email', templateId: ids.newsletter, next: null }],
  };
}

/**
 * The demo brand's contact rules (docs/governance.md): marketing at most 3 a week and one email
 * every 16 hours across every department, no marketing mail between 21:00 and 08:00, none for two
 * weeks after a complaint, and a global control group of 5 % that gets no marketing at all.
 */
export const DEMO_CONTACT_RULES: ContactRulesInput = {
  caps: [
    { id: 'marketing_weekly', name: 'マーケティングは週3通まで', max: 3, window: { days: 7 } },
    { id: 'email_16h', name: 'メールは16時間に1通まで', max: 1, window: { hours: 16 }, channels: ['email'] },
    { id: 'line_daily', name: 'LINEは1日1通まで', max: 1, window: { days: 1 }, channels: ['line'] },
  ],
  quietHours: [
    { channel: 'email', from: '21:00', to: '08:00' },
    { channel: 'line', from: '21:00', to: '09:00', weekdays: ['sun'] },
  ],
  // The demo records every support contact as one event type; a complaint (topic complaint) holds marketing back for two weeks.
  complaints: {
    openEvent: 'support_contact',
    openWhere: [{ property: 'topic', op: '=', value: 'complaint' }],
    openForDays: 14,
    closeEvent: 'support.complaint_resolved',
    openSupportTask: true,
  },
  globalControlPercent: 5,
};

/**
 * The demo workspace's sender (特定電子メール法 第4条: name, postal address, a contact), all
 * fictional: the address names no real street and the mail domains are reserved example.* names.
 */
export const DEMO_SENDER = SenderSettingsInput.parse({
  senderName: `${DEMO_BRAND.name}（株式会社みのり農園）`,
  postalAddress: '〒100-0000 東京都千代田区みのり町1-2-3 みのりビル5階',
  contactEmail: 'support@minori-aojiru.example.jp',
  contactPhone: '03-0000-0000',
  contactUrl: 'https://minori-aojiru.example.jp/contact',
  fromAddress: 'info@minori-aojiru.example.jp',
  replyTo: 'support@minori-aojiru.example.jp',
});

export type SeedDemoScenariosOutcome =
  | { seeded: true; templateIds: DemoTemplateIds }
  /** Nothing written: the workspace has the step-up scenario already, or its charter (changed by the brand) finds errors in the templates, or a template name is taken. */
  | { seeded: false; reason: string };

/**
 * Gives the demo workspace its scenarios, once: the five email templates created and published
 * (they pass the demo charter's checks), the demo sender settings when the workspace has none
 * yet, and the two scenarios published. A workspace that already has the step-up scenario is
 * left as it is (the brand may have changed it). Call it after the journey map is placed: an
 * active scenario makes writes queue signals.
 */
export async function seedDemoScenarios(params: {
  pool: pg.Pool;
  db: Kdb;
  workspaceId: string;
  check: CheckMessage;
  clock: Clock;
}): Promise<SeedDemoScenariosOutcome> {
  const { pool, db, workspaceId, check, clock } = params;
  const { rows } = await pool.query('select 1 from scenarios where workspace_id = $1 and key = $2', [workspaceId, STEP_UP_SCENARIO_KEY]);
  if (rows.length > 0) return { seeded: false, reason: 'the workspace has the demo scenarios already' };
  const templates = Object.entries(DEMO_SCENARIO_TEMPLATES) as Array<[DemoScenarioTemplateKey, TemplateInput]>;
  const refusal = await templatesRefused(pool, workspaceId, check, templates);
  if (refusal) return { seeded: false, reason: refusal };
  const actor: Actor = { kind: 'system', label: 'demo' };
  const ids = {} as DemoTemplateIds;
  for (const [key, input] of templates) {
    const created = await createTemplate({ pool, workspaceId, check, input, actor });
    await publishTemplate({ pool, workspaceId, check, templateId: created.id, actor, actorIsAdmin: false });
    ids[key] = created.id;
  }
  if ((await readSenderSettings(db, workspaceId)).updatedAt === null) await writeSenderSettings(db, { workspaceId, input: DEMO_SENDER, now: clock.now() });
  const senderSettingsMissing = senderSettingsGate(db);
  const { rows: saved } = await pool.query('select 1 from contact_rules where workspace_id = $1', [workspaceId]);
  if (saved.length === 0) await saveContactRules(pool, { workspaceId, input: DEMO_CONTACT_RULES, userId: null, now: clock.now() });
  for (const input of [stepUpScenario(ids), newsletterScenario(ids)]) {
    await publishScenario({ pool, workspaceId, input, actor, clock, senderSettingsMissing });
  }
  return { seeded: true, templateIds: ids };
}

/** Why the templates cannot be published in this workspace (its charter finds errors, a name is taken), or null. */
async function templatesRefused(
  pool: pg.Pool,
  workspaceId: string,
  check: CheckMessage,
  templates: Array<[DemoScenarioTemplateKey, TemplateInput]>,
): Promise<string | null> {
  const stored = await readCharter({ pool, workspaceId });
  if (!stored) return 'the workspace has no charter';
  const names = templates.map(([, input]) => input.name);
  const { rows } = await pool.query<{ name: string }>('select name from message_templates where workspace_id = $1 and name = any($2::text[])', [
    workspaceId,
    names,
  ]);
  if (rows.length > 0) return `template names taken: ${rows.map((row) => row.name).join(', ')}`;
  for (const [, input] of templates) {
    const result = await check(stored.charter, contentOf({ ...TemplateInput.parse(input), subject: input.subject ?? null }));
    if (!result.publishable) return `the workspace's charter finds errors in "${input.name}"`;
  }
  return null;
}
