// The signed-in frame: header (tenant, user, role, language, sign out), navigation, and the page
// of the current route. Each page is its own file under pages/; the bigger ones load on demand.
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { LANGUAGES, useLang, useT, type Lang } from './i18n';
import { isPlatformAdmin } from './roles';
import { Link, useSegments } from './router';
import { useSession } from './session';
import { NotFound } from './components/not-found';
import { StacksPage } from './pages/stacks';

const StackPage = lazy(() => import('./pages/stack'));
const CreateStackPage = lazy(() => import('./pages/create-stack'));
const TemplatesPage = lazy(() => import('./pages/templates'));
const AuditPage = lazy(() => import('./pages/audit'));
const ClustersPage = lazy(() => import('./pages/clusters'));
const AdminPage = lazy(() => import('./pages/admin'));

type Section = 'stacks' | 'templates' | 'audit' | 'clusters' | 'admin';

/** The page for the path's segments (below /console), and the navigation entry it belongs to. */
function route(segments: string[], platformAdmin: boolean): { section: Section | null; page: ReactNode } {
  const [first = 'stacks', second, ...rest] = segments;
  switch (first) {
    case 'stacks':
      if (second === undefined) return { section: 'stacks', page: <StacksPage /> };
      if (second === 'new') return { section: 'stacks', page: <CreateStackPage path={rest} /> };
      return { section: 'stacks', page: <StackPage stackId={second} /> };
    case 'templates':
      return { section: 'templates', page: <TemplatesPage path={segments.slice(1)} /> };
    case 'audit':
      return { section: 'audit', page: <AuditPage path={segments.slice(1)} /> };
    case 'clusters':
      return { section: 'clusters', page: <ClustersPage path={segments.slice(1)} /> };
    case 'admin':
      if (platformAdmin) return { section: 'admin', page: <AdminPage path={segments.slice(1)} /> };
      return { section: null, page: <NotFound /> };
    default:
      return { section: null, page: <NotFound /> };
  }
}

function LanguageSwitch() {
  const { lang, setLang } = useLang();
  const t = useT();
  const names: Record<Lang, string> = { en: 'English', 'zh-CN': '简体中文' };
  return (
    <label className="lang-switch">
      <span className="visually-hidden">{t('header.language')}</span>
      <select value={lang} onChange={(event) => setLang(event.target.value as Lang)} aria-label={t('header.language')}>
        {LANGUAGES.map((code) => (
          <option key={code} value={code}>
            {names[code]}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Shell() {
  const { viewer, signOut } = useSession();
  const t = useT();
  const segments = useSegments();
  const admin = isPlatformAdmin(viewer);
  const { section, page } = route(segments, admin);
  const sections: Section[] = ['stacks', 'templates', 'audit', 'clusters', ...(admin ? (['admin'] as const) : [])];

  useEffect(() => {
    document.title = section ? `${t(`nav.${section}`)} · ${t('app.title')}` : t('app.title');
  }, [section, t]);

  return (
    <div className="shell">
      <header className="app-header">
        <Link to="/stacks" className="brand">
          {t('app.title')}
        </Link>
        <nav aria-label={t('nav.label')}>
          <ul>
            {sections.map((name) => (
              <li key={name}>
                <Link to={`/${name}`} aria-current={section === name ? 'page' : undefined}>
                  {t(`nav.${name}`)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <dl className="who" data-testid="who">
          <div>
            <dt>{t('header.tenant')}</dt>
            <dd data-testid="who-tenant">
              {viewer.tenant.name}
              {viewer.tenant.state === 'FROZEN' ? ` (${t('tenant.FROZEN')})` : ''}
            </dd>
          </div>
          <div>
            <dt>{t('header.user')}</dt>
            <dd data-testid="who-user">{viewer.name}</dd>
          </div>
          <div>
            <dt>{t('header.role')}</dt>
            <dd data-testid="who-role" data-role={viewer.role}>
              {viewer.platformAdmin ? t('role.platformAdmin') : t(`role.${viewer.role}`)}
            </dd>
          </div>
        </dl>
        <LanguageSwitch />
        <button type="button" className="secondary" onClick={signOut}>
          {t('header.signOut')}
        </button>
      </header>
      <main id="main">
        <Suspense fallback={<p role="status">{t('common.loading')}</p>}>{page}</Suspense>
      </main>
    </div>
  );
}
