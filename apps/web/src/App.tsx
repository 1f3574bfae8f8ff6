import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post, setSignedOutListener, type Me } from './api';
import { LanguageMenu } from './components/LanguageMenu';
import { ErrorNotice, Loading } from './components/Notice';
import { applyPreferences } from './i18n';
import { useOnline } from './hooks';
import { meQuery } from './queries';
import { SignIn } from './screens/SignIn';
import { SessionContext, sessionOf, type Session } from './session';

export function App() {
  const { t } = useTranslation();
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
  useEffect(() => setSignedOutListener(() => signedOut(t('app.sessionEnded'))), [signedOut, t]);

  if (me.isPending) return <main className="page"><Loading /></main>;
  if (me.isError) {
    return (
      <main className="page">
        <h1>{t('app.name')}</h1>
        <ErrorNotice error={me.error} onRetry={() => void me.refetch()} />
      </main>
    );
  }
  if (me.data === null) return <SignIn reason={reason} onSignedIn={(signedIn) => queryClient.setQueryData(meQuery.queryKey, signedIn)} />;
  return <SignedIn me={me.data} onSignedOut={() => signedOut()} />;
}

function SignedIn({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const session = useMemo<Session>(() => sessionOf(me), [me]);
  // The staff member's own language and digits, kept on the server, win over this device's last choice.
  const language = me.preferences?.language;
  const digits = me.preferences?.digits;
  useEffect(() => {
    if (language && digits) applyPreferences({ language, digits });
  }, [language, digits]);
  const path = useRouterState({ select: (state) => state.location.pathname });
  const navigate = useNavigate();
  const online = useOnline();
  const mainRef = useRef<HTMLElement>(null);

  // A new screen moves focus to its heading, so a screen reader announces where the person now is.
  const firstPath = useRef(path);
  useEffect(() => {
    if (path === firstPath.current) return;
    firstPath.current = '';
    mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [path]);

  const signOut = async () => {
    await post('/api/auth/sign-out').catch(() => undefined);
    onSignedOut();
    void navigate({ to: '/', replace: true });
  };

  return (
    <SessionContext.Provider value={session}>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="top-bar">
        <div className="top-bar-inner">
          <Link to="/" className="brand" activeOptions={{ exact: true }}>
            {t('app.name')}
          </Link>
          <nav aria-label={t('app.mainNav')} className="main-nav">
            <NavLink to="/clients">{t('nav.clients')}</NavLink>
            {session.can('checkout.pay') ? <NavLink to="/checkout">{t('nav.checkout')}</NavLink> : null}
            {session.can('refund.credit') ? <NavLink to="/refunds">{t('nav.refunds')}</NavLink> : null}
            {session.can('giftcard.manage') ? <NavLink to="/gift-cards">{t('nav.giftCards')}</NavLink> : null}
            {session.can('settings.manage') ? <NavLink to="/settings">{t('nav.settings')}</NavLink> : null}
            {session.can('reports.view') ? <NavLink to="/reports">{t('nav.reports')}</NavLink> : null}
            {session.can('audit.view') ? <NavLink to="/audit">{t('nav.audit')}</NavLink> : null}
            {session.can('staff.manage') ? <NavLink to="/staff">{t('nav.staff')}</NavLink> : null}
          </nav>
          <div className="who">
            <span className="who-name">{me.name}</span>
            <LanguageMenu signedIn onSaved={(saved) => queryClient.setQueryData(meQuery.queryKey, (old) => (old ? { ...old, preferences: saved } : old))} />
            <button type="button" className="button button-quiet" onClick={signOut}>
              {t('app.signOut')}
            </button>
          </div>
        </div>
      </header>
      {online ? null : (
        <div className="offline-bar" role="status">
          {t('app.offline')}
        </div>
      )}
      <main id="main" className="page" ref={mainRef}>
        <Outlet />
      </main>
    </SessionContext.Provider>
  );
}

function NavLink({ to, children }: { to: '/clients' | '/checkout' | '/refunds' | '/gift-cards' | '/settings' | '/reports' | '/audit' | '/staff'; children: string }) {
  // Current on the screens under it too (a client's page is under Clients), whatever the search.
  return (
    <Link to={to} className="nav-link" activeOptions={{ includeSearch: false }}>
      {children}
    </Link>
  );
}
