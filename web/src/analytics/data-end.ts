import { createContext, useContext } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { useApiData, type Loaded } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

export type DataCoverage = Schemas['DataCoverage'];

const KEEP_MS = 5 * 60_000;
const known = new Map<string, { at: number; coverage: Promise<DataCoverage> }>();

/**
 * What the workspace's data covers (GET …/analytics/coverage): today in the workspace's time
 * zone by the server's clock, which every "as of" defaults to (as the CLI's do), and the days
 * of the first and last order, which the periods of the sales pages default to and which the
 * page names when the data ends before today. Kept a few minutes per workspace.
 */
function coverageOf(workspace: string): Promise<DataCoverage> {
  const cached = known.get(workspace);
  if (cached && Date.now() - cached.at < KEEP_MS) return cached.coverage;
  const coverage = unwrap(api.GET('/api/v1/workspaces/{workspace}/analytics/coverage', { params: { path: { workspace } } }));
  known.set(workspace, { at: Date.now(), coverage });
  coverage.catch(() => known.delete(workspace));
  return coverage;
}

export function useCoverage(): Loaded<DataCoverage> & { reload(): void } {
  const { workspace } = useCurrentWorkspace();
  return useApiData(() => coverageOf(workspace.name), [workspace.name]);
}

/** The first local date the data does not cover (the day after the latest order), else today: what the periods of the sales pages end at by default. */
export function dataEndOf(coverage: DataCoverage): string {
  return coverage.dataEnd ?? coverage.today;
}

/** The data's end, for the pages that only need that. */
export function useDataEnd(): Loaded<string> & { reload(): void } {
  const coverage = useCoverage();
  return coverage.state === 'ready' ? { ...coverage, data: dataEndOf(coverage.data) } : coverage;
}

/** Today in the workspace's time zone, as the analytics page frame learnt it: the default "as of". */
export const TodayContext = createContext<string | null>(null);

export function useToday(): string | null {
  return useContext(TodayContext);
}
