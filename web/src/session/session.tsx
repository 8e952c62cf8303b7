import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { api, ApiError, onUnauthorized, unwrap, type Schemas } from '../api/client.ts';
import { Loading } from '../components/status.tsx';

export type Me = Schemas['Me'];
/** A role in one workspace (a user has one per workspace it is a member of). */
export type Role = Schemas['Workspace']['role'];

export type SessionState =
  | { state: 'checking' }
  /** `expired`: the session ended while the console was open (not a sign-out). */
  | { state: 'signed-out'; expired: boolean }
  | { state: 'signed-in'; me: Me };

interface Session {
  session: SessionState;
  /** Resolves to false for a wrong email or password; other failures throw. */
  signIn(email: string, password: string): Promise<boolean>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

/** Who is signed in, from GET /auth/me; any 401 from the API signs the console out. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>({ state: 'checking' });

  useEffect(() => {
    let cancelled = false;
    unwrap(api.GET('/api/v1/auth/me')).then(
      (me) => {
        if (!cancelled) setSession({ state: 'signed-in', me });
      },
      () => {
        if (!cancelled) setSession({ state: 'signed-out', expired: false });
      },
    );
    const stopListening = onUnauthorized(() => {
      setSession((current) => (current.state === 'signed-in' ? { state: 'signed-out', expired: true } : current));
    });
    return () => {
      cancelled = true;
      stopListening();
    };
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    try {
      const me = await unwrap(api.POST('/api/v1/auth/login', { body: { email, password } }));
      setSession({ state: 'signed-in', me });
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return false;
      throw error;
    }
  }, []);

  const signOut = useCallback(async () => {
    await api.POST('/api/v1/auth/logout');
    setSession({ state: 'signed-out', expired: false });
  }, []);

  const value = useMemo(() => ({ session, signIn, signOut }), [session, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() needs a <SessionProvider> above it.');
  return session;
}

/** Roles that may import and write data (the API's `write` permission; read_only may not). */
export function canWrite(role: Role): boolean {
  return role !== 'read_only';
}

/** Roles that may manage a workspace's members and API keys (the API's `manage` permission). */
export function canManage(role: Role): boolean {
  return role === 'admin';
}

/** The signed-in user; the pages under <RequireSession> may call it. */
export function useMe(): Me {
  const { session } = useSession();
  if (session.state !== 'signed-in') throw new Error('useMe() outside <RequireSession>.');
  return session.me;
}

/** Shows its children to a signed-in user; sends anyone else to sign-in, and back here after. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  switch (session.state) {
    case 'checking':
      return <Loading />;
    case 'signed-out': {
      const next = `${location.pathname}${location.search}`;
      const params = new URLSearchParams({ next, ...(session.expired ? { expired: '1' } : {}) });
      return <Navigate to={`/sign-in?${params.toString()}`} replace />;
    }
    case 'signed-in':
      return children;
  }
}
