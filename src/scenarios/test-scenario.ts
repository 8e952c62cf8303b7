import { Kysely, PostgresDialect } from 'kysely';
import type { DB } from '../db/schema.ts';
import { SenderSettingsInput, writeSenderSettings } from '../messaging/sender-settings.ts';
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { saveCharter } from '../charter/charters.ts';
import { fakeCheck } from '../charter/fake-checker.ts';
import { createTemplate, publishTemplate } from '../charter/templates.ts';
import { TEST_CHARTER } from '../charter/test-charter.ts';
import { demoProducts } from '../demo/catalogue.ts';
import { demoJourneyMap } from '../demo/demo-journey-map.ts';
import { saveJourneyMap } from '../journey-map/maps.ts';
import { ingest } from '../journey-map/placement/test-map.ts';
import type { Clock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import type { ScenarioContext, TemplateFacts } from './check-context.ts';
import type { MeasurementPlan, ScenarioDocument } from './model.ts';

/**
 * Fixtures of the scenario tests: the demo brand's catalogue and journey map, with message
 * templates built for the step-up scenario (examples/scenarios/step-up.json names templates
 * "1" … "4"; `stepUpExample` puts a workspace's own template ids in their place).
 */

/**
 * A scenario document with the settings most tests and benchmarks share — marketing email of
 * the marketing department, priority 50, once per customer, no exit rules — and what the caller
 * gives (key, name, trigger, start, steps; any shared setting too, to differ).
 */
export function marketingScenario(
  document: Pick<ScenarioDocument, 'key' | 'name' | 'trigger' | 'start' | 'steps'> & Partial<ScenarioDocument>,
): ScenarioDocument {
  return {
    purpose: 'marketing',
    department: 'marketing',
    priority: 50,
    channels: ['email'],
    reentry: { kind: 'once' },
    exitRules: [],
    // No holdout: every customer of a test gets the messages (a holdout would pick them by their ids).
    measurement: NO_HOLDOUT,
    ...document,
  };
}

export const STEP_UP_FILE = new URL('../../examples/scenarios/step-up.json', import.meta.url);

/** The example file as written. */
export function readStepUpExample(): ScenarioDocument {
  return JSON.parse(readFileSync(STEP_UP_FILE, 'utf8')) as ScenarioDocument;
}

/** A measurement plan without a holdout (a test's customers all get the messages). */
export const NO_HOLDOUT: MeasurementPlan = { holdoutPercent: 0, metric: { kind: 'purchase' }, windowDays: 30, runDays: 30, minimumDetectableEffect: 5 };

/** The example with its templates "1" … "4" replaced by `templateIds` (in that order), without its holdout (tests expect every customer's mail). */
export function stepUpExample(templateIds: readonly string[] = ['1', '2', '3', '4']): ScenarioDocument {
  const document = readStepUpExample();
  return {
    ...document,
    measurement: { ...document.measurement!, holdoutPercent: 0 },
    steps: document.steps.map((step) => (step.kind === 'send' ? { ...step, templateId: templateIds[Number(step.templateId) - 1]! } : step)),
  };
}

const template = (id: string, overrides: Partial<TemplateFacts> = {}): [string, TemplateFacts] => [
  id,
  { id, name: `テンプレート${id}`, channel: 'email', department: 'marketing', status: 'published', ...overrides },
];

/** The demo brand as the checker sees it: its products and map, published marketing email templates 1–4, and 5 (draft), 6 (LINE), 7 (support). */
export function demoContext(): ScenarioContext {
  const map = demoJourneyMap();
  return {
    catalogue: demoProducts(0.7).map((product, i) => ({
      id: String(i + 1),
      sku: product.sku,
      category: product.category,
      effectFirstFeelingDays: product.effect?.firstFeelingDays ?? null,
      effectClearDays: product.effect?.clearDays ?? null,
    })),
    map: { stages: map.stages.map((stage) => stage.key), levels: map.levels.map((level) => level.key) },
    templates: new Map([
      template('1'),
      template('2'),
      template('3'),
      template('4'),
      template('5', { status: 'draft' }),
      template('6', { channel: 'line' }),
      template('7', { department: 'support' }),
    ]),
  };
}

/**
 * A workspace with the demo catalogue, the demo journey map active, the test charter, and four
 * published marketing email templates for the step-up scenario (their ids returned, in order).
 */
export async function prepareScenarioWorkspace(pool: pg.Pool, workspace: Workspace, clock: Clock): Promise<{ templateIds: string[] }> {
  const products = demoProducts(0.7).map((product) => ({
    sku: product.sku,
    name: product.name,
    category: product.category,
    price: String(product.price),
    ...(product.effect ? { effect_first_feeling_days: product.effect.firstFeelingDays, effect_clear_days: product.effect.clearDays } : {}),
  }));
  await ingest(pool, workspace, 'products', products, clock);
  await saveJourneyMap({ pool, workspaceId: workspace.id, input: demoJourneyMap(), actor: { kind: 'system', label: 'test' }, clock });
  await saveCharter({ pool, workspaceId: workspace.id, input: TEST_CHARTER, actor: { kind: 'system', label: 'test' } });
  const templateIds: string[] = [];
  for (const name of ['飲み方', '最初の印象', '効果の実感', '周りの方が気づく変化']) {
    const deps = { pool, workspaceId: workspace.id, check: fakeCheck };
    const input = {
      name,
      department: 'marketing',
      channel: 'email',
      subject: `${name}のご案内`,
      body: `{{ customer.name }}様、${name}についてお知らせします。`,
    };
    const created = await createTemplate({ ...deps, input, actor: { kind: 'system', label: 'test' } });
    await publishTemplate({ ...deps, templateId: created.id, actor: { kind: 'system', label: 'test' }, actorIsAdmin: true });
    templateIds.push(created.id);
  }
  // The sender's details advertising mail shows (特定電子メール法), so marketing scenarios may be published.
  await writeSenderSettings(new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), {
    workspaceId: workspace.id,
    input: SenderSettingsInput.parse({
      senderName: 'みのり青汁本舗',
      postalAddress: '東京都千代田区丸の内1-1-1',
      contactEmail: 'support@minori.example.jp',
      fromAddress: 'info@minori.example.jp',
    }),
    now: clock.now(),
  });
  return { templateIds };
}
