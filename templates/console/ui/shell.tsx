import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, getOrNull, whenSessionEnds } from './api.js';
import {
  beginHostedLogin,
  CONFIG,
  completeHostedLogin,
  currentToken,
  developmentLogin,
  isOwner,
  LoginError,
  logout,
  tokenClaims,
} from './auth.js';
import { Alert, Button, ErrorAlert, Flash, PageHeader } from './components.js';
import { chooseLocale, chosenLocale, locale, t, UI_LOCALES, type UiLocale, setFormats } from './i18n.js';
import { LocalCloudPanel } from './pages/local.js';
import { HOME, matchRoute, NAVIGATION } from './routes.js';
import { useLocation } from './router.js';
import { type OrgSettings, type Session, SessionContext } from './session.js';

/**
 * The console's frame: the login screen, then (signed in) the skip link, the top bar with the
 * menu, the admin's language and logout, the routed page and, on the local cloud, its panel.
 */
type Screen = { kind: 'booting' } | { kind: 'login'; message?: string } | { kind: 'console' };

function loginMessage(error: unknown): string {
  return error instanceof LoginError ? t(error.key, { detail: error.detail }) : String(error);
}

export function App() {
  const [screen, setScreen] = useState<Screen>({ kind: 'booting' });

  useEffect(() => {
    whenSessionEnds(() => setScreen({ kind: 'login', message: t('login.sessionEnded') }));
    void (async () => {
      const query = new URLSearchParams(location.search);
      try {
        // GET /_local/login lands here with ?login=local (local cloud only): sign in at once.
        if (CONFIG.mode === 'local' && query.get('login') === 'local') {
          history.replaceState(null, '', location.pathname + location.hash);
          await developmentLogin(query.get('org'), query.get('role'));
        }
        await completeHostedLogin();
      } catch (error) {
        setScreen({ kind: 'login', message: loginMessage(error) });
        return;
      }
      setScreen(currentToken() ? { kind: 'console' } : { kind: 'login' });
    })();
  }, []);

  if (screen.kind === 'booting') return <p class="boot">{t('app.loading')}</p>;
  if (screen.kind === 'login') return <Login message={screen.message} onSignedIn={() => setScreen({ kind: 'console' })} />;
  return <SignedIn onLogout={() => (logout() ? undefined : setScreen({ kind: 'login', message: t('login.signedOut') }))} />;
}

function Login({ message, onSignedIn }: { message?: string; onSignedIn: () => void }) {
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const local = CONFIG.mode === 'local';
  useEffect(() => {
    document.title = `${t('login.title')} · Relance`;
  }, []);
  const signIn = async () => {
    setBusy(true);
    setError(undefined);
    try {
      if (local) {
        await developmentLogin();
        onSignedIn();
      } else {
        await beginHostedLogin();
      }
    } catch (e) {
      setError(loginMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login" id="main">
      <div class="card login-card">
        <h1>{t('app.name')}</h1>
        <p>{t('app.tagline')}</p>
        {message ? <Alert tone="info">{message}</Alert> : null}
        {error ? <Alert tone="error">{error}</Alert> : null}
        <Button kind="primary" busy={busy} onClick={signIn}>
          {local ? t('login.development') : t('login.signIn')}
        </Button>
        {local ? <p class="muted">{t('login.localOnly')}</p> : null}
      </div>
    </main>
  );
}

/** Reads the organisation's settings (its locale and time zone frame every page), then shows the console. */
function SignedIn({ onLogout }: { onLogout: () => void }) {
  const [settings, setSettings] = useState<{ value: OrgSettings | null; etag: string | null } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [uiLocale, setUiLocale] = useState<UiLocale | null>(chosenLocale());

  const refreshSettings = async () => {
    try {
      const answer = await getOrNull<OrgSettings>('/api/settings');
      setSettings({ value: answer?.data ?? null, etag: answer?.etag ?? null });
    } catch (e) {
      if (e instanceof ApiError) setError(e);
    }
  };
  useEffect(() => {
    void refreshSettings();
  }, []);

  const claims = useMemo(() => tokenClaims(), []);
  if (error !== undefined) return <ErrorAlert error={error} />;
  if (settings === undefined) return <p class="boot">{t('app.loading')}</p>;

  const effective: UiLocale = uiLocale ?? settings.value?.locale ?? (navigator.language.toLowerCase().startsWith('fr') ? 'fr-CA' : 'en');
  setFormats(effective, settings.value?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  const session: Session = {
    claims,
    owner: isOwner(claims),
    settings: settings.value,
    settingsEtag: settings.etag,
    refreshSettings,
    local: CONFIG.mode === 'local',
  };
  const switchLocale = (next: UiLocale) => {
    chooseLocale(next);
    setUiLocale(next);
  };
  // The key remounts everything in the new language.
  return (
    <SessionContext.Provider value={session} key={effective}>
      <Frame session={session} onLogout={onLogout} onLocale={switchLocale} />
    </SessionContext.Provider>
  );
}

const LANGUAGE_NAMES: Record<UiLocale, string> = { 'fr-CA': 'Français', en: 'English' };

function Frame({ session, onLogout, onLocale }: { session: Session; onLogout: () => void; onLocale: (l: UiLocale) => void }) {
  const where = useLocation();
  useEffect(() => {
    if (where.segments.length === 0) location.replace(HOME);
  }, [where.path]);
  const match = matchRoute(where.segments);
  const section = where.segments[0];
  const claims = session.claims;
  const role = session.owner ? t('user.roleOwner') : t('user.roleStaff');

  let content;
  if (!match) content = <NotFound />;
  else if (match.route.owner && !session.owner) content = <Forbidden />;
  else {
    const Page = match.route.page;
    content = <Page key={where.path} {...match.params} />;
  }

  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('nav.skip')}
      </a>
      <header class="topbar">
        <a class="brand" href={HOME}>
          Relance
        </a>
        <nav class="main-nav" aria-label={t('nav.label')}>
          {NAVIGATION.map(([name, label]) => (
            <a key={name} href={`#/${name}`} data-section={name} aria-current={section === name ? 'page' : undefined}>
              {t(label)}
            </a>
          ))}
        </nav>
        <div class="user">
          <span class="muted">{[claims.email, session.settings?.name ?? claims.orgId, role].filter(Boolean).join(' · ')}</span>
          <label class="language">
            <span class="visually-hidden">{t('user.language')}</span>
            <select value={locale()} onChange={(e) => onLocale((e.currentTarget as HTMLSelectElement).value as UiLocale)} data-testid="language">
              {UI_LOCALES.map((l) => (
                <option key={l} value={l} lang={l}>
                  {LANGUAGE_NAMES[l]}
                </option>
              ))}
            </select>
          </label>
          <Button kind="link" onClick={onLogout}>
            {t('user.logout')}
          </Button>
        </div>
      </header>
      <div class={session.local ? 'layout with-panel' : 'layout'}>
        <main id="main" tabIndex={-1}>
          <Flash key={where.path} />
          {content}
        </main>
        {session.local ? <LocalCloudPanel /> : null}
      </div>
    </>
  );
}

function NotFound() {
  return (
    <>
      <PageHeader title={t('page.notFound')} />
      <p class="muted">{t('page.notFoundText')}</p>
    </>
  );
}

function Forbidden() {
  return (
    <>
      <PageHeader title={t('page.error')} />
      <Alert tone="warn">{t('page.forbidden')}</Alert>
    </>
  );
}

