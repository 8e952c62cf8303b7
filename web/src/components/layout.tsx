import { useEffect, useState, type ReactNode } from 'react';
import { ANALYTICS_PAGES } from '../analytics/analytics-pages.ts';
import { CHARTER_PAGES } from '../charter/charter-pages.ts';
import { JOURNEY_PAGES } from '../journey/journey-pages.ts';
import { NavLink, Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { useI18n } from '../i18n/i18n.tsx';
import { canManage, canWrite, useMe, useSession } from '../session/session.tsx';
import { useCaughtMailAvailable } from '../mail/use-caught-mail.ts';
import { Brand } from './brand.tsx';
import { LanguageSwitch } from './language-switch.tsx';
import { CurrentWorkspaceProvider, defaultWorkspaceName, rememberWorkspace, useWorkspaces } from '../workspaces/workspaces.tsx';

/**
 * The frame of every signed-in page: navigation, workspace, language, user. Outside a
 * workspace's pages (an unknown address) it frames `children` with the navigation of the
 * workspace last used, so a 404 still offers the way back.
 */
export function Layout({ children }: { children?: ReactNode } = {}) {
  const { t } = useI18n();
  const location = useLocation();
  const { workspace: param } = useParams();
  const workspaces = useWorkspaces();
  const name = param ?? defaultWorkspaceName(workspaces) ?? '';
  const workspace = workspaces.find((w) => w.name === name);
  useEffect(() => {
    if (workspace && param !== undefined) rememberWorkspace(workspace.name);
  }, [workspace, param]);
  // On a phone the navigation folds behind a menu button; opening a page folds it again.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [location.pathname]);
  const base = `/w/${encodeURIComponent(name)}`;
  const caughtMail = useCaughtMailAvailable(workspace ? name : '');
  return (
    <div className="shell">
      <aside className={menuOpen ? 'sidebar is-open' : 'sidebar'}>
        <div className="sidebar-inner">
          <Brand />
          <button type="button" className="menu-button" aria-expanded={menuOpen} aria-controls="main-navigation" onClick={() => setMenuOpen((open) => !open)}>
            <span aria-hidden="true">{menuOpen ? '✕' : '☰'}</span> {menuOpen ? t.frame.closeMenu : t.frame.menu}
          </button>
          <nav id="main-navigation" aria-label={t.nav.label}>
            <ul className="nav-list">
              <li>
                <NavLink end to={base}>
                  {t.nav.home}
                </NavLink>
              </li>
              <li>
                <NavLink to={`${base}/customers`}>{t.nav.customers}</NavLink>
              </li>
              <li>
                <NavLink to={`${base}/tasks`}>{t.tasks.nav}</NavLink>
              </li>
              <li>
                <NavLink to={`${base}/contact-rules`}>{t.governance.nav}</NavLink>
              </li>
              {caughtMail && (
                <li>
                  <NavLink to={`${base}/caught-mail`}>{t.caughtMail.nav}</NavLink>
                </li>
              )}
              <li>
                <NavLink to={`${base}/analytics`}>{t.nav.analytics}</NavLink>
                <ul className="nav-sub" aria-label={t.analytics.sectionNav}>
                  {ANALYTICS_PAGES.map((p) => (
                    <li key={p.path}>
                      <NavLink to={`${base}/analytics/${p.path}`}>{t.analytics.pages[p.key]}</NavLink>
                    </li>
                  ))}
                </ul>
              </li>
              <li>
                <NavLink to={`${base}/charter`}>{t.charter.section}</NavLink>
                <ul className="nav-sub" aria-label={t.charter.sectionNav}>
                  {CHARTER_PAGES.map((p) => (
                    <li key={p.path}>
                      <NavLink to={`${base}/charter/${p.path}`}>{p.key === 'editor' ? t.frame.charterEditorNav : t.charter.pages[p.key]}</NavLink>
                    </li>
                  ))}
                </ul>
              </li>
              <li>
                <NavLink to={`${base}/journey`}>{t.journey.section}</NavLink>
                <ul className="nav-sub" aria-label={t.journey.sectionNav}>
                  {JOURNEY_PAGES.map((p) => (
                    <li key={p.path}>
                      <NavLink to={`${base}/journey/${p.path}`}>{t.journey.pages[p.key]}</NavLink>
                    </li>
                  ))}
                </ul>
              </li>
              <li>
                <NavLink to={`${base}/scenarios`}>{t.scenarios.section}</NavLink>
              </li>
              {workspace && canWrite(workspace.role) && (
                <li>
                  <NavLink to={`${base}/import`}>{t.nav.import}</NavLink>
                </li>
              )}
              {workspace && canManage(workspace.role) && (
                <li>
                  <NavLink to={`${base}/members`}>{t.access.nav.members}</NavLink>
                </li>
              )}
              {workspace && canManage(workspace.role) && (
                <li>
                  <NavLink to={`${base}/api-keys`}>{t.access.nav.apiKeys}</NavLink>
                </li>
              )}
              <li>
                <a href="/docs" target="_blank" rel="noreferrer">
                  {t.nav.apiDocs} ↗
                </a>
              </li>
            </ul>
          </nav>
        </div>
      </aside>
      <div className="main-column">
        <header className="topbar">
          <WorkspaceSelector current={name} />
          <div className="topbar-end">
            <LanguageSwitch />
            <UserMenu />
          </div>
        </header>
        <main className="content">
          {children ??
            (workspace ? (
              <CurrentWorkspaceProvider workspace={workspace}>
                <Outlet />
              </CurrentWorkspaceProvider>
            ) : (
              <div className="alert alert-error" role="alert">
                {t.app.noWorkspace(name)}
              </div>
            ))}
        </main>
      </div>
    </div>
  );
}

function WorkspaceSelector({ current }: { current: string }) {
  const { t } = useI18n();
  const workspaces = useWorkspaces();
  const navigate = useNavigate();
  const location = useLocation();
  // Stay in the same section (and analytics or charter page); a customer or template's page belongs to one workspace, so go to the list.
  const section = /^\/w\/[^/]+\/((?:analytics|charter|journey)\/[^/]+|[^/]+)/.exec(location.pathname)?.[1];
  return (
    <label className="field-inline">
      <span>{t.nav.workspace}</span>
      <select value={current} onChange={(event) => navigate(`/w/${encodeURIComponent(event.target.value)}${section ? `/${section}` : ''}`)}>
        {workspaces.map((w) => (
          <option key={w.id} value={w.name}>
            {w.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function UserMenu() {
  const { t } = useI18n();
  const me = useMe();
  const { signOut } = useSession();
  const who = me.displayName ?? me.email ?? '';
  return (
    <div className="user-menu">
      <span className="user-name" title={me.email}>
        {t.nav.signedInAs(who)}
      </span>
      <button type="button" className="button button-quiet" onClick={() => void signOut()}>
        {t.nav.signOut}
      </button>
    </div>
  );
}
