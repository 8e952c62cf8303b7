import type pg from 'pg';
import type { Department } from '../charter/types.ts';
import type { Condition } from '../journey-map/model.ts';
import { loadFacts } from '../journey-map/placement/facts-loader.ts';
import { todayOf } from '../journey-map/placement/local-days.ts';
import { compileCondition, loadCatalogue } from '../journey-map/rules/compile.ts';
import { BUCKETS, bucketOf, inGlobalControl } from '../measurement/assignment.ts';
import type { WhenHeld } from '../scenarios/model.ts';
import { decide } from './decide.ts';
import { loadCustomerFacts } from './govern.ts';
import type { ContactChannel, ContactPurpose, ContactRules, RuleRef } from './model.ts';

/**
 * "What would happen if we sent this to this audience now": every customer of the audience (a
 * journey-rule condition; absent: everyone) decided against the contact rules as they stand —
 * or against rules not yet saved, to try them — without writing anything. At most
 * PREVIEW_MAX_CUSTOMERS are decided: a larger workspace is sampled (a fixed hash of the
 * customer's id, so the same preview answers the same), and the counts are scaled and marked as
 * an estimate.
 */

export const PREVIEW_MAX_CUSTOMERS = 200_000;
const CHUNK = 5000;

export interface PreviewRequest {
  audience?: Condition | undefined;
  channel: ContactChannel;
  purpose: ContactPurpose;
  department: Department;
  priority: number;
  whenHeld: WhenHeld;
}

export interface PreviewResult {
  /** Customers in the audience (scaled when sampled). */
  audience: number;
  send: number;
  deferred: number;
  skipped: number;
  /** Left out: the global control group (marketing only). */
  globalControl: number;
  /** Sends that would displace a lower-priority deferred message. */
  displacing: number;
  byRule: Array<{ rule: RuleRef; deferred: number; skipped: number }>;
  /** The median wait of the deferred ones, in minutes (null: none deferred). */
  medianDeferMinutes: number | null;
  sampled: boolean;
  /** The share of customers decided (1: all). */
  sampleRate: number;
  at: string;
}

export async function previewSend(
  pool: pg.Pool,
  params: { workspaceId: string; timezone: string; rules: ContactRules; request: PreviewRequest; now: Date },
): Promise<PreviewResult> {
  const { workspaceId, timezone, rules, request, now } = params;
  const { rows: total } = await pool.query<{ n: string }>('select count(*)::text as n from customers where workspace_id = $1', [workspaceId]);
  const customers = Number(total[0]!.n);
  const sampleRate = customers > PREVIEW_MAX_CUSTOMERS ? PREVIEW_MAX_CUSTOMERS / customers : 1;
  const threshold = Math.floor(sampleRate * BUCKETS);
  const compiled = request.audience ? compileCondition(request.audience, await loadCatalogue(pool, workspaceId)) : null;
  const today = todayOf(now, timezone);
  const counts = { audience: 0, send: 0, deferred: 0, skipped: 0, globalControl: 0, displacing: 0 };
  const byRule = new Map<string, { rule: RuleRef; deferred: number; skipped: number }>();
  const waits: number[] = [];
  let after: string | null = null;
  const client = await pool.connect();
  try {
    for (;;) {
      const { rows }: { rows: Array<{ id: string }> } = await client.query<{ id: string }>(
        'select id::text from customers where workspace_id = $1 and ($2::bigint is null or customers.id > $2) order by customers.id limit $3',
        [workspaceId, after, CHUNK],
      );
      if (rows.length === 0) break;
      const upTo: string = rows.at(-1)!.id;
      let ids = rows.map((row) => row.id);
      if (sampleRate < 1) ids = ids.filter((id) => bucketOf('preview', id) < threshold);
      if (compiled) {
        const facts = await loadFacts({ db: client, workspaceId, timezone, needs: compiled.needs, at: now }, { after, upTo });
        const holding = new Set(facts.filter((each) => compiled.holds(each, today)).map((each) => each.customerId));
        ids = ids.filter((id) => holding.has(id));
      }
      after = upTo;
      if (ids.length === 0) continue;
      counts.audience += ids.length;
      const targets =
        request.purpose === 'marketing' && rules.globalControlPercent > 0
          ? ids.filter((id) => {
              const held = inGlobalControl(workspaceId, id, rules.globalControlPercent);
              if (held) counts.globalControl++;
              return !held;
            })
          : ids;
      const facts = await loadCustomerFacts(client, { workspaceId, customerIds: targets, rules, workspaceTimezone: timezone, now });
      for (const id of targets) {
        const customer = facts.get(id);
        if (!customer) continue;
        const decision = decide(rules, customer, { ...request, effectId: null, scenarioId: null, dueAt: now }, now);
        if (decision.kind === 'send') {
          counts.send++;
          if (decision.displaced.length > 0) counts.displacing++;
          continue;
        }
        const key = JSON.stringify(decision.rule);
        const entry = byRule.get(key) ?? { rule: decision.rule, deferred: 0, skipped: 0 };
        if (decision.kind === 'defer') {
          counts.deferred++;
          entry.deferred++;
          waits.push((decision.until.getTime() - now.getTime()) / 60_000);
        } else {
          counts.skipped++;
          entry.skipped++;
        }
        byRule.set(key, entry);
      }
    }
  } finally {
    client.release();
  }
  const scale = (n: number) => Math.round(n / sampleRate);
  waits.sort((a, b) => a - b);
  return {
    audience: scale(counts.audience),
    send: scale(counts.send),
    deferred: scale(counts.deferred),
    skipped: scale(counts.skipped),
    globalControl: scale(counts.globalControl),
    displacing: scale(counts.displacing),
    byRule: [...byRule.values()]
      .map((entry) => ({ ...entry, deferred: scale(entry.deferred), skipped: scale(entry.skipped) }))
      .sort((a, b) => b.deferred + b.skipped - (a.deferred + a.skipped)),
    medianDeferMinutes: waits.length > 0 ? Math.round(waits[Math.floor(waits.length / 2)]!) : null,
    sampled: sampleRate < 1,
    sampleRate,
    at: now.toISOString(),
  };
}
