import { api, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { levelName, stageName } from '../journey/journey-names.ts';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

/**
 * The customer list's journey filter as a chip: the stage and level named from the active map
 * (the keys while it loads, or when the map no longer has them), with a button that clears it.
 */
export function JourneyFilterChip({ stage, level, onClear }: { stage: string | undefined; level: string | undefined; onClear(): void }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const f = t.journey.customerFilter;
  const journey = useApiData(
    (signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/journey', { params: { path: { workspace: workspace.name } }, signal })),
    [workspace.name],
  );
  const map = journey.state === 'ready' ? journey.data.map : null;
  const cell = t.journey.cellName(stage ? stageName(map, stage) : f.anyStage, level ? levelName(map, level) : f.anyLevel);
  return (
    <div className="filter-chips" role="group" aria-label={f.label}>
      <span className="chip">
        <span>{f.chip(cell)}</span>
        <button type="button" className="chip-clear" aria-label={f.clear} title={f.clear} onClick={onClear}>
          <span aria-hidden="true">✕</span>
        </button>
      </span>
    </div>
  );
}
