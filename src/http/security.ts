import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../shared/clock.ts';
import { refuseCrossSiteRequest } from './csrf.ts';
import { registerRequestIds } from './request-log.ts';

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
 * The Content-Security-Policy of every answer (the console, /docs and the API). The console's
 * and Swagger UI's scripts are files of this origin, never inline; styles allow 'unsafe-inline'
 * because ECharts and Swagger UI write style attributes; charts and icons use data: and blob:
 * images; the console only talks to its own API. No page may frame Kizuna (clickjacking).
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // Kizuna is often served over plain HTTP on a LAN; upgrading requests would break it there.
  upgradeInsecureRequests: null,
};

/**
 * What every request goes through before a route: the app's clock, made available to
 * authentication (src/http/auth.ts reads `request.server.clock`); its id, sent back in the
 * `x-request-id` header (request-log.ts); the security headers
 * (helmet: the CSP above, X-Frame-Options DENY, nosniff, Referrer-Policy no-referrer, …); and
 * the cross-site request check (csrf.ts), run before the body is read. Register after
 * @fastify/cookie.
 */
export async function registerSecurity(app: FastifyInstance, deps: SecurityDeps): Promise<void> {
  app.decorate('clock', deps.clock ?? systemClock);
  registerRequestIds(app);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS only means something over HTTPS, which a proxy in front decides; leave it to it.
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', async (request) => {
    // The one-click unsubscribe route (routes/unsubscribe.ts) takes POSTs from any site by design.
    if (request.routeOptions.config?.crossSiteAllowed === true) return;
    refuseCrossSiteRequest(request, deps.config.publicOrigin);
  });
}
