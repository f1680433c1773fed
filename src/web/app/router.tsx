import { Navigate, Outlet, type RouteObject, createBrowserRouter } from 'react-router';
import { Loading } from '../components/query-state.js';
import { LoginPage } from '../features/auth/login.page.js';
import { HomePage } from '../features/home/home.page.js';
import { AppLayout } from './app-layout.js';
import { RequireAuth, RequireFeature } from './require-auth.js';
import { NotFoundPage, RouteErrorPage } from './status.pages.js';

/**
 * Routes. Pages below the home page are loaded on first visit (one chunk per feature), so the sign-in page and
 * the home page start fast on a township's slow line.
 */
export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage />, errorElement: <RouteErrorPage /> },
  {
    path: '/',
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    errorElement: <RouteErrorPage />,
    hydrateFallbackElement: <Loading height={400} />,
    children: [
      { index: true, element: <HomePage /> },
      {
        path: 'patients',
        element: <RequireFeature feature="patients"><Outlet /></RequireFeature>,
        children: [
          { index: true, lazy: async () => ({ Component: (await import('../features/patients/patient-list.page.js')).PatientListPage }) },
          {
            path: 'new',
            lazy: async () => ({ Component: (await import('../features/patients/patient-register.page.js')).PatientRegisterPage }),
          },
          { path: ':id', lazy: async () => ({ Component: (await import('../features/patients/patient-detail.page.js')).PatientDetailPage }) },
          { path: ':id/edit', lazy: async () => ({ Component: (await import('../features/patients/patient-edit.page.js')).PatientEditPage }) },
        ],
      },
      {
        path: 'referrals',
        element: <RequireFeature feature="referrals"><Outlet /></RequireFeature>,
        children: [
          { index: true, lazy: async () => ({ Component: (await import('../features/referral/referral-list.page.js')).ReferralListPage }) },
          { path: 'new', lazy: async () => ({ Component: (await import('../features/referral/referral-create.page.js')).ReferralCreatePage }) },
          { path: ':id', lazy: async () => ({ Component: (await import('../features/referral/referral-detail.page.js')).ReferralDetailPage }) },
          { path: ':id/down', lazy: async () => ({ Component: (await import('../features/referral/referral-down.page.js')).ReferralDownPage }) },
        ],
      },
      {
        path: 'care-tasks',
        lazy: async () => {
          const { CareTasksPage } = await import('../features/referral/care-tasks.page.js');
          return { element: <RequireFeature feature="careTasks"><CareTasksPage /></RequireFeature> };
        },
      },
      {
        path: 'network',
        children: [
          { index: true, element: <Navigate to="/network/organizations" replace /> },
          {
            path: 'organizations',
            lazy: async () => ({ Component: (await import('../features/network/organization-list.page.js')).OrganizationListPage }),
          },
          {
            path: 'organizations/:id',
            lazy: async () => ({ Component: (await import('../features/network/organization-detail.page.js')).OrganizationDetailPage }),
          },
          {
            path: 'divisions',
            lazy: async () => ({ Component: (await import('../features/network/division-browser.page.js')).DivisionBrowserPage }),
          },
          {
            path: 'alliances',
            lazy: async () => ({ Component: (await import('../features/network/alliance-browser.page.js')).AllianceBrowserPage }),
          },
        ],
      },
      {
        path: 'indicators',
        lazy: async () => {
          const { IndicatorDashboardPage } = await import('../features/indicators/indicator-dashboard.page.js');
          return { element: <RequireFeature feature="indicators"><IndicatorDashboardPage /></RequireFeature> };
        },
      },
      // ---- shared diagnosis centers (远程诊断): requests, worklist, reading, critical values
      {
        path: 'diagnosis',
        // No guard on the group: requesters, readers and center admins use different pages; each page shows the server's 403.
        children: [
          { index: true, element: <Navigate to="/diagnosis/requests" replace /> },
          { path: 'requests', lazy: async () => ({ Component: (await import('../features/diagnosis/diagnosis-sent.page.js')).DiagnosisSentPage }) },
          { path: 'new', lazy: async () => ({ Component: (await import('../features/diagnosis/diagnosis-create.page.js')).DiagnosisCreatePage }) },
          { path: 'requests/:id', lazy: async () => ({ Component: (await import('../features/diagnosis/diagnosis-detail.page.js')).DiagnosisDetailPage }) },
          { path: 'worklist', lazy: async () => ({ Component: (await import('../features/diagnosis/diagnosis-worklist.page.js')).DiagnosisWorklistPage }) },
          { path: 'critical-values', lazy: async () => ({ Component: (await import('../features/diagnosis/critical-values.page.js')).CriticalValuesPage }) },
          {
            path: 'admin',
            lazy: async () => {
              const { CenterAdminPage } = await import('../features/diagnosis/center-admin.page.js');
              return { element: <RequireFeature feature="diagnosisAdmin"><CenterAdminPage /></RequireFeature> };
            },
          },
        ],
      },
      // Outside the 'diagnosis' group: the statistics are also for alliance admins and the commission, who do not request or read.
      {
        path: 'diagnosis/statistics',
        lazy: async () => {
          const { TurnaroundStatisticsPage } = await import('../features/diagnosis/statistics/turnaround-statistics.page.js');
          return { element: <RequireFeature feature="diagnosisStatistics"><TurnaroundStatisticsPage /></RequireFeature> };
        },
      },
      // ---- teleconsultation (远程会诊): list, request with consent, detail
      {
        path: 'consultations',
        element: <RequireFeature feature="consultation"><Outlet /></RequireFeature>,
        children: [
          { index: true, lazy: async () => ({ Component: (await import('../features/diagnosis/consultation/consultation-list.page.js')).ConsultationListPage }) },
          { path: 'new', lazy: async () => ({ Component: (await import('../features/diagnosis/consultation/consultation-create.page.js')).ConsultationCreatePage }) },
          { path: ':id', lazy: async () => ({ Component: (await import('../features/diagnosis/consultation/consultation-detail.page.js')).ConsultationDetailPage }) },
        ],
      },
      {
        path: 'admin/users',
        lazy: async () => {
          const { UserListPage } = await import('../features/admin/user-list.page.js');
          return { element: <RequireFeature feature="accounts"><UserListPage /></RequireFeature> };
        },
      },
      {
        path: 'audit',
        lazy: async () => {
          const { AuditLogPage } = await import('../features/audit/audit-log.page.js');
          return { element: <RequireFeature feature="audit"><AuditLogPage /></RequireFeature> };
        },
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);
