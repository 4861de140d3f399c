// Who is signed in. The token lives in sessionStorage only (this tab, gone when it closes): never
// in localStorage, a cookie or a URL. Every request and subscription goes through the SDK's client
// (HTTP to /graphql on this origin; graphql-ws on the same path with the browser's WebSocket).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { AosRequestError, createAosClient, ViewerDocument, type AosClient, type ViewerQuery } from './sdk';

const TOKEN_KEY = 'aos.console.token';

export type Viewer = ViewerQuery['viewer'];

export interface Session {
  client: AosClient;
  viewer: Viewer;
  /** Reads the viewer again (a role or tenant state may have changed). */
  refreshViewer: () => Promise<void>;
  signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

/** The signed-in session; pages render only inside SessionGate, so it is always there. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

function graphqlUrl(): string {
  return `${window.location.origin}/graphql`;
}

export type SignInResult = { ok: true } | { ok: false; reason: 'refused' | 'unreachable'; message: string };

interface SessionState {
  client: AosClient;
  viewer: Viewer;
}

async function open(token: string): Promise<SessionState> {
  const client = createAosClient({ url: graphqlUrl(), token });
  try {
    const { viewer } = await client.request(ViewerDocument);
    return { client, viewer };
  } catch (error) {
    await client.close();
    throw error;
  }
}

function describe(error: unknown): SignInResult {
  if (error instanceof AosRequestError && (error.status === 401 || error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED'))) {
    return { ok: false, reason: 'refused', message: error.message };
  }
  return { ok: false, reason: 'unreachable', message: error instanceof Error ? error.message : String(error) };
}

interface GateProps {
  /** Shown while signed out: gets the sign-in function. */
  signIn: (props: { signIn: (token: string) => Promise<SignInResult> }) => ReactNode;
  children: ReactNode;
}

/** Restores the tab's session (if any), otherwise shows the sign-in form; children see useSession(). */
export function SessionGate({ signIn, children }: GateProps) {
  const [state, setState] = useState<SessionState | null>(null);
  const [restoring, setRestoring] = useState(() => sessionStorage.getItem(TOKEN_KEY) !== null);

  useEffect(() => {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) return;
    let cancelled = false;
    open(token).then(
      (opened) => {
        if (cancelled) void opened.client.close();
        else setState(opened);
        setRestoring(false);
      },
      (error: unknown) => {
        // A refused token is forgotten; an unreachable API keeps it for the next try.
        const result = describe(error);
        if (!result.ok && result.reason === 'refused') sessionStorage.removeItem(TOKEN_KEY);
        setRestoring(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  const doSignIn = useCallback(async (token: string): Promise<SignInResult> => {
    try {
      const opened = await open(token.trim());
      sessionStorage.setItem(TOKEN_KEY, token.trim());
      setState(opened);
      return { ok: true };
    } catch (error) {
      return describe(error);
    }
  }, []);

  const session = useMemo<Session | null>(() => {
    if (!state) return null;
    const signOut = () => {
      sessionStorage.removeItem(TOKEN_KEY);
      void state.client.close();
      setState(null);
    };
    // A token revoked or expired while the tab is open ends the session at its next request.
    const client: AosClient = {
      ...state.client,
      request: async (document, variables) => {
        try {
          return await state.client.request(document, variables);
        } catch (error) {
          const result = describe(error);
          if (!result.ok && result.reason === 'refused') signOut();
          throw error;
        }
      },
    };
    return {
      client,
      viewer: state.viewer,
      refreshViewer: async () => {
        const { viewer } = await state.client.request(ViewerDocument);
        setState((current) => (current ? { ...current, viewer } : current));
      },
      signOut,
    };
  }, [state]);

  if (restoring) return null;
  if (!session) return <>{signIn({ signIn: doSignIn })}</>;
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
