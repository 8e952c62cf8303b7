import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../shared/clock.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The clock sessions expire by and sign-in throttling counts with (AppDeps.clock). */
    clock: Clock;
  }
}

/**
 * What every request goes through before a route: the app's clock, made available to
 * authentication (src/http/auth.ts reads `request.server.clock`).
 */
export function registerSecurity(app: FastifyInstance, deps: { clock?: Clock }): void {
  app.decorate('clock', deps.clock ?? systemClock);
}
