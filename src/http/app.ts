import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { checkMessage } from '../charter/check-message.ts';
import type { CheckMessage } from '../charter/templates.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS, type KizunaConfig } from '../config.ts';
import { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';
import type { Database } from '../db/connect.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { handleError } from './errors.ts';
import { transformOpenApiDocument } from './openapi.ts';
import { checkRequestText } from './request-text.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { charterRoutes } from './routes/charter.ts';
import { authRoutes } from './routes/auth.ts';
import { customerRoutes } from './routes/customers.ts';
import { emailRoutes } from './routes/email.ts';
import { importRoutes } from './routes/imports.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { subscriptionRoutes } from './routes/subscriptions.ts';
import { registerUnsubscribe } from './routes/unsubscribe.ts';
import { registerWhyPage } from './routes/why.ts';
import { journeyRoutes } from './routes/journey.ts';
import { governanceRoutes } from './routes/governance.ts';
import { scenarioRoutes } from './routes/scenarios.ts';
import { taskRoutes } from './routes/tasks.ts';
import { caughtMailRoutes } from './routes/caught-mail.ts';
import type { CaughtMailbox } from '../messaging/mail-catcher.ts';
import { senderSettingsGate } from '../messaging/sender-settings.ts';
import type { SenderSettingsMissing } from '../scenarios/scenarios.ts';
import { memberRoutes } from './routes/members.ts';
import { workspaceRoutes } from './routes/workspaces.ts';
import { loggingOptions, type AppLogger } from './request-log.ts';
import { registerSecurity } from './security.ts';

export interface AppDeps {
  database: Database;
  /**
   * The process's analytics engine, created once by the caller on database.pool (the server
   * shares it with its warm-up); buildApp creates one when not given. Closed when the app closes.
   */
  analytics: AnalyticsEngine;
  /** `requestTimeoutMs` absent: DEFAULT_REQUEST_TIMEOUT_MS; 0: no deadline. */
  config: Pick<KizunaConfig, 'secureCookies'> & Partial<Pick<KizunaConfig, 'requestTimeoutMs' | 'publicOrigin' | 'trustProxy'>>;
  /** The charter's checker (default: checkMessage of src/charter/check-message.ts). */
  checkMessage?: CheckMessage;
  /** The time (default: systemClock): the analyses' default dates, session expiry and sign-in throttling read it. */
  clock: Clock;
  /**
   * The instance secret that signs unsubscribe links (instanceSecret of src/shared/instance-secret.ts);
   * default: a random one for this app only (tests, tools), whose links die with it.
   */
  secret?: string;
  /** What the workspace's email sender settings lack (default: src/messaging's senderSettingsGate); advertising scenarios are not published while it names any. */
  senderSettingsMissing?: SenderSettingsMissing;
  /** The demo's mail catcher's messages (src/messaging/mail-catcher.ts): given, the caught-mail routes exist. */
  caughtMail?: CaughtMailbox | undefined;
}

/** What buildApp takes: the dependencies, where the analytics engine and the clock have defaults. */
export type AppOptions = Omit<AppDeps, 'analytics' | 'clock'> & Partial<Pick<AppDeps, 'analytics' | 'clock'>>;

export const API_PREFIX = '/api/v1';
export const webDistDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/**
 * The HTTP server: the public API under /api/v1 (documented at /api/v1/openapi.json and
 * /docs), and the console (web/dist) for every other path.
 */
export async function buildApp(given: AppOptions, options: { logger?: AppLogger } = {}): Promise<FastifyInstance> {
  const clock = given.clock ?? systemClock;
  const deps: AppDeps = {
    ...given,
    clock,
    analytics: given.analytics ?? new AnalyticsEngine(given.database.pool, { clock }),
    senderSettingsMissing: given.senderSettingsMissing ?? senderSettingsGate(given.database.db),
  };
  // The request deadline: a handler still running then is answered 503 (see errors.ts), so no
  // request waits forever on a stuck dependency; the statement timeout ends its database work.
  const requestTimeoutMs = deps.config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const serverOptions: FastifyServerOptions = {
    ...loggingOptions(options.logger),
    trustProxy: deps.config.trustProxy ?? false,
    bodyLimit: 8 * 1024 * 1024,
    ...(requestTimeoutMs > 0 ? { handlerTimeout: requestTimeoutMs } : {}),
  };
  const app = Fastify(serverOptions).withTypeProvider<ZodTypeProvider>();
  app.addHook('onClose', async () => deps.analytics.close());
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  checkRequestText(app);

  await app.register(fastifyCookie);
  await registerSecurity(app, deps);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Kizuna API',
        version: '1',
        description:
          'Kizuna (絆): a relationship-first CRM engine. Authenticate with an API key (`Authorization: Bearer kz_...`, one workspace, a role) or the console session cookie.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key created by an admin (npx kizuna apikey create)' },
          session: { type: 'apiKey', in: 'cookie', name: 'kizuna_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: transformOpenApiDocument,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await app.register(
    async (api) => {
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      await api.register(authRoutes(deps));
      await api.register(workspaceRoutes(deps));
      await api.register(memberRoutes(deps));
      await api.register(ingestRoutes(deps));
      await api.register(customerRoutes(deps));
      await api.register(importRoutes(deps));
      await api.register(subscriptionRoutes(deps));
      await api.register(journeyRoutes(deps));
      await api.register(scenarioRoutes(deps));
      await api.register(taskRoutes(deps));
      await api.register(governanceRoutes(deps));
      await api.register(analyticsRoutes(deps));
      await api.register(charterRoutes({ ...deps, checkMessage: deps.checkMessage ?? checkMessage }));
      await api.register(emailRoutes(deps));
      if (deps.caughtMail) await api.register(caughtMailRoutes({ ...deps, caughtMail: deps.caughtMail }));
    },
    { prefix: API_PREFIX },
  );
  // Links in mail: outside the API, no authentication (see routes/unsubscribe.ts).
  const secret = deps.secret ?? randomBytes(32).toString('hex');
  await registerUnsubscribe(app, { ...deps, secret });
  await registerWhyPage(app, { ...deps, secret });

  await registerConsole(app);
  return app;
}

/** Serves the built console; unknown non-API paths get index.html (client-side routes). */
async function registerConsole(app: FastifyInstance): Promise<void> {
  const hasConsole = existsSync(path.join(webDistDir, 'index.html'));
  if (hasConsole) await app.register(fastifyStatic, { root: webDistDir });
  app.setNotFoundHandler((request, reply) => {
    // A path with a file extension is an asset that does not exist (e.g. from a newer build):
    // answering it with index.html would hand the browser HTML as a script.
    const pathname = request.url.split('?')[0]!;
    // The public pages reached from mail (/u/…, /why/…) are not the console's: an unknown or
    // overlong token there is a plain 404, never the console's page.
    if (/^\/(api|u|why)\//.test(request.url) || request.method !== 'GET' || !hasConsole || /\.[a-z0-9]+$/i.test(pathname)) {
      return reply.status(404).send({ code: 'not_found', message: `No route ${request.method} ${pathname}` });
    }
    return reply.sendFile('index.html');
  });
}
