import type pg from 'pg';
import { systemClock, type Clock } from '../../shared/clock.ts';
import { localDateOf } from '../../shared/time.ts';
import { addDays, requireCalendarDate } from '../periods.ts';
import { workspaceTimezone } from '../purchases-as-of.ts';
import { readAnalyticsSettings } from '../settings.ts';
import { computeCustomerValue } from './compute.ts';
import { loadPurchases, type LoadedPurchases } from './read-purchases.ts';
import { storeRun } from './store-run.ts';
import { checkCustomerValueTerms, type CustomerValueRun, type CustomerValueTerms } from './terms.ts';

/**
 * Predicts each customer's value: fits BG/NBD (purchase days after the first) and Gamma-Gamma
 * (spend per repeat purchase day) on the purchases up to the end of calibration, scores every
 * customer (P(alive), expected purchases over the horizon, expected spend per purchase, CLV),
 * and stores the run and the scores, replacing the workspace's previous ones.
 *
 * The margin is the one given, else the workspace's setting (clvMargin); without either the run
 * is refused (`validation_failed`, saying how to set it): a CLV at an assumed 100 % margin would
 * be revenue printed as profit.
 *
 * The purchases stream out of PostgreSQL with COPY into typed arrays, ordered by customer and
 * day, so memory is about 20 bytes a purchase.
 */
export async function runCustomerValue(
  params: {
    pool: pg.Pool;
    workspaceId: string;
    /** The purchases, when the caller holds them already (the analytics engine's snapshot); else read with COPY. */
    purchases?: () => Promise<LoadedPurchases>;
    /** The time: the default end of calibration (yesterday) and the run's computedAt (default systemClock). */
    clock?: Clock;
  } & Partial<CustomerValueTerms>,
): Promise<CustomerValueRun> {
  const { pool, workspaceId } = params;
  const setting = params.margin === undefined ? (await readAnalyticsSettings({ pool, workspaceId })).clvMargin : null;
  const terms = checkCustomerValueTerms({ ...params, margin: params.margin ?? setting ?? undefined });
  const timezone = await workspaceTimezone(pool, workspaceId);
  const clock = params.clock ?? systemClock;
  const calibrationEnd = params.calibrationEnd ?? addDays(localDateOf(clock.now(), timezone), -1);
  requireCalendarDate(calibrationEnd, 'calibrationEnd');

  const purchases = params.purchases ? await params.purchases() : await loadPurchases(pool, workspaceId, timezone);
  const { run, summary, value } = computeCustomerValue({
    purchases,
    calibrationEnd,
    terms,
    clock,
    marginSource: params.margin === undefined ? 'setting' : 'given',
  });
  await storeRun({ pool, workspaceId, calibrationEnd, terms, run, ids: purchases.ids, summary, value });
  return run;
}
