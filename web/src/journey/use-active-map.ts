import { api, unwrap, type Schemas } from '../api/client.ts';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

/**
 * The workspace's journey view (GET …/journey) and, when it has an active map, what `load`
 * reads beside it: a page reading a map's coverage or technology map (404 without a map) shows
 * the no-map state instead of a failure. `extra` is null exactly when the map is.
 */
export function useActiveMapAnd<T>(load: (path: { workspace: string }, signal: AbortSignal) => Promise<T>) {
  const { workspace } = useCurrentWorkspace();
  return useApiData(
    async (signal) => {
      const path = { workspace: workspace.name };
      const view: Schemas['JourneyView'] = await unwrap(api.GET('/api/v1/workspaces/{workspace}/journey', { params: { path }, signal }));
      return { view, extra: view.map === null ? null : await load(path, signal) };
    },
    [workspace.name],
  );
}
