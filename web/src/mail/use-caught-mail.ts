import { api, unwrap } from '../api/client.ts';
import { useApiData } from '../use-api-data.ts';

/**
 * Whether this server runs the demo mail catcher (its routes exist only then): one small
 * request per workspace; the navigation shows 受信箱（デモ） only when it answers.
 */
export function useCaughtMailAvailable(workspaceName: string): boolean {
  const probe = useApiData(
    (signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/caught-mail', { params: { path: { workspace: workspaceName }, query: { limit: 1 } }, signal })),
    [workspaceName],
    { enabled: workspaceName !== '' },
  );
  return probe.state === 'ready';
}
