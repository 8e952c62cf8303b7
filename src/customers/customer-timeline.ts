import type pg from 'pg';
import { loadWhyNames, type Why, whyInWords } from '../scenarios/why.ts';
import { KizunaError } from '../shared/errors.ts';

export type TimelineKind = 'order' | 'event' | 'consent' | 'profile' | 'message' | 'contact_decision';

export interface TimelineEntry {
  at: Date;
  kind: TimelineKind;
  /**
   * Order status, event type (page_view...), `channel.purpose.status` for consent, `created` for
   * the profile; for a message (a scenario's send, task or attribute update), its status
   * (pending, sending, done, not_done, failed), with the reason in words (details.whyText).
   */
  type: string;
  /** A short identifier of the entry: order id, event type, channel. */
  summary: string;
  details: Record<string, unknown>;
}

/**
 * One timeline of everything that happened to a customer, newest first: orders, behavioural
 * events, consent changes, the profile's creation, and what scenarios did for them (messages,
 * tasks, attribute updates, each with why). Pages with an opaque cursor over
 * (time, kind, id), so entries at the same instant are neither lost nor repeated.
 */
export async function getCustomerTimeline(
  pool: pg.Pool,
  workspaceId: string,
  customerId: string,
  page: { limit: number; before?: string },
): Promise<{ entries: TimelineEntry[]; nextBefore: string | null }> {
  const cursor = page.before === undefined ? undefined : decodeCursor(page.before);
  const exists = await pool.query('select 1 from customers where id = $1 and workspace_id = $2', [customerId, workspaceId]);
  if (exists.rowCount === 0) throw new KizunaError('not_found', `No customer ${customerId} in this workspace.`);
  const { rows } = await pool.query<{ at: Date; kind: TimelineKind; id: string; type: string; summary: string; details: Record<string, unknown> }>(
    // Times are cut to milliseconds, the precision of the cursor (a JavaScript Date).
    `select * from (select date_trunc('milliseconds', u.at) as at, u.kind, u.id, u.type, u.summary, u.details from (
       select o.ordered_at as at, 'order' as kind, o.id, o.status as type, o.external_id as summary,
              jsonb_build_object('orderId', o.id, 'externalId', o.external_id, 'amount', o.amount, 'itemCount', o.item_count,
                                 'channel', o.channel, 'store', o.store, 'status', o.status) as details
         from orders o where o.customer_id = $1 and o.workspace_id = $2
       union all
       select e.occurred_at, 'event', e.id, e.type, e.type, e.properties from events e where e.customer_id = $1 and e.workspace_id = $2
       union all
       select cc.changed_at, 'consent', cc.id, cc.channel || '.' || cc.purpose || '.' || cc.status, cc.channel,
              jsonb_build_object('channel', cc.channel, 'purpose', cc.purpose, 'status', cc.status, 'source', cc.source)
         from consent_changes cc where cc.customer_id = $1 and cc.workspace_id = $2
       union all
       select c.created_at, 'profile', c.id, 'created', c.external_id, jsonb_build_object('externalId', c.external_id)
         from customers c where c.id = $1 and c.workspace_id = $2
       union all
       select coalesce(se.done_at, se.created_at), 'message', se.id, se.status, s.key,
              jsonb_build_object('scenario', s.key, 'version', se.why->'version', 'step', se.step_id, 'effect', se.kind,
                                 'status', se.status, 'templateId', se.payload->'templateId', 'why', se.why, 'outcome', se.outcome)
         from scenario_effects se join scenarios s on s.id = (se.why->>'scenarioId')::bigint
        where se.customer_id = $1 and se.workspace_id = $2
       union all
       select d.at, 'contact_decision', d.id, d.decision, coalesce(s.key, ''),
              jsonb_build_object('decision', d.decision, 'rule', d.rule, 'until', d.until, 'scenario', s.key, 'effectId', d.effect_id::text,
                                 'step', se.step_id, 'detail', d.detail)
         from contact_decisions d
         left join scenarios s on s.id = d.scenario_id
         left join scenario_effects se on se.id = d.effect_id
        where d.customer_id = $1 and d.workspace_id = $2
     ) u) t
     where ($3::timestamptz is null or (t.at, t.kind, t.id) < ($3::timestamptz, $4::text, $5::bigint))
     order by t.at desc, t.kind desc, t.id desc
     limit $6`,
    [customerId, workspaceId, cursor?.at ?? null, cursor?.kind ?? null, cursor?.id ?? null, page.limit + 1],
  );
  const entries = rows.slice(0, page.limit);
  // A message says why it was sent, in words (the footer's 「このメールをお送りした理由」), in both languages.
  for (const entry of entries) {
    if (entry.kind !== 'message') continue;
    const why = entry.details.why as Why;
    const names = await loadWhyNames(pool, workspaceId, why);
    entry.details.whyText = { ja: whyInWords(why, names, 'ja'), en: whyInWords(why, names, 'en') };
  }
  const last = entries.at(-1);
  return {
    entries: entries.map(({ at, kind, type, summary, details }) => ({ at, kind, type, summary, details })),
    nextBefore: rows.length > page.limit && last ? encodeCursor(last.at, last.kind, last.id) : null,
  };
}

function encodeCursor(at: Date, kind: string, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), kind, id])).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; kind: string; id: string } {
  try {
    const [at, kind, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string, string];
    if (Number.isNaN(Date.parse(at)) || !/^\d+$/.test(id) || typeof kind !== 'string') throw new Error('bad cursor');
    return { at, kind, id };
  } catch {
    throw new KizunaError('bad_request', 'The timeline cursor is not valid; start again from the newest entries.');
  }
}
