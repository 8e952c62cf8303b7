import type { Schemas } from '../api/client.ts';
import type { Messages } from '../i18n/ja.ts';

export type JourneyMap = Schemas['JourneyMap'];
export interface CellKey {
  stage: string;
  level: string;
}

/** The name of a stage of the map; a key the map does not have (an older version's) is shown as it is. */
export function stageName(map: JourneyMap | null | undefined, key: string): string {
  return map?.stages.find((stage) => stage.key === key)?.name ?? key;
}

export function levelName(map: JourneyMap | null | undefined, key: string): string {
  return map?.levels.find((level) => level.key === key)?.name ?? key;
}

/** 「初回購入 × 関心」: a cell by its stage and level names. */
export function cellName(t: Messages, map: JourneyMap | null | undefined, cell: CellKey): string {
  return t.journey.cellName(stageName(map, cell.stage), levelName(map, cell.level));
}

export function sameCell(a: CellKey | null | undefined, b: CellKey | null | undefined): boolean {
  return a != null && b != null && a.stage === b.stage && a.level === b.level;
}

/** The customer list filtered to the customers standing in a cell now (…/customers?journeyStage=&journeyLevel=). */
export function cellCustomersPath(workspace: string, cell: CellKey): string {
  const query = new URLSearchParams({ journeyStage: cell.stage, journeyLevel: cell.level });
  return `/w/${encodeURIComponent(workspace)}/customers?${query.toString()}`;
}

/** The cells of the map in the diagram's order: stages left to right, each from the highest level down. */
export function cellsInOrder(map: JourneyMap): CellKey[] {
  return map.stages.flatMap((stage) => [...map.levels].reverse().map((level) => ({ stage: stage.key, level: level.key })));
}
