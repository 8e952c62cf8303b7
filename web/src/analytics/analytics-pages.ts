import type { Messages } from '../i18n/ja.ts';

/** The analytics section's pages, in the order of the navigation: path under analytics/ and title key. */
export const ANALYTICS_PAGES = [
  { path: 'sales', key: 'sales' },
  { path: 'difference', key: 'difference' },
  { path: 'repeat', key: 'repeat' },
  { path: 'churn', key: 'churn' },
  { path: 'retention', key: 'retention' },
  { path: 'rfm', key: 'rfm' },
  { path: 'customer-value', key: 'customerValue' },
  { path: 'subscriptions', key: 'subscriptions' },
  { path: 'continuation', key: 'continuation' },
  { path: 'step-up', key: 'stepUp' },
  { path: 'kpis', key: 'kpis' },
] as const satisfies readonly { path: string; key: keyof Messages['analytics']['pages'] }[];

export type AnalyticsPageKey = (typeof ANALYTICS_PAGES)[number]['key'];
