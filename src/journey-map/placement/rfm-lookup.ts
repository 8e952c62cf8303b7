import type pg from 'pg';
import type { AnalyticsEngine } from '../../analytics/engine/analytics-engine.ts';
import { rfmTableOf } from '../../analytics/engine/rfm-customers.ts';
import { rfmChurnWindow } from '../../analytics/rfm.ts';
import { rfmBaseCte, rfmScoredCtes } from '../../analytics/rfm-quintiles.ts';
import { RFM_SEGMENTS } from '../../analytics/rfm-segments.ts';

/**
 * Every customer's RFM segment code as of local date `asOf` (the analyses' "as of today":
 * purchases before that day, scored against the whole base), as a lookup by customer id; null
 * for profiles without a purchase before it. Scores are relative to the base, so one customer
 * cannot be scored alone: the analytics engine's scored table of the date (kept with its
 * snapshot, so the live path does not score the base on every write) when an engine is given,
 * else the SQL reference once.
 */
export async function rfmSegmentLookup(params: {
  pool: pg.Pool;
  workspaceId: string;
  timezone: string;
  asOf: string;
  analytics?: AnalyticsEngine | undefined;
}): Promise<RfmSegmentLookup> {
  const { pool, workspaceId, timezone, asOf, analytics } = params;
  const segments = new Map<number, string>();
  const fromSql = async () => {
    const churnWindow = await rfmChurnWindow(pool, workspaceId, asOf);
    const { rows } = await pool.query<{ customer_id: string; segment: string }>(
      `with ${rfmBaseCte('$4')}, ${rfmScoredCtes()} select customer_id, segment from segmented`,
      [workspaceId, timezone, asOf, churnWindow?.days ?? null],
    );
    for (const row of rows) segments.set(Number(row.customer_id), row.segment);
  };
  if (analytics) {
    let fromEngine: Map<number, string> | null = null;
    await analytics.run(
      workspaceId,
      async (snapshot) => {
        const subscribed = await analytics.subscribedCustomers(workspaceId, snapshot.timezone);
        const table = await rfmTableOf({ pool, snapshot, subscribed, asOf });
        // The engine keeps the table while its snapshot and day hold; so is the lookup built
        // from it (the live path asks on every drain: 1,000,000 entries take ≈ 0.3 s to build).
        fromEngine = lookups.get(table) ?? null;
        if (!fromEngine) {
          fromEngine = new Map();
          for (let i = 0; i < table.customer.length; i++) {
            fromEngine.set(snapshot.customerIds[table.customer[i]!]!, RFM_SEGMENTS[table.segment[i]!]!.code);
          }
          lookups.set(table, fromEngine);
        }
      },
      fromSql,
    );
    if (fromEngine) return lookupOf(fromEngine);
  } else {
    await fromSql();
  }
  return lookupOf(segments);
}

/** The segment lookups built from the engine's RFM tables, by table. */
const lookups = new WeakMap<object, Map<number, string>>();

function lookupOf(segments: Map<number, string>): RfmSegmentLookup {
  const lookup = (customerId: string) => segments.get(Number(customerId)) ?? null;
  return Object.assign(lookup, { ofId: (customerId: number) => segments.get(customerId) ?? null });
}

/** A customer's RFM segment code by id (text, as the facts carry it; or a number, for a full placement's columns). */
export type RfmSegmentLookup = ((customerId: string) => string | null) & { ofId: (customerId: number) => string | null };
