import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { post, setSignedOutListener, type Me } from './api';
import { ErrorNotice, Loading } from './components/Notice';
import { useOnline } from './hooks';
import { meQuery } from './queries';
import { Link, match, navigate, useLocation } from './router';
import { Checkout } from './screens/Checkout';
import { ClientForm } from './screens/ClientForm';
import { ClientProfile } from './screens/ClientProfile';
import { Clients } from './screens/Clients';
import { GiftCards } from './screens/GiftCards';
import { History } from './screens/History';
import { SignIn } from './screens/SignIn';
import { SessionContext, sessionOf, type Session } from './session';

export function App() {
  const queryClient = useQueryClient();
  const me = useQuery(meQuery);
  const [reason, setReason] = useState<string | undefined>(undefined);

  // Signing out, by the person or by the gateway, drops every cached answer: the next sign-in may be someone else.
  const signedOut = useCallback(
    (why?: string) => {
      setReason(why);
      queryClient.setQueryData(meQuery.queryKey, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== meQuery.queryKey[0] });
    },
    [queryClient],
  );
  useEffect(() => setSignedOutListener(() => signedOut('Your session has ended. Sign in again.')), [signedOut]);

  if (me.isPending) return <main className="page"><Loading /></main>;
  if (me.isError) {
    return (
      <main className="page">
        <h1>Store credit</h1>
        <ErrorNotice error={me.error} onRetry={() => void me.refetch()} />
      </main>
    );
  }
  if (me.data === null) return <SignIn reason={reason} onSignedIn={(signedIn) => queryClient.setQueryData(meQuery.queryKey, signedIn)} />;
  return <SignedIn me={me.data} onSignedOut={() => signedOut()} />;
}

function SignedIn({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const session = useMemo<Session>(() => sessionOf(me), [me]);
  const location = useLocation();
  const online = useOnline();
  const mainRef = useRef<HTMLElement>(null);

  // A new screen moves focus to its heading, so a screen reader announces where the person now is.
  const firstPath = useRef(location.path);
  useEffect(() => {
    if (location.path === firstPath.current) return;
    firstPath.current = '';
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [location.path]);

  const signOut = async () => {
    await post('/api/auth/sign-out').catch(() => undefined);
    onSignedOut();
    navigate('/', { replace: true });
  };

  return (
    <SessionContext.Provider value={session}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <div className="top-bar-inner">
          <Link href="/clients" className="brand">
            Store credit
          </Link>
          <nav aria-label="Main" className="main-nav">
            <NavLink href="/clients" current={location.path === '/' || location.path.startsWith('/clients')}>
              Clients
            </NavLink>
            {session.can('checkout.pay') ? (
              <NavLink href="/checkout" current={location.path === '/checkout'}>
                Checkout
              </NavLink>
            ) : null}
            {session.can('giftcard.manage') ? (
              <NavLink href="/gift-cards" current={location.path === '/gift-cards'}>
                Gift cards
              </NavLink>
            ) : null}
          </nav>
          <div className="who">
            <span className="who-name">{me.name}</span>
            <button type="button" className="button button-quiet" onClick={signOut}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      {online ? null : (
        <div className="offline-bar" role="status">
          You are offline. Changes cannot be saved until the connection is back.
        </div>
      )}
      <main id="main" className="page" ref={mainRef}>
        <Screen path={location.path} />
      </main>
    </SessionContext.Provider>
  );
}

function NavLink({ href, current, children }: { href: string; current: boolean; children: string }) {
  return (
    <Link href={href} className="nav-link" aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}

function Screen({ path }: { path: string }) {
  if (path === '/' || path === '/clients') return <Clients />;
  if (path === '/clients/new') return <ClientForm />;
  const edit = match('/clients/:id/edit', path);
  if (edit) return <ClientForm key={edit.id} clientId={edit.id} />;
  const history = match('/clients/:id/history', path);
  if (history) return <History clientId={history.id} />;
  const profile = match('/clients/:id', path);
  if (profile) return <ClientProfile clientId={profile.id} />;
  if (path === '/checkout') return <Checkout />;
  if (path === '/gift-cards') return <GiftCards />;
  return (
    <>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        <Link href="/clients">Go to the client list</Link>
      </p>
    </>
  );
}
