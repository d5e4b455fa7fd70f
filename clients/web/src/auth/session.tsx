import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, setToken, unwrap, whenUnauthorised, type Schemas } from '../api/client';

export type Me = Schemas['MeResponse'];

interface Session {
  me: Me | null;
  /** When the token stops working (ms since the epoch), from the token's expires_in; null if unknown. */
  expiresAt: number | null;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children, initial = null, initialExpiresAt = null }: { children: ReactNode; initial?: Me | null; initialExpiresAt?: number | null }) {
  const [me, setMe] = useState<Me | null>(initial);
  const [expiresAt, setExpiresAt] = useState<number | null>(initialExpiresAt);
  const queryClient = useQueryClient();

  const signOut = useCallback(() => {
    setToken(null);
    setMe(null);
    setExpiresAt(null);
    queryClient.clear(); // nothing read under one user is shown to the next
  }, [queryClient]);

  useEffect(() => whenUnauthorised(signOut), [signOut]);

  const signIn = useCallback(async (email: string, password: string) => {
    const result = await api.POST('/api/v1/auth/token', {
      body: { grant_type: 'password', username: email, password },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const granted = unwrap(result);
    setToken(granted.access_token);
    try {
      setMe(unwrap(await api.GET('/api/v1/me')));
      setExpiresAt(Date.now() + granted.expires_in * 1000);
    } catch (error) {
      setToken(null);
      throw error;
    }
  }, []);

  const value = useMemo(() => ({ me, expiresAt, signIn, signOut }), [me, expiresAt, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in caller (pages under the signed-in layout only). */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('not signed in');
  return me;
}
