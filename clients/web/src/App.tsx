import { lazy } from 'react';
import { MutationCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ApiError } from './api/client';
import { SessionProvider } from './auth/session';
import { Layout } from './components/Layout';
import { SignIn } from './pages/SignIn';

// Each area is its own chunk: the first load carries only the frame, sign-in and what Home needs.
const Home = lazy(() => import('./pages/Home'));
const Stakeholders = lazy(() => import('./pages/stakeholders/StakeholderList'));
const StakeholderForm = lazy(() => import('./pages/stakeholders/StakeholderForm'));
const StakeholderPage = lazy(() => import('./pages/stakeholders/StakeholderPage'));
const ImportWizard = lazy(() => import('./pages/stakeholders/ImportWizard'));
const Organisations = lazy(() => import('./pages/Organisations'));
const OrganisationPage = lazy(() => import('./pages/OrganisationPage'));
const Plans = lazy(() => import('./pages/Plans'));
const PlanPage = lazy(() => import('./pages/PlanPage'));
const GridPage = lazy(() => import('./pages/GridPage'));
const Activities = lazy(() => import('./pages/Activities'));
const ActivityPage = lazy(() => import('./pages/ActivityPage'));
const FeedbackInbox = lazy(() => import('./pages/FeedbackInbox'));
const FeedbackPage = lazy(() => import('./pages/FeedbackPage'));
const YouSaidWeDid = lazy(() => import('./pages/YouSaidWeDid'));
const Admin = lazy(() => import('./pages/Admin'));
const Duty = lazy(() => import('./pages/Duty'));
const NotFound = lazy(() => import('./pages/NotFound'));

export const routes = [
  { path: '/sign-in', element: <SignIn /> },
  {
    element: <Layout />,
    children: [
      { index: true, element: <Home /> },
      { path: 'stakeholders', element: <Stakeholders /> },
      { path: 'stakeholders/new', element: <StakeholderForm /> },
      { path: 'stakeholders/import', element: <ImportWizard /> },
      { path: 'stakeholders/:id', element: <StakeholderPage /> },
      { path: 'stakeholders/:id/edit', element: <StakeholderForm /> },
      { path: 'organisations', element: <Organisations /> },
      { path: 'organisations/:id', element: <OrganisationPage /> },
      { path: 'plans', element: <Plans /> },
      { path: 'plans/:id', element: <PlanPage /> },
      { path: 'plans/:id/grid', element: <GridPage /> },
      { path: 'plans/:id/you-said-we-did', element: <YouSaidWeDid /> },
      { path: 'grid', element: <GridPage /> },
      { path: 'activities', element: <Activities /> },
      { path: 'activities/:id', element: <ActivityPage /> },
      { path: 'feedback', element: <FeedbackInbox /> },
      { path: 'feedback/:id', element: <FeedbackPage /> },
      // Duty to involve: `/duty` lists plans; a plan's record (applicability, consultations, scrutiny,
      // evidence, duty report, evidence pack) is at plans/:id/duty.
      { path: 'plans/:id/duty', element: <Duty /> },
      { path: 'duty/*', element: <Duty /> },
      { path: 'admin/*', element: <Admin /> },
      { path: '*', element: <NotFound /> },
    ],
  },
];

const router = createBrowserRouter(routes);

export const queryClient: QueryClient = new QueryClient({
  mutationCache: new MutationCache({
    // A 412 means what was read is out of date: refetch everything, or the record opened again would come
    // from the cache (fresh for 30 s) with the old version and be refused again.
    onError: (error) => {
      if (error instanceof ApiError && error.status === 412) void queryClient.invalidateQueries();
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // A 4xx will not get better by asking again.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <RouterProvider router={router} />
      </SessionProvider>
    </QueryClientProvider>
  );
}
