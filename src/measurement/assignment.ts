import { createHash } from 'node:crypto';
import type { EnrollmentArm } from '../scenarios/runtime/advance-writes.ts';

/**
 * Control-group assignment: deterministic per customer — a hash of a salt and the customer's id
 * into 10,000 buckets — so a customer entering again lands in the same arm, any worker computes
 * the same answer, and the share is exact to 0.01 %. The scenario's holdout salts with the
 * scenario's id (independent across scenarios); the global control group salts with the
 * workspace's id (the same customers for every scenario).
 */

export const BUCKETS = 10_000;

/** The customer's bucket (0–9,999) under a salt: the first 32 bits of SHA-256("salt:customerId"). */
export function bucketOf(salt: string, customerId: string): number {
  return createHash('sha256').update(`${salt}:${customerId}`).digest().readUInt32BE(0) % BUCKETS;
}

/** Whether a customer is in the workspace's global control group of `percent` %. */
export function inGlobalControl(workspaceId: string, customerId: string, percent: number): boolean {
  return percent > 0 && bucketOf(`global:${workspaceId}`, customerId) < percent * (BUCKETS / 100);
}

/**
 * The arm a customer enters a scenario in: the global control group first (marketing scenarios
 * only; no marketing contact at all), then the scenario's holdout share.
 */
export function armFor(params: {
  workspaceId: string;
  scenarioId: string;
  customerId: string;
  purpose: 'marketing' | 'transactional';
  holdoutPercent: number;
  globalControlPercent: number;
}): EnrollmentArm {
  if (params.purpose !== 'marketing') return 'treatment';
  if (inGlobalControl(params.workspaceId, params.customerId, params.globalControlPercent)) return 'global_control';
  if (params.holdoutPercent > 0 && bucketOf(`holdout:${params.scenarioId}`, params.customerId) < params.holdoutPercent * (BUCKETS / 100)) return 'holdout';
  return 'treatment';
}
