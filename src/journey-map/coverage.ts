import type { JourneyMap } from './model.ts';

/**
 * Coverage (漏れなく): every customer sits in exactly one cell, and every cell is served — by
 * a measure, or by an explicit decision not to contact. Pure: the map and the live counts in,
 * the cells nobody serves (with how many customers stand in them) and the check that the
 * counts add up to every profile out.
 */

export interface CellCount {
  stage: string;
  level: string;
  customers: number;
}

export type CellService = 'measures' | 'no_contact' | 'uncovered';

export interface CoverageCell extends CellCount {
  service: CellService;
  /** Measures planned for the cell (any status). */
  measures: number;
  /** Measures in use. */
  inUse: number;
}

export interface Coverage {
  cells: CoverageCell[];
  /** The cells with neither a measure nor a no-contact decision, most customers first. */
  uncovered: CoverageCell[];
  /** Customers standing in uncovered cells. */
  uncoveredCustomers: number;
  /** Cells whose measures are all planned or not introduced: served on paper only. */
  notYetServed: CoverageCell[];
  check: {
    /** Every customer and lead of the workspace. */
    profiles: number;
    /** Σ of the cells' counts. */
    placed: number;
    /** placed = profiles: each profile is in exactly one cell. */
    addsUp: boolean;
  };
}

export function coverageOf(map: JourneyMap, counts: readonly CellCount[], profiles: number): Coverage {
  const countOf = new Map(counts.map((count) => [`${count.stage}\u0000${count.level}`, count.customers]));
  const cellOf = new Map(map.cells.map((cell) => [`${cell.stage}\u0000${cell.level}`, cell]));
  const cells: CoverageCell[] = [];
  for (const stage of map.stages) {
    for (const level of map.levels) {
      const key = `${stage.key}\u0000${level.key}`;
      const cell = cellOf.get(key);
      const measures = cell?.measures ?? [];
      const service: CellService = measures.length > 0 ? 'measures' : cell?.noContact ? 'no_contact' : 'uncovered';
      cells.push({
        stage: stage.key,
        level: level.key,
        customers: countOf.get(key) ?? 0,
        service,
        measures: measures.length,
        inUse: measures.filter((measure) => measure.status === 'in_use').length,
      });
    }
  }
  const uncovered = cells.filter((cell) => cell.service === 'uncovered').sort((a, b) => b.customers - a.customers);
  const placed = counts.reduce((sum, count) => sum + count.customers, 0);
  return {
    cells,
    uncovered,
    uncoveredCustomers: uncovered.reduce((sum, cell) => sum + cell.customers, 0),
    notYetServed: cells.filter((cell) => cell.service === 'measures' && cell.inUse === 0),
    check: { profiles, placed, addsUp: placed === profiles },
  };
}
