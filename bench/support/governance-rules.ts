import type pg from 'pg';
import type { ContactRulesInput } from '../../src/governance/model.ts';
import { saveContactRules } from '../../src/governance/rules-store.ts';
import type { Clock } from '../../src/shared/clock.ts';

/**
 * The five contact rules the governance benchmarks decide against: caps over 16 hours to 90
 * days, by channel and purpose, as a brand would set them (Klaviyo's Smart Sending window, a
 * weekly marketing cap, a monthly cap over every channel, LINE once a day, a quarterly ceiling).
 */
export const BENCH_RULES: ContactRulesInput = {
  caps: [
    { id: 'marketing_weekly', name: 'マーケティング週3通', max: 3, window: { days: 7 } },
    { id: 'line_daily', name: 'LINEは1日1通', max: 1, window: { days: 1 }, channels: ['line'] },
    { id: 'all_monthly', name: '全チャネル月6回', max: 6, window: { days: 30 }, purposes: ['marketing', 'transactional'] },
    { id: 'email_16h', name: 'メール16時間に1通', max: 1, window: { hours: 16 }, channels: ['email'] },
    { id: 'quarterly', name: '四半期20回', max: 20, window: { days: 90 } },
  ],
};

/**
 * Saves BENCH_RULES for the workspace and gives every customer a year of contact history: ten
 * contacts 36 days apart (the latest 2–5 days ago; every third on LINE, every fourth
 * transactional) — enough for every cap to read a real ledger, few enough that a new message
 * still goes; with `recentEvery`, every n-th customer was mailed 6 hours ago, so the 16-hour cap
 * defers or skips a new email to them (the decisions benchmark; the end-to-end one holds none back).
 */
export async function prepareGovernedRun(
  pool: pg.Pool,
  workspaceId: string,
  clock: Clock,
  contactsPerCustomer = 10,
  /** Every n-th customer also got a marketing mail 6 hours ago (the 16-hour cap holds a new email back); 0: none. */
  recentEvery = 0,
): Promise<number> {
  await saveContactRules(pool, { workspaceId, input: BENCH_RULES, userId: null, now: clock.now() });
  const { rowCount } = await pool.query(
    `insert into contact_ledger (workspace_id, customer_id, at, channel, purpose, department, priority, state)
     select $1, c.id, $2::timestamptz - ((2 + k * 36) * interval '1 day') - (random() * 3 * interval '1 day'),
            case when k % 3 = 0 then 'line' else 'email' end, case when k % 4 = 0 then 'transactional' else 'marketing' end,
            'marketing', 50, 'sent'
       from customers c cross join generate_series(0, $3::int - 1) k
      where c.workspace_id = $1`,
    [workspaceId, clock.now(), contactsPerCustomer],
  );
  let recent = 0;
  if (recentEvery > 0) {
    const { rowCount: added } = await pool.query(
      `insert into contact_ledger (workspace_id, customer_id, at, channel, purpose, department, priority, state)
       select $1, c.id, $2::timestamptz - interval '6 hours', 'email', 'marketing', 'marketing', 50, 'sent'
         from customers c where c.workspace_id = $1 and c.id % $3 = 0`,
      [workspaceId, clock.now(), recentEvery],
    );
    recent = added ?? 0;
  }
  await pool.query('vacuum (analyze) contact_ledger');
  return (rowCount ?? 0) + recent;
}
