import type pg from 'pg';
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import { localDateOf } from '../shared/time.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { addDays } from './periods.ts';
import { Day } from './result-shapes.ts';

/**
 * What the workspace's data covers, against today: the analyses of the customer base default
 * to "as of today" in the workspace's time zone (the console and the CLI alike), and when the
 * data ends earlier than yesterday the console says so, with the day it ends, instead of
 * quietly showing every customer as churned or an empty month.
 */
export const DataCoverage = z
  .object({
    today: Day.describe("Today in the workspace's time zone: the default asOf of every analysis"),
    firstOrderOn: Day.nullable().describe('Local date of the earliest order (null without orders)'),
    lastOrderOn: Day.nullable().describe('Local date of the latest order (null without orders)'),
    dataEnd: Day.nullable().describe('The first local date the orders do not cover: the day after the latest order'),
    endsBeforeToday: z
      .boolean()
      .describe('True when the latest order is before yesterday: "as of today" then looks at days the data does not cover, and the console says so'),
    hasSubscriptions: z.boolean().describe('Whether the workspace has subscriptions (定期) of any status'),
  })
  .meta({ id: 'DataCoverage' });
export type DataCoverage = z.infer<typeof DataCoverage>;

/** The workspace's data coverage; reads of the ends of an index, whatever the size of the data. */
export async function dataCoverage(params: { pool: pg.Pool; workspace: Workspace; clock: Clock }): Promise<DataCoverage> {
  const { pool, workspace, clock } = params;
  const { rows } = await pool.query<{ first_on: string | null; last_on: string | null; has_subscriptions: boolean }>(
    `select (min(o.ordered_at) at time zone $2)::date::text as first_on, (max(o.ordered_at) at time zone $2)::date::text as last_on,
            exists (select from subscriptions s where s.workspace_id = $1) as has_subscriptions
       from orders o where o.workspace_id = $1`,
    [workspace.id, workspace.timezone],
  );
  const row = rows[0]!;
  const today = localDateOf(clock.now(), workspace.timezone);
  return {
    today,
    firstOrderOn: row.first_on,
    lastOrderOn: row.last_on,
    dataEnd: row.last_on === null ? null : addDays(row.last_on, 1),
    endsBeforeToday: row.last_on !== null && row.last_on < addDays(today, -1),
    hasSubscriptions: row.has_subscriptions,
  };
}
