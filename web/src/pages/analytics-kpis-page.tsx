import { AnalyticsHeader } from '../analytics/page-frame.tsx';
import { useI18n } from '../i18n/i18n.tsx';

export function AnalyticsKpisPage() {
  const { t } = useI18n();
  const a = t.analytics;
  return <AnalyticsHeader title={a.pages.kpis} lead={a.leads.kpis} topics={['kpi']} />;
}
