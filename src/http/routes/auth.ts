import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../auth/permissions.ts';
import { deleteSession, SESSION_COOKIE, SESSION_TTL_MS } from '../../auth/sessions.ts';
import { dummyPasswordHash, signIn } from '../../auth/sign-in.ts';
import { assertNever, KizunaError } from '../../shared/errors.ts';
import { principalOf } from '../auth.ts';
import type { AppDeps } from '../app.ts';
import { ErrorBody } from '../errors.ts';

const Me = z
  .object({
    kind: z.enum(['user', 'api_key']),
    email: z.string().optional(),
    displayName: z.string().optional(),
    instanceAdmin: z.boolean().optional().describe('A console user who may create workspaces'),
    role: z.enum(ROLES).optional().describe("An API key's role; a user's role is per workspace (GET /workspaces)"),
    workspaceId: z.string().optional(),
  })
  .meta({ id: 'Me' });

export function authRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    // Made now, so not even the first sign-in with an unknown email takes longer than others.
    await dummyPasswordHash();
    app.post(
      '/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in to the console (sets an HttpOnly session cookie)',
          description:
            'After 5 failures for an account within 15 minutes (50 for a client address), sign-in is locked for 1 minute, doubling with each further failure (at most a day): 429 with Retry-After, even with the right password.',
          body: z.object({ email: z.string().min(1), password: z.string().min(1) }),
          response: { 200: Me, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
        },
      },
      async (request, reply) => {
        const result = await signIn({ db: deps.database.db, clock: app.clock }, { ...request.body, address: request.ip });
        switch (result.outcome) {
          case 'refused':
            throw new KizunaError('unauthorized', 'Wrong email or password.');
          case 'locked':
            reply.header('retry-after', String(result.retryAfterSeconds));
            throw new KizunaError('too_many_requests', `Too many failed sign-ins: try again in ${Math.ceil(result.retryAfterSeconds / 60)} minute(s).`, {
              retryAfterSeconds: result.retryAfterSeconds,
            });
          case 'signed_in':
            break;
          default:
            assertNever(result);
        }
        const { user, session } = result;
        reply.setCookie(SESSION_COOKIE, session.token, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: deps.config.secureCookies,
          maxAge: SESSION_TTL_MS / 1000,
        });
        return { kind: 'user' as const, email: user.email, displayName: user.displayName, instanceAdmin: user.instanceAdmin };
      },
    );

    app.post(
      '/auth/logout',
      {
        schema: { tags: ['auth'], summary: 'Sign out', response: { 204: z.null() } },
      },
      async (request, reply) => {
        const token = request.cookies[SESSION_COOKIE];
        if (token) await deleteSession(deps.database.db, token);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/auth/me',
      {
        schema: { tags: ['auth'], summary: 'Who is calling', response: { 200: Me, 401: ErrorBody } },
      },
      async (request) => {
        const principal = await principalOf(deps.database.db, request);
        return principal.kind === 'user'
          ? { kind: 'user' as const, email: principal.email, displayName: principal.displayName, instanceAdmin: principal.instanceAdmin }
          : { kind: 'api_key' as const, role: principal.role, workspaceId: principal.workspaceId };
      },
    );
  };
}
