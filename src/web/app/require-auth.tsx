import { createContext, useContext, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { MeDto } from '../../contracts/identity.js';
import { Loading, QueryError } from '../components/query-state.js';
import { useMe } from '../features/auth/auth.api.js';
import { type Feature, mayUse } from './access.js';
import { ForbiddenPage } from './status.pages.js';

const MeContext = createContext<MeDto | null>(null);

/** The signed-in user; only used below RequireAuth, where there always is one. */
export function useCurrentUser(): MeDto {
  const me = useContext(MeContext);
  if (!me) throw new Error('useCurrentUser outside RequireAuth');
  return me;
}

/** Renders its children for a signed-in user; sends everyone else to /login and back here afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const location = useLocation();
  const me = useMe();
  if (me.isPending) return <Loading height={400} />;
  if (me.isError) return <div style={{ padding: 48 }}><QueryError error={me.error} onRetry={() => void me.refetch()} /></div>;
  if (!me.data) {
    const back = location.pathname + location.search;
    return <Navigate to={back === '/' ? '/login' : `/login?next=${encodeURIComponent(back)}`} replace />;
  }
  return <MeContext.Provider value={me.data}>{children}</MeContext.Provider>;
}

/** A page for some roles only; others see a 403 page (the server refuses them anyway). */
export function RequireFeature({ feature, children }: { feature: Feature; children: ReactNode }) {
  const me = useCurrentUser();
  return mayUse(me.roles, feature) ? children : <ForbiddenPage />;
}
