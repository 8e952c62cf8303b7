import { api, ApiError, unwrap, type Schemas } from '../api/client.ts';

/**
 * The workspace's current charter, or null when it has none yet (the API's 404): the charter
 * pages explain a missing charter rather than fail on it. Other errors are thrown.
 */
export async function readCharterOrNull(workspace: string, signal: AbortSignal): Promise<Schemas['StoredCharter'] | null> {
  try {
    return await unwrap(api.GET('/api/v1/workspaces/{workspace}/charter', { params: { path: { workspace } }, signal }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}
