import { KizunaError } from '../../shared/errors.ts';

/**
 * The bounds and defaults the subscription analyses share (see periods.ts for the periods'):
 * continuation tables run from delivery 1 to K (default 24, at most MAX_DELIVERY = 60; the
 * deliveries beyond K are one "K+" tail row), a split has at most MAX_GROUPS groups, and a
 * step-up window is 1 to MAX_STEP_UP_DAYS days.
 */
export const DEFAULT_MAX_DELIVERY = 24;
export const MAX_DELIVERY = 60;
export const MAX_GROUPS = 120;
export const DEFAULT_STEP_UP_DAYS = 60;
export const MAX_STEP_UP_DAYS = 3650;

/** How continuation is split: by start month (cohort), course, first product or acquisition source. */
export const CONTINUATION_SPLITS = ['cohort', 'course', 'product', 'source'] as const;
export type ContinuationSplit = (typeof CONTINUATION_SPLITS)[number];

/**
 * The groups a continuation can be computed over: a public split, or the start week (the KPI
 * of a weekly board groups subscriptions by the ISO week they started in).
 */
export type ContinuationGrouping = ContinuationSplit | 'start_week';

/** Throws validation_failed unless `maxDelivery` is a whole number from 1 to MAX_DELIVERY. */
export function checkMaxDelivery(maxDelivery: number): void {
  if (!Number.isInteger(maxDelivery) || maxDelivery < 1 || maxDelivery > MAX_DELIVERY) {
    throw new KizunaError('validation_failed', `maxDelivery must be a whole number from 1 to ${MAX_DELIVERY}, not ${maxDelivery}.`, {
      field: 'maxDelivery',
      limit: MAX_DELIVERY,
    });
  }
}

/** Throws validation_failed unless `within` is a whole number of days from 1 to MAX_STEP_UP_DAYS. */
export function checkStepUpWindow(within: number): void {
  if (!Number.isInteger(within) || within < 1 || within > MAX_STEP_UP_DAYS) {
    throw new KizunaError('validation_failed', `within must be a whole number of days from 1 to ${MAX_STEP_UP_DAYS}, not ${within}.`, {
      field: 'within',
      limit: MAX_STEP_UP_DAYS,
    });
  }
}

/** Throws validation_failed unless `by` is a split (it is written into SQL). */
export function checkSplit(by: ContinuationGrouping | undefined): void {
  if (by !== undefined && by !== 'start_week' && !CONTINUATION_SPLITS.includes(by)) {
    throw new KizunaError('validation_failed', `by must be one of ${CONTINUATION_SPLITS.join(', ')}, not "${by}".`);
  }
}
