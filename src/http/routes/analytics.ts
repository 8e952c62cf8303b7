import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../app.ts';
import { customerBaseAnalyticsRoutes } from './analytics/customer-base.ts';
import { customerValueRoutes } from './analytics/customer-value.ts';
import { kpiRoutes } from './analytics/kpis.ts';
import { salesAnalyticsRoutes } from './analytics/sales.ts';
import { subscriptionAnalyticsRoutes } from './analytics/subscriptions.ts';

/**
 * The analyses of src/analytics under /workspaces/{workspace}/analytics/…: reading needs
 * 'read'; running the customer value models, changing the settings and the KPIs need 'write'.
 */
export function analyticsRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(salesAnalyticsRoutes(deps));
    await app.register(customerBaseAnalyticsRoutes(deps));
    await app.register(customerValueRoutes(deps));
    await app.register(subscriptionAnalyticsRoutes(deps));
    await app.register(kpiRoutes(deps));
  };
}
