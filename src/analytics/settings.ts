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
  /**
   * Share of spend kept as profit (粗利率), in (0, 1], that every CLV is computed with. Null:
   * not set; a customer value run then needs one given, and none is assumed.
   */
  clvMargin: number | null;
}

/** The range the database accepts for a churn window, in days (ten years at most). */
export const CHURN_WINDOW_DAYS = { min: 1, max: 3650 } as const;

/** A workspace's analytics settings; every default when it never set one. */
export async function readAnalyticsSettings(params: { pool: pg.Pool; workspaceId: string }): Promise<AnalyticsSettings> {
  const { rows } = await params.pool.query<{ churn_window_days: number | null; clv_margin: string | null }>(
    'select churn_window_days, clv_margin from analytics_settings where workspace_id = $1',
    [params.workspaceId],
  );
  return settingsOf(rows[0]);
}

function settingsOf(row: { churn_window_days: number | null; clv_margin: string | null } | undefined): AnalyticsSettings {
  return { churnWindowDays: row?.churn_window_days ?? null, clvMargin: row?.clv_margin == null ? null : Number(row.clv_margin) };
}

/**
 * Changes the settings named in `changes` and keeps the others; returns them all.
 * `churnWindowDays: null` goes back to the proposed window; `clvMargin: null` unsets the margin.
 *
 *   await setAnalyticsSettings({ pool, workspaceId, changes: { churnWindowDays: 120, clvMargin: 0.35 } });
 *
 * Throws `validation_failed` for a window that is not a whole number of days in
 * CHURN_WINDOW_DAYS, or a margin not in (0, 1].
 */
export async function setAnalyticsSettings(params: { pool: pg.Pool; workspaceId: string; changes: Partial<AnalyticsSettings> }): Promise<AnalyticsSettings> {
  const { pool, workspaceId, changes } = params;
  if (changes.churnWindowDays === undefined && changes.clvMargin === undefined) return readAnalyticsSettings({ pool, workspaceId });
  const problem =
    (changes.churnWindowDays === undefined ? null : churnWindowProblem(changes.churnWindowDays)) ??
    (changes.clvMargin === undefined ? null : clvMarginProblem(changes.clvMargin));
  if (problem) throw new KizunaError('validation_failed', problem);
  const { rows } = await pool.query<{ churn_window_days: number | null; clv_margin: string | null }>(
    `insert into analytics_settings (workspace_id, churn_window_days, clv_margin) values ($1, $2, $4)
     on conflict (workspace_id) do update
       set churn_window_days = case when $3 then excluded.churn_window_days else analytics_settings.churn_window_days end,
           clv_margin = case when $5 then excluded.clv_margin else analytics_settings.clv_margin end,
           updated_at = now()
     returning churn_window_days, clv_margin`,
    [workspaceId, changes.churnWindowDays ?? null, changes.churnWindowDays !== undefined, changes.clvMargin ?? null, changes.clvMargin !== undefined],
  );
  return settingsOf(rows[0]);
}

/** Why a margin given by a user is refused, or null when it is acceptable (null itself is: unset). */
export function clvMarginProblem(margin: number | null): string | null {
  if (margin === null) return null;
  return Number.isFinite(margin) && margin > 0 && margin <= 1
    ? null
    : `The margin is a share of spend kept as profit, above 0 and at most 1 (e.g. 0.35), not ${margin}.`;
}

/** Why a churn window given by a user is refused, or null when it is acceptable (null itself is). */
export function churnWindowProblem(days: number | null): string | null {
  if (days === null) return null;
  const { min, max } = CHURN_WINDOW_DAYS;
  return Number.isInteger(days) && days >= min && days <= max ? null : `The churn window must be a whole number of days from ${min} to ${max}, not ${days}.`;
}
