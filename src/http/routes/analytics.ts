import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DataCoverage, dataCoverage } from '../../analytics/coverage.ts';
import type { AppDeps } from '../app.ts';
import { authorizeWorkspace } from '../auth.ts';
import { ErrorBody } from '../errors.ts';
import { WorkspaceParams } from './workspaces.ts';
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
  const { db, pool } = deps.database;
  return async (app) => {
    app.get(
      '/workspaces/:workspace/analytics/coverage',
      {
        schema: {
          tags: ['analytics'],
          summary: "What the data covers: today (every analysis's default asOf) and the first and last order days",
          params: WorkspaceParams,
          response: { 200: DataCoverage, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return dataCoverage({ pool, workspace, clock: deps.clock });
      },
    );
    await app.register(salesAnalyticsRoutes(deps));
    await app.register(customerBaseAnalyticsRoutes(deps));
    await app.register(customerValueRoutes(deps));
    await app.register(subscriptionAnalyticsRoutes(deps));
    await app.register(kpiRoutes(deps));
  };
}
