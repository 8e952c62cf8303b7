import { diagramLabels, type DiagramLocale } from './diagram/labels.ts';
import type { DiagramInput } from './diagram/types.ts';
import type { Flow, JourneyMap } from './model.ts';

/** What the exports draw: the active map, its live counts and the flows of a period, in the export's language. */
export function journeyDiagramInput(params: {
  map: JourneyMap;
  cells: Array<{ stage: string; level: string; customers: number }>;
  profiles: number;
  flows: Flow[];
  period: { from: string; to: string };
  locale: DiagramLocale;
}): DiagramInput {
  return {
    map: params.map,
    cells: params.cells,
    profiles: params.profiles,
    flows: params.flows,
    period: params.period,
    labels: diagramLabels(params.locale),
  };
}
