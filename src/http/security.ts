import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../shared/clock.ts';
import { refuseCrossSiteRequest } from './csrf.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The clock sessions expire by and sign-in throttling counts with (AppDeps.clock). */
    clock: Clock;
  }
}

export interface SecurityDeps {
  clock?: Clock;
  config: { publicOrigin?: string | undefined };
}

/**
 * What every request goes through before a route: the app's clock, made available to
 * authentication (src/http/auth.ts reads `request.server.clock`), and the cross-site request
 * check (csrf.ts), run before the body is read. Register after @fastify/cookie.
 */
export function registerSecurity(app: FastifyInstance, deps: SecurityDeps): void {
  app.decorate('clock', deps.clock ?? systemClock);
  app.addHook('onRequest', async (request) => {
    refuseCrossSiteRequest(request, deps.config.publicOrigin);
  });
}
