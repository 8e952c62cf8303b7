import { lazy, Suspense } from 'react';
import { BrowserRouter, Outlet, Route, Routes } from 'react-router';
import { Layout } from './components/layout.tsx';
import { Loading } from './components/status.tsx';
import { I18nProvider } from './i18n/i18n.tsx';
import { Customer360Page } from './pages/customer-360-page.tsx';
import { CustomersPage } from './pages/customers-page.tsx';
import { ImportPage } from './pages/import-page.tsx';
import { ApiKeysPage } from './pages/api-keys-page.tsx';
import { MembersPage } from './pages/members-page.tsx';
import { HomePage } from './pages/home-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { TasksPage } from './pages/tasks-page.tsx';
import { CaughtMailPage } from './pages/caught-mail-page.tsx';
import { CaughtMessagePage } from './pages/caught-message-page.tsx';
import { RequireSession, SessionProvider } from './session/session.tsx';
import { DefaultWorkspaceRedirect, WorkspacesProvider } from './workspaces/workspaces.tsx';

// Analytics (and ECharts with it) is a chunk of its own: the customer pages never load it.
const AnalyticsSection = lazy(() => import('./analytics/analytics-section.tsx'));
const CharterSection = lazy(() => import('./charter/charter-section.tsx'));
const JourneySection = lazy(() => import('./journey/journey-section.tsx'));
const ScenariosSection = lazy(() => import('./scenarios/scenarios-section.tsx'));
const ContactRulesPage = lazy(() => import('./governance/contact-rules-page.tsx'));

/** The console's pages. Every page of a workspace lives under /w/:workspace, so links can be shared. */
export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <BrowserRouter>
          <Routes>
            <Route path="/sign-in" element={<SignInPage />} />
            <Route
              element={
                <RequireSession>
                  <WorkspacesProvider>
                    <Outlet />
                  </WorkspacesProvider>
                </RequireSession>
              }
            >
              <Route index element={<DefaultWorkspaceRedirect />} />
              <Route path="w/:workspace" element={<Layout />}>
                <Route index element={<HomePage />} />
                <Route path="customers" element={<CustomersPage />} />
                <Route path="customers/:customerId" element={<Customer360Page />} />
                <Route path="tasks" element={<TasksPage />} />
                <Route
                  path="contact-rules"
                  element={
                    <Suspense fallback={<Loading />}>
                      <ContactRulesPage />
                    </Suspense>
                  }
                />
                <Route path="caught-mail" element={<CaughtMailPage />} />
                <Route path="caught-mail/:messageId" element={<CaughtMessagePage />} />
                <Route path="import" element={<ImportPage />} />
                <Route path="members" element={<MembersPage />} />
                <Route path="api-keys" element={<ApiKeysPage />} />
                <Route
                  path="analytics/*"
                  element={
                    <Suspense fallback={<Loading />}>
                      <AnalyticsSection />
                    </Suspense>
                  }
                />
                <Route
                  path="charter/*"
                  element={
                    <Suspense fallback={<Loading />}>
                      <CharterSection />
                    </Suspense>
                  }
                />
                <Route
                  path="journey/*"
                  element={
                    <Suspense fallback={<Loading />}>
                      <JourneySection />
                    </Suspense>
                  }
                />
                <Route
                  path="scenarios/*"
                  element={
                    <Suspense fallback={<Loading />}>
                      <ScenariosSection />
                    </Suspense>
                  }
                />
                <Route path="*" element={<NotFoundPage />} />
              </Route>
              {/* Any other address: 404 in the frame (a visitor signs in first, like on every page). */}
              <Route
                path="*"
                element={
                  <Layout>
                    <NotFoundPage />
                  </Layout>
                }
              />
            </Route>
          </Routes>
        </BrowserRouter>
      </SessionProvider>
    </I18nProvider>
  );
}
