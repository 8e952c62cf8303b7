import { api, unwrap } from '../api/client.ts';
import { useApiData, type Loaded } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { addDays } from './dates.ts';

const KEEP_MS = 5 * 60_000;
const known = new Map<string, { at: number; end: Promise<string> }>();

/**
 * The first local date the workspace's data does not cover: the day after its latest order.
 * The analyses default to it rather than to today, so a brand whose data stops last month (or
 * a data set from years ago) opens on its data instead of on empty months.
 *
 * The API states it as the default `asOf` of F2 conversion; a one-day F2 query is the
 * cheapest way to read it. Kept a few minutes per workspace.
 */
function dataEnd(workspace: string, today: string): Promise<string> {
  const cached = known.get(workspace);
  if (cached && Date.now() - cached.at < KEEP_MS) return cached.end;
  const end = unwrap(
    api.GET('/api/v1/workspaces/{workspace}/analytics/f2', {
      params: { path: { workspace }, query: { from: addDays(today, -1), to: today } },
    }),
  ).then((f2) => f2.asOf);
  known.set(workspace, { at: Date.now(), end });
  end.catch(() => known.delete(workspace));
  return end;
}

export function useDataEnd(): Loaded<string> & { reload(): void } {
  const { workspace } = useCurrentWorkspace();
  const today = new Date().toISOString().slice(0, 10);
  return useApiData(() => dataEnd(workspace.name, today), [workspace.name]);
}
