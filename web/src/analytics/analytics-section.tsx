import { Navigate, Route, Routes } from 'react-router';
import './analytics.css';
import { AnalyticsChurnPage } from '../pages/analytics-churn-page.tsx';
import { AnalyticsContinuationPage } from '../pages/analytics-continuation-page.tsx';
import { AnalyticsCustomerValuePage } from '../pages/analytics-customer-value-page.tsx';
import { AnalyticsDifferencePage } from '../pages/analytics-difference-page.tsx';
import { AnalyticsKpisPage } from '../pages/analytics-kpis-page.tsx';
import { AnalyticsRepeatPage } from '../pages/analytics-repeat-page.tsx';
import { AnalyticsRetentionPage } from '../pages/analytics-retention-page.tsx';
import { AnalyticsRfmPage } from '../pages/analytics-rfm-page.tsx';
import { AnalyticsSalesPage } from '../pages/analytics-sales-page.tsx';
import { AnalyticsStepUpPage } from '../pages/analytics-step-up-page.tsx';
import { AnalyticsSubscriptionsPage } from '../pages/analytics-subscriptions-page.tsx';
import { NotFoundPage } from '../pages/not-found-page.tsx';

/**
 * The analytics section, /w/:workspace/analytics/…: one chunk loaded on first visit
 * (app.tsx imports it lazily), so ECharts is paid for only here.
 */
export default function AnalyticsSection() {
  return (
    <Routes>
      <Route index element={<Navigate to="sales" replace />} />
      <Route path="sales" element={<AnalyticsSalesPage />} />
      <Route path="difference" element={<AnalyticsDifferencePage />} />
      <Route path="repeat" element={<AnalyticsRepeatPage />} />
      <Route path="churn" element={<AnalyticsChurnPage />} />
      <Route path="retention" element={<AnalyticsRetentionPage />} />
      <Route path="rfm" element={<AnalyticsRfmPage />} />
      <Route path="customer-value" element={<AnalyticsCustomerValuePage />} />
      <Route path="subscriptions" element={<AnalyticsSubscriptionsPage />} />
      <Route path="continuation" element={<AnalyticsContinuationPage />} />
      <Route path="step-up" element={<AnalyticsStepUpPage />} />
      <Route path="kpis" element={<AnalyticsKpisPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
