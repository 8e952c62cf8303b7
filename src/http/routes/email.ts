import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readSenderSettings, SenderSettingsInput, SenderSettingsView, viewOf, writeSenderSettings } from '../../messaging/sender-settings.ts';
import { listSuppressions, Suppression, SuppressionReport, suppressAddresses } from '../../messaging/suppressions.ts';
import { KizunaError } from '../../shared/errors.ts';
import { authorizeWorkspace } from '../auth.ts';
import type { AppDeps } from '../app.ts';
import { ErrorBody } from '../errors.ts';
import { WorkspaceParams } from './workspaces.ts';

const SuppressionPage = z.object({
  items: z.array(Suppression),
  next: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

/** The email channel's workspace settings (sender identity, DKIM) and suppressed addresses. */
export function emailRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db, pool } = deps.database;
  return async (app) => {
    app.get(
      '/workspaces/:workspace/settings/email',
      {
        schema: {
          tags: ['email'],
          summary: "The workspace's email sender settings",
          description:
            'The sender identity every advertising mail shows (特定電子メール法: name, postal address, an enquiry contact), the From and Reply-To addresses, and the DKIM domain and selector. The DKIM private key is never returned, only that one is set. `missing` lists what advertising mail still needs.',
          params: WorkspaceParams,
          response: { 200: SenderSettingsView, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return viewOf(await readSenderSettings(db, workspace.id));
      },
    );

    app.put(
      '/workspaces/:workspace/settings/email',
      {
        schema: {
          tags: ['email'],
          summary: "Replace the workspace's email sender settings (admin)",
          description:
            'Every field is replaced (absent or empty: cleared). `dkim.privateKey` (PEM, RSA or Ed25519) may be left out to keep the key already set; `dkim: null` removes the key.',
          params: WorkspaceParams,
          body: SenderSettingsInput,
          response: { 200: SenderSettingsView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'manage');
        return viewOf(await writeSenderSettings(db, { workspaceId: workspace.id, input: request.body, now: deps.clock.now() }));
      },
    );

    app.post(
      '/workspaces/:workspace/email/suppressions',
      {
        schema: {
          tags: ['email'],
          summary: 'Report bounces and complaints: the addresses are never sent to again',
          description:
            'Up to 1,000 reports per request. An address already suppressed keeps its first report. A report whose address is not an email address is refused (listed in `refused` with its index); the others are written.',
          params: WorkspaceParams,
          body: z.object({ reports: z.array(SuppressionReport).min(1).max(1000) }),
          response: {
            200: z.object({
              added: z.number().int(),
              alreadySuppressed: z.number().int(),
              refused: z.array(z.object({ index: z.number().int(), address: z.string(), reason: z.string() })),
            }),
            400: ErrorBody,
            401: ErrorBody,
            403: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        return suppressAddresses(pool, { workspaceId: workspace.id, reports: request.body.reports, now: deps.clock.now() });
      },
    );

    app.get(
      '/workspaces/:workspace/email/suppressions',
      {
        schema: {
          tags: ['email'],
          summary: 'Suppressed addresses, newest first',
          params: WorkspaceParams,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(500).default(100),
            cursor: z.string().max(1000).optional().describe('`next` of the previous page'),
          }),
          response: { 200: SuppressionPage, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const { limit, cursor } = request.query;
        const before = cursor === undefined ? undefined : parseCursor(cursor);
        const items = await listSuppressions(pool, { workspaceId: workspace.id, limit: limit + 1, ...(before ? { before } : {}) });
        const page = items.slice(0, limit);
        const last = page[page.length - 1];
        return {
          items: page,
          next: items.length > limit && last ? Buffer.from(JSON.stringify([last.suppressedAt.toISOString(), last.address])).toString('base64url') : null,
        };
      },
    );
  };
}

function parseCursor(cursor: string): { at: Date; address: string } {
  try {
    const [at, address] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    const date = new Date(String(at));
    if (typeof address === 'string' && typeof at === 'string' && !Number.isNaN(date.getTime())) return { at: date, address };
  } catch {
    // falls through to the refusal
  }
  throw new KizunaError('bad_request', 'cursor: not a cursor of this list; pass the `next` of the previous page.');
}
