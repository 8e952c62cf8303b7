import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../auth/permissions.ts';
import { createSession, deleteSession, SESSION_COOKIE, SESSION_TTL_MS } from '../../auth/sessions.ts';
import { authenticate } from '../../auth/sign-in.ts';
import { systemClock } from '../../shared/clock.ts';
import { KizunaError } from '../../shared/errors.ts';
import { principalOf } from '../auth.ts';
import type { AppDeps } from '../app.ts';
import { ErrorBody } from '../errors.ts';

const Me = z.object({
  kind: z.enum(['user', 'api_key']),
  email: z.string().optional(),
  displayName: z.string().optional(),
  instanceAdmin: z.boolean().optional().describe('A console user who may create workspaces'),
  role: z.enum(ROLES).optional().describe("An API key's role; a user's role is per workspace (GET /workspaces)"),
  workspaceId: z.string().optional(),
}).meta({ id: 'Me' });

export function authRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/auth/login', {
      schema: {
        tags: ['auth'], summary: 'Sign in to the console (sets an HttpOnly session cookie)',
        body: z.object({ email: z.string().min(1), password: z.string().min(1) }),
        response: { 200: Me, 401: ErrorBody },
      },
    }, async (request, reply) => {
      const user = await authenticate(deps.database.db, request.body.email, request.body.password);
      if (!user) throw new KizunaError('unauthorized', 'Wrong email or password.');
      const session = await createSession(deps.database.db, deps.clock ?? systemClock, user.id);
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/', httpOnly: true, sameSite: 'lax', secure: deps.config.secureCookies, maxAge: SESSION_TTL_MS / 1000,
      });
      return { kind: 'user' as const, email: user.email, displayName: user.displayName, instanceAdmin: user.instanceAdmin };
    });

    app.post('/auth/logout', {
      schema: { tags: ['auth'], summary: 'Sign out', response: { 204: z.null() } },
    }, async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await deleteSession(deps.database.db, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    });

    app.get('/auth/me', {
      schema: { tags: ['auth'], summary: 'Who is calling', response: { 200: Me, 401: ErrorBody } },
    }, async (request) => {
      const principal = await principalOf(deps.database.db, request);
      return principal.kind === 'user'
        ? { kind: 'user' as const, email: principal.email, displayName: principal.displayName, instanceAdmin: principal.instanceAdmin }
        : { kind: 'api_key' as const, role: principal.role, workspaceId: principal.workspaceId };
    });
  };
}
