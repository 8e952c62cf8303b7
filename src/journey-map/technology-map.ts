import type { Department } from '../charter/types.ts';
import type { JourneyMap, MeasureChannel, MeasureStatus } from './model.ts';

/**
 * The technology map (テクノロジーマップ): the matrix of stages × measures, each row a channel
 * (Kizuna's own) or an outside solution (同梱物, コールセンター, 広告 …), each entry the measures
 * on that row at that stage with their department, status and cells. From it: the gaps (a
 * stage, or a cell, nobody serves), the duplicates (two departments doing the same thing to the
 * same customers: one cell, one channel or solution) and the solutions not yet introduced.
 * Pure: computed from the map alone.
 */

export interface TechnologyMeasure {
  name: string;
  purpose?: string;
  department: Department;
  status: MeasureStatus;
  stage: string;
  level: string;
  channel?: MeasureChannel;
  solution?: string;
}

export interface TechnologyRow {
  /** `solution:同梱物` or `channel:email`: a measure naming an outside solution is on that solution's row. */
  key: string;
  channel?: MeasureChannel;
  solution?: string;
  /** The measures of this row by stage key (stages without any are absent). */
  byStage: Record<string, TechnologyMeasure[]>;
  /** in_use when any measure of the row is in use, else planned when any is planned, else not_introduced. */
  status: MeasureStatus;
  departments: Department[];
}

export interface Duplicate {
  stage: string;
  level: string;
  row: string;
  measures: TechnologyMeasure[];
}

export interface TechnologyMap {
  stages: Array<{ key: string; name: string; measures: number }>;
  rows: TechnologyRow[];
  gaps: {
    /** Stages with no measure in any of their cells. */
    stages: string[];
    /** Cells with neither a measure nor a no-contact decision. */
    cells: Array<{ stage: string; level: string }>;
  };
  duplicates: Duplicate[];
  /** Rows whose every measure is not introduced: solutions the brand does not have yet. */
  notIntroduced: TechnologyRow[];
}

const STATUS_RANK: Record<MeasureStatus, number> = { in_use: 0, planned: 1, not_introduced: 2 };

export function technologyMap(map: JourneyMap): TechnologyMap {
  const measures: TechnologyMeasure[] = [];
  for (const cell of map.cells) {
    for (const measure of cell.measures ?? []) {
      measures.push({
        name: measure.name,
        ...(measure.purpose === undefined ? {} : { purpose: measure.purpose }),
        department: measure.department,
        status: measure.status,
        stage: cell.stage,
        level: cell.level,
        ...(measure.channel === undefined ? {} : { channel: measure.channel }),
        ...(measure.solution === undefined ? {} : { solution: measure.solution }),
      });
    }
  }
  const rowKey = (measure: TechnologyMeasure) => (measure.solution !== undefined ? `solution:${measure.solution}` : `channel:${measure.channel}`);

  const rows = new Map<string, TechnologyRow>();
  for (const measure of measures) {
    const key = rowKey(measure);
    let row = rows.get(key);
    if (!row) {
      row = {
        key,
        ...(measure.solution === undefined && measure.channel !== undefined ? { channel: measure.channel } : {}),
        ...(measure.solution === undefined ? {} : { solution: measure.solution }),
        byStage: {},
        status: measure.status,
        departments: [],
      };
      rows.set(key, row);
    }
    (row.byStage[measure.stage] ??= []).push(measure);
    if (STATUS_RANK[measure.status] < STATUS_RANK[row.status]) row.status = measure.status;
    if (!row.departments.includes(measure.department)) row.departments.push(measure.department);
  }
  // Kizuna's channels first in their fixed order, then the outside solutions by name.
  const channelOrder = ['email', 'line', 'sms', 'print', 'task', 'webhook'];
  const sortedRows = [...rows.values()].sort((a, b) => {
    if (a.channel && b.channel) return channelOrder.indexOf(a.channel) - channelOrder.indexOf(b.channel);
    if (a.channel) return -1;
    if (b.channel) return 1;
    return (a.solution ?? '').localeCompare(b.solution ?? '', 'ja');
  });

  const duplicates: Duplicate[] = [];
  const byCellRow = new Map<string, TechnologyMeasure[]>();
  for (const measure of measures) {
    const key = `${measure.stage}\u0000${measure.level}\u0000${rowKey(measure)}`;
    const list = byCellRow.get(key) ?? [];
    list.push(measure);
    byCellRow.set(key, list);
  }
  for (const list of byCellRow.values()) {
    const departments = new Set(list.map((measure) => measure.department));
    if (departments.size > 1) duplicates.push({ stage: list[0]!.stage, level: list[0]!.level, row: rowKey(list[0]!), measures: list });
  }

  const served = new Set(map.cells.filter((cell) => (cell.measures?.length ?? 0) > 0 || cell.noContact).map((cell) => `${cell.stage}\u0000${cell.level}`));
  const gapCells: Array<{ stage: string; level: string }> = [];
  for (const stage of map.stages) {
    for (const level of map.levels) {
      if (!served.has(`${stage.key}\u0000${level.key}`)) gapCells.push({ stage: stage.key, level: level.key });
    }
  }

  const stages = map.stages.map((stage) => ({
    key: stage.key,
    name: stage.name,
    measures: measures.filter((measure) => measure.stage === stage.key).length,
  }));
  return {
    stages,
    rows: sortedRows,
    gaps: { stages: stages.filter((stage) => stage.measures === 0).map((stage) => stage.key), cells: gapCells },
    duplicates,
    notIntroduced: sortedRows.filter((row) => row.status === 'not_introduced'),
  };
}
