import type pg from 'pg';
import { KizunaError } from '../shared/errors.ts';

/**
 * A workspace's settings of the analyses. A workspace that never set one has every default.
 */
export interface AnalyticsSettings {
  /**
   * Days without a purchase after which a customer counts as churned (離反). Null: use the
   * window proposed from the brand's own inter-purchase intervals (proposeChurnWindow).
   */
  churnWindowDays: number | null;
}

/** The range the database accepts for a churn window, in days (ten years at most). */
export const CHURN_WINDOW_DAYS = { min: 1, max: 3650 } as const;

/** A workspace's analytics settings; every default when it never set one. */
export async function readAnalyticsSettings(params: { pool: pg.Pool; workspaceId: string }): Promise<AnalyticsSettings> {
  const { rows } = await params.pool.query<{ churn_window_days: number | null }>('select churn_window_days from analytics_settings where workspace_id = $1', [
    params.workspaceId,
  ]);
  return { churnWindowDays: rows[0]?.churn_window_days ?? null };
}

/**
 * Changes the settings named in `changes` and keeps the others; returns them all.
 * `churnWindowDays: null` goes back to the proposed window.
 *
 *   await setAnalyticsSettings({ pool, workspaceId, changes: { churnWindowDays: 120 } });
 *
 * Throws `validation_failed` for a window that is not a whole number of days in
 * CHURN_WINDOW_DAYS.
 */
export async function setAnalyticsSettings(params: { pool: pg.Pool; workspaceId: string; changes: Partial<AnalyticsSettings> }): Promise<AnalyticsSettings> {
  const { pool, workspaceId, changes } = params;
  if (changes.churnWindowDays === undefined) return readAnalyticsSettings({ pool, workspaceId });
  const problem = churnWindowProblem(changes.churnWindowDays);
  if (problem) throw new KizunaError('validation_failed', problem);
  const { rows } = await pool.query<{ churn_window_days: number | null }>(
    `insert into analytics_settings (workspace_id, churn_window_days) values ($1, $2)
     on conflict (workspace_id) do update set churn_window_days = excluded.churn_window_days, updated_at = now()
     returning churn_window_days`,
    [workspaceId, changes.churnWindowDays],
  );
  return { churnWindowDays: rows[0]!.churn_window_days };
}

/** Why a churn window given by a user is refused, or null when it is acceptable (null itself is). */
export function churnWindowProblem(days: number | null): string | null {
  if (days === null) return null;
  const { min, max } = CHURN_WINDOW_DAYS;
  return Number.isInteger(days) && days >= min && days <= max ? null : `The churn window must be a whole number of days from ${min} to ${max}, not ${days}.`;
}
