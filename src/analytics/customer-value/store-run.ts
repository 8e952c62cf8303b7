import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { CustomerValue, PurchaseSummary } from '../clv/clv.ts';
import { withTransaction } from '../../db/transaction.ts';
import type { CustomerValueResults, CustomerValueRun, CustomerValueTerms } from './terms.ts';

/** PostgreSQL's binary COPY signature, flags and header extension length. */
const BINARY_COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
/** A customer_values row in binary COPY: field count, then 2 bigints, 1 integer and 6 doubles, each after its length. */
const BINARY_ROW_BYTES = 2 + 9 * 4 + 2 * 8 + 4 + 6 * 8;

/** Replaces the workspace's run and scores in one transaction; the scores go in through COPY. */
export async function storeRun(params: {
  pool: pg.Pool;
  workspaceId: string;
  calibrationEnd: string;
  terms: Omit<CustomerValueTerms, 'calibrationEnd'>;
  run: CustomerValueRun;
  ids: ArrayLike<string | number>;
  summary: PurchaseSummary;
  value: CustomerValue;
}): Promise<void> {
  const { pool, workspaceId, calibrationEnd, terms, run, ids, summary, value } = params;
  const { bgNbd, gammaGamma, customers } = run;
  const results: CustomerValueResults = {
    repeatCustomers: run.repeatCustomers,
    totalClv: run.totalClv,
    clv: run.clv,
    probabilityAlive: run.probabilityAlive,
    holdout: run.holdout,
    spendModel: run.spendModel,
    dataEndsOn: run.dataEndsOn,
    marginSource: run.marginSource,
  };
  await withTransaction(pool, async (client) => {
    await client.query('delete from customer_values where workspace_id = $1', [workspaceId]);
    await client.query(
      `insert into customer_value_runs (workspace_id, calibration_end, unit, horizon_months, margin, discount_rate, bg_nbd, gamma_gamma, customers, results, computed_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       on conflict (workspace_id) do update set calibration_end = excluded.calibration_end, unit = excluded.unit,
         horizon_months = excluded.horizon_months, margin = excluded.margin, discount_rate = excluded.discount_rate,
         bg_nbd = excluded.bg_nbd, gamma_gamma = excluded.gamma_gamma, customers = excluded.customers, results = excluded.results,
         computed_at = excluded.computed_at`,
      [
        workspaceId,
        calibrationEnd,
        terms.unit,
        terms.horizonMonths,
        terms.margin,
        terms.discountRate,
        JSON.stringify(bgNbd),
        JSON.stringify(gammaGamma),
        customers,
        JSON.stringify(results),
        run.computedAt,
      ],
    );
    // Binary COPY: no number is turned into text and parsed back (830,000 rows carry 5 million floats).
    const copy = client.query(
      copyFrom(
        'copy customer_values (workspace_id, customer_id, repeat_purchases, recency, age, probability_alive, expected_purchases, expected_spend, clv) from stdin (format binary)',
      ),
    );
    const done = finished(copy);
    const { tx, T } = summary;
    const workspace = BigInt(workspaceId);
    const rowsPerChunk = 10_000;
    const n = summary.customer.length;
    for (let first = 0; first < n || first === 0; first += rowsPerChunk) {
      const last = Math.min(n, first + rowsPerChunk);
      const header = first === 0 ? BINARY_COPY_HEADER.length : 0;
      const trailer = last === n ? 2 : 0;
      const chunk = Buffer.allocUnsafe(header + (last - first) * BINARY_ROW_BYTES + trailer);
      let at = 0;
      if (header > 0) at = BINARY_COPY_HEADER.copy(chunk, 0);
      for (let i = first; i < last; i++) {
        at = chunk.writeInt16BE(9, at);
        at = chunk.writeInt32BE(8, at);
        at = chunk.writeBigInt64BE(workspace, at);
        at = chunk.writeInt32BE(8, at);
        at = chunk.writeBigInt64BE(BigInt(ids[summary.customer[i]!]!), at);
        at = chunk.writeInt32BE(4, at);
        at = chunk.writeInt32BE(summary.x[i]!, at);
        for (const v of [tx[i]!, T[i]!, value.probabilityAlive[i]!, value.expectedPurchases[i]!, value.expectedSpend[i]!, value.clv[i]!]) {
          at = chunk.writeInt32BE(8, at);
          at = chunk.writeDoubleBE(v, at);
        }
      }
      if (trailer > 0) chunk.writeInt16BE(-1, at);
      // A failed COPY never drains: wait for whichever comes first.
      if (!copy.write(chunk)) await Promise.race([once(copy, 'drain'), done]);
      if (last === n) break;
    }
    copy.end();
    await done;
  });
}
