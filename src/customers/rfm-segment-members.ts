import type pg from 'pg';
import type { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';
import { rfmTableOf } from '../analytics/engine/rfm-customers.ts';
import { workspaceTimezone } from '../analytics/purchases-as-of.ts';
import { rfmChurnWindow } from '../analytics/rfm.ts';
import { rfmBaseCte, rfmScoredCtes } from '../analytics/rfm-quintiles.ts';
import { RFM_SEGMENTS, type RfmSegmentCode } from '../analytics/rfm-segments.ts';

/**
 * The ids of the customers in one RFM segment as of a date, for the customer list's segment
 * filter. Scores are relative to the whole base, so a segment cannot be tested row by row in
 * SQL without scoring every customer: the engine's scored table (kept per date with the
 * snapshot) answers in one pass over typed arrays; the SQL reference scores the base once.
 * The segment 離反 is the churn status (the churn list of the date).
 */
export async function rfmSegmentMembers(params: {
  analytics: AnalyticsEngine;
  pool: pg.Pool;
  workspaceId: string;
  asOf: string;
  segment: RfmSegmentCode;
}): Promise<string[]> {
  const { analytics, pool, workspaceId, asOf, segment } = params;
  const wanted = RFM_SEGMENTS.findIndex((s) => s.code === segment);
  return analytics.run(
    workspaceId,
    async (snapshot) => {
      const subscribed = await analytics.subscribedCustomers(workspaceId, snapshot.timezone);
      const table = await rfmTableOf({ pool, snapshot, subscribed, asOf });
      const ids: string[] = [];
      for (let i = 0; i < table.customer.length; i++) {
        if (table.segment[i] === wanted) ids.push(String(snapshot.customerIds[table.customer[i]!]));
      }
      return ids;
    },
    async () => {
      const timezone = await workspaceTimezone(pool, workspaceId);
      const churnWindow = await rfmChurnWindow(pool, workspaceId, asOf);
      const { rows } = await pool.query<{ customer_id: string }>(
        `with ${rfmBaseCte('$5')}, ${rfmScoredCtes()} select customer_id from segmented where segment = $4`,
        [workspaceId, timezone, asOf, segment, churnWindow?.days ?? null],
      );
      return rows.map((row) => row.customer_id);
    },
  );
}
