/** The dashboard's entry point: session, theme, layout and the route table. */
import { render, type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, get, setCsrfToken, setUnauthorizedHandler, type Me } from './api';
import { ErrorBox, Loading } from './components/ui';
import { match, navigate, startRouter, useLocation } from './router';
import { SessionContext } from './session';
import { AcceptancePage, AcceptancesPage } from './pages/acceptances';
import { AuditPage, TokensPage, UsersPage } from './pages/admin';
import { FindingPage, FindingsPage } from './pages/findings';
import { ImagePage } from './pages/image';
import { ImagesPage } from './pages/images';
import { LoginPage } from './pages/login';
import { OverviewPage } from './pages/overview';
import { ProjectPage, ProjectsPage } from './pages/projects';
import { VulnerabilityPage } from './pages/vulnerability';
import { WebhooksPage } from './pages/webhooks';
import './styles.css';

type Theme = 'light' | 'dark';

function initialTheme(): Theme {
  const saved = localStorage.getItem('bulwark-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

interface RouteEntry {
  readonly pattern: string;
  readonly page: (p: Record<string, string>) => ComponentChildren;
}

const ROUTES: readonly RouteEntry[] = [
  { pattern: '/', page: () => <OverviewPage /> },
  { pattern: '/images', page: () => <ImagesPage /> },
  { pattern: '/projects', page: () => <ProjectsPage /> },
  { pattern: '/projects/:project', page: (p) => <ProjectPage project={p.project!} /> },
  {
    pattern: '/projects/:project/images/:image',
    page: (p) => <ImagePage project={p.project!} image={p.image!} />,
  },
  { pattern: '/projects/:project/findings', page: (p) => <FindingsPage project={p.project!} /> },
  { pattern: '/projects/:project/webhooks', page: (p) => <WebhooksPage project={p.project!} /> },
  {
    pattern: '/projects/:project/findings/:finding',
    page: (p) => <FindingPage project={p.project!} finding={p.finding!} />,
  },
  { pattern: '/vulnerabilities/:id', page: (p) => <VulnerabilityPage id={p.id!} /> },
  { pattern: '/acceptances', page: () => <AcceptancesPage /> },
  { pattern: '/acceptances/:id', page: (p) => <AcceptancePage id={p.id!} /> },
  { pattern: '/tokens', page: () => <TokensPage /> },
  { pattern: '/admin/audit', page: () => <AuditPage /> },
  { pattern: '/admin/users', page: () => <UsersPage /> },
];

function Nav({ me, path }: { me: Me; path: string }) {
  const links: [string, string][] = [
    ['/', 'Overview'],
    ['/images', 'Images'],
    ['/projects', 'Projects'],
    ['/acceptances', 'Risk acceptances'],
    ['/tokens', 'API tokens'],
  ];
  if (me.role === 'admin') links.push(['/admin/audit', 'Audit log'], ['/admin/users', 'Users']);
  const active = (h: string): boolean => (h === '/' ? path === '/' : path === h || path.startsWith(`${h}/`));
  return (
    <nav class="main-nav" aria-label="Main">
      <ul>
        {links.map(([h, label]) => (
          <li key={h}>
            <a href={h} aria-current={active(h) ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function App() {
  const loc = useLocation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<string>();
  const [theme, setTheme] = useState<Theme>(initialTheme);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const loadMe = (): void => {
    get<Me>('/me').then(
      (m) => {
        setCsrfToken(m.csrfToken);
        setMe(m);
      },
      (err: { status?: number; message?: string }) => {
        if (err.status === 401) setMe(null);
        else setError(err.message ?? String(err));
      },
    );
  };
  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    loadMe();
  }, []);

  // After a client-side navigation, move focus to the new page's heading so screen readers and keyboard
  // users follow; the first page load keeps the browser's own focus order (the skip link first).
  const firstPath = useRef(loc.path);
  useEffect(() => {
    if (loc.path === firstPath.current) return;
    firstPath.current = '';
    document.getElementById('page-title')?.focus({ preventScroll: true });
  }, [loc.path]);

  const toggleTheme = (): void => {
    const next = theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem('bulwark-theme', next);
    setTheme(next);
  };

  if (error)
    return (
      <main id="main" class="narrow">
        <ErrorBox message={error} />
      </main>
    );
  if (me === undefined) return <Loading what="Starting" />;
  if (me === null || loc.path === '/login') {
    if (me && loc.path === '/login') {
      navigate('/', true);
      return null;
    }
    return (
      <LoginPage
        onSignedIn={(m) => {
          setCsrfToken(m.csrfToken);
          setMe(m);
          if (loc.path === '/login') navigate(loc.query.get('next') ?? '/', true);
        }}
      />
    );
  }

  const signOut = async (): Promise<void> => {
    await api('POST', '/auth/logout', {}).catch(() => undefined);
    setCsrfToken(undefined);
    setMe(null);
    navigate('/login');
  };

  let page: ComponentChildren = null;
  for (const r of ROUTES) {
    const params = match(r.pattern, loc.path);
    if (params) {
      page = r.page(params);
      break;
    }
  }
  if (page === null)
    page = (
      <>
        <h1 tabIndex={-1} id="page-title">
          Page not found
        </h1>
        <p>
          Nothing lives at <code>{loc.path}</code>. <a href="/">Go to the overview</a>.
        </p>
      </>
    );

  return (
    <SessionContext.Provider value={me}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/" aria-label="Bulwark overview">
          <img src="/favicon.svg" alt="" width={22} height={22} /> Bulwark
        </a>
        <Nav me={me} path={loc.path} />
        <div class="user">
          <button type="button" class="ghost" onClick={toggleTheme} aria-pressed={theme === 'dark'}>
            {theme === 'dark' ? 'Light theme' : 'Dark theme'}
          </button>
          <span class="who">
            {me.username} <span class="muted">({me.role})</span>
          </span>
          <button type="button" class="ghost" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </SessionContext.Provider>
  );
}

startRouter();
document.documentElement.dataset.theme = initialTheme();
render(<App />, document.getElementById('app')!);
