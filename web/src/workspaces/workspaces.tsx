import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { Navigate } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { Failure, Loading } from '../components/status.tsx';
import { makeFormat, type Format } from '../format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';

export type Workspace = Schemas['Workspace'];

const DEFAULT_WORKSPACE = 'demo';
const STORAGE_KEY = 'kizuna.workspace';

const WorkspacesContext = createContext<Workspace[] | undefined>(undefined);

/** The workspaces the signed-in user can see, loaded once for the whole console. */
export function WorkspacesProvider({ children }: { children: ReactNode }) {
  const workspaces = useApiData((signal) => unwrap(api.GET('/api/v1/workspaces', { signal })), []);
  switch (workspaces.state) {
    case 'loading':
      return <Loading />;
    case 'failed':
      return <Failure error={workspaces.error} retry={workspaces.reload} />;
    case 'ready':
      return <WorkspacesContext.Provider value={workspaces.data}>{children}</WorkspacesContext.Provider>;
  }
}

export function useWorkspaces(): Workspace[] {
  const workspaces = useContext(WorkspacesContext);
  if (!workspaces) throw new Error('useWorkspaces() needs a <WorkspacesProvider> above it.');
  return workspaces;
}

/** Remembers the last workspace used, so the console opens where the operator left off. */
export function rememberWorkspace(name: string): void {
  localStorage.setItem(STORAGE_KEY, name);
}

/** The last workspace used, else 'demo', else the first one; undefined when there is none. */
export function defaultWorkspaceName(workspaces: readonly Workspace[]): string | undefined {
  const names = workspaces.map((w) => w.name);
  const remembered = localStorage.getItem(STORAGE_KEY);
  return [remembered, DEFAULT_WORKSPACE].find((n) => n !== null && names.includes(n)) ?? names[0];
}

/** Opens the last workspace used, else 'demo', else the first one. */
export function DefaultWorkspaceRedirect() {
  const name = defaultWorkspaceName(useWorkspaces());
  return <Navigate to={name === undefined ? '/w/-' : `/w/${encodeURIComponent(name)}`} replace />;
}

interface CurrentWorkspace {
  workspace: Workspace;
  /** Formats in the selected language and this workspace's currency and time zone. */
  format: Format;
}

const CurrentWorkspaceContext = createContext<CurrentWorkspace | undefined>(undefined);

export function CurrentWorkspaceProvider({ workspace, children }: { workspace: Workspace; children: ReactNode }) {
  const { locale } = useI18n();
  const value = useMemo(() => ({ workspace, format: makeFormat(locale, workspace) }), [workspace, locale]);
  return <CurrentWorkspaceContext.Provider value={value}>{children}</CurrentWorkspaceContext.Provider>;
}

export function useCurrentWorkspace(): CurrentWorkspace {
  const current = useContext(CurrentWorkspaceContext);
  if (!current) throw new Error('useCurrentWorkspace() outside a workspace page.');
  return current;
}

/** The signed-in user's role in the current workspace: what a page lets them do there. */
export function useRole(): Workspace['role'] {
  return useCurrentWorkspace().workspace.role;
}
