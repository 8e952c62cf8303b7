import type { JourneyMap } from './model.ts';

/**
 * What changed between two versions of a map, in a few words for the version list:
 * "stages: +実感 −認知; stage rules: 1 changed; cells: 3 changed". Keys identify stages, levels
 * and cells; names show them.
 */
export function summarizeMapChange(previous: JourneyMap | undefined, next: JourneyMap): string {
  if (!previous) return `first version: ${next.stages.length} stages × ${next.levels.length} levels`;
  const parts: string[] = [];
  if (previous.name !== next.name) parts.push(`name: ${next.name}`);
  if (previous.goal !== next.goal) parts.push('goal changed');
  parts.push(...axisChanges('stages', previous.stages, next.stages));
  parts.push(...axisChanges('levels', previous.levels, next.levels));
  const cellKey = (cell: { stage: string; level: string }) => `${cell.stage}/${cell.level}`;
  const before = new Map(previous.cells.map((cell) => [cellKey(cell), canonicalJson(cell)]));
  const after = new Map(next.cells.map((cell) => [cellKey(cell), canonicalJson(cell)]));
  const changedCells = [...new Set([...before.keys(), ...after.keys()])].filter((key) => before.get(key) !== after.get(key)).length;
  if (changedCells > 0) parts.push(`cells: ${changedCells} changed`);
  return parts.length > 0 ? parts.join('; ') : 'no change';
}

type AxisEntry = JourneyMap['stages'][number];

function axisChanges(axis: 'stages' | 'levels', previous: readonly AxisEntry[], next: readonly AxisEntry[]): string[] {
  const parts: string[] = [];
  const before = new Map(previous.map((entry) => [entry.key, entry]));
  const after = new Map(next.map((entry) => [entry.key, entry]));
  const added = next.filter((entry) => !before.has(entry.key)).map((entry) => `+${entry.name}`);
  const removed = previous.filter((entry) => !after.has(entry.key)).map((entry) => `−${entry.name}`);
  if (added.length + removed.length > 0) parts.push(`${axis}: ${[...added, ...removed].join(' ')}`);
  const kept = next.filter((entry) => before.has(entry.key));
  const keptBefore = previous.filter((entry) => after.has(entry.key));
  if (kept.map((entry) => entry.key).join() !== keptBefore.map((entry) => entry.key).join()) parts.push(`${axis}: reordered`);
  const singular = axis === 'stages' ? 'stage' : 'level';
  const rules = kept.filter((entry) => canonicalJson(entry.rule) !== canonicalJson(before.get(entry.key)!.rule)).length;
  if (rules > 0) parts.push(`${singular} rules: ${rules} changed`);
  const words = kept.filter((entry) => {
    const old = before.get(entry.key)!;
    return entry.name !== old.name || (entry.description ?? '') !== (old.description ?? '');
  }).length;
  if (words > 0) parts.push(`${singular} names: ${words} changed`);
  return parts;
}

/** JSON with object keys sorted: equal for equal values whatever the key order (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
