import { canonicalJson } from '../journey-map/map-diff.ts';
import type { ScenarioDocument } from './model.ts';

/**
 * What changed between two versions of a scenario, in a few words for the version list:
 * "steps: +effect_message −survey, 2 changed; trigger changed; priority 80 → 90". Step ids
 * identify steps across versions.
 */
export function summarizeScenarioChange(previous: ScenarioDocument | undefined, next: ScenarioDocument): string {
  if (!previous) return `first version: ${next.steps.length} step${next.steps.length === 1 ? '' : 's'}, trigger ${next.trigger.kind}`;
  const parts: string[] = [];
  if (previous.name !== next.name) parts.push(`name: ${next.name}`);
  if ((previous.description ?? '') !== (next.description ?? '')) parts.push('description changed');
  for (const field of ['purpose', 'department', 'priority'] as const)
    if (previous[field] !== next[field]) parts.push(`${field} ${previous[field]} → ${next[field]}`);
  if (canonicalJson(previous.channels) !== canonicalJson(next.channels)) parts.push(`channels: ${next.channels.join(', ')}`);
  if (canonicalJson(previous.trigger) !== canonicalJson(next.trigger)) parts.push('trigger changed');
  if (canonicalJson(previous.reentry) !== canonicalJson(next.reentry)) parts.push(`re-entry: ${next.reentry.kind}`);
  if (canonicalJson(previous.exitRules) !== canonicalJson(next.exitRules)) parts.push('exit rules changed');
  if (previous.start !== next.start) parts.push(`start: ${next.start}`);
  const before = new Map(previous.steps.map((step) => [step.id, canonicalJson(step)]));
  const after = new Map(next.steps.map((step) => [step.id, canonicalJson(step)]));
  const added = next.steps.filter((step) => !before.has(step.id)).map((step) => `+${step.id}`);
  const removed = previous.steps.filter((step) => !after.has(step.id)).map((step) => `−${step.id}`);
  const changed = next.steps.filter((step) => before.has(step.id) && before.get(step.id) !== after.get(step.id)).length;
  const stepParts = [...added, ...removed].join(' ');
  if (stepParts !== '' || changed > 0) parts.push(`steps: ${[stepParts, changed > 0 ? `${changed} changed` : ''].filter(Boolean).join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'no change';
}
