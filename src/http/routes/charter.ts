import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../charter/actor.ts';
import { listCharterVersions, readCharter } from '../../charter/charters.ts';
import { oneVoiceReport } from '../../charter/one-voice.ts';
import { charterImpact, saveCharterAndRecheck } from '../../charter/recheck.ts';
import type { CheckMessage } from '../../charter/templates.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { AppDeps } from '../app.ts';
import { authorizeWorkspace } from '../auth.ts';
import { ErrorBody } from '../errors.ts';
import { templateRoutes } from './charter/templates.ts';
import { CharterBody, CharterImpact, CharterVersion, CheckResult, MessageInput, OneVoiceReport, SavedCharter, StoredCharter } from './charter/shapes.ts';
import { WorkspaceParams } from './workspaces.ts';

/**
 * The relationship charter under /workspaces/{workspace}/charter: the charter and its
 * versions, the checker, the templates with their publish gate, and the one-voice report.
 * Reading and checking need 'read'; changing the charter and templates 'write'; publishing
 * a template over its errors an admin.
 */
export function charterRoutes(deps: AppDeps & { checkMessage: CheckMessage }): FastifyPluginAsyncZod {
  const { db, pool } = deps.database;
  const check = deps.checkMessage;
  return async (app) => {
    app.get(
      '/workspaces/:workspace/charter',
      {
        schema: {
          tags: ['charter'],
          summary: "The workspace's current relationship charter",
          description:
            'The relationship in one phrase (お客様と「＿＿」のような関係を築く), what it means, its goal, and the tone rules and claims packs that follow from it. 404 when none was set.',
          params: WorkspaceParams,
          response: { 200: StoredCharter, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const stored = await readCharter({ pool, workspaceId: workspace.id });
        if (!stored) throw new KizunaError('not_found', `Workspace "${workspace.name}" has no charter yet: PUT one, or run npx kizuna charter set FILE.json.`);
        return stored;
      },
    );

    app.put(
      '/workspaces/:workspace/charter',
      {
        schema: {
          tags: ['charter'],
          summary: 'Set the charter: a new version with who changed it and which fields changed',
          description:
            'The whole charter. A field of the wrong shape is a 400 naming it (details.issues: field and reason); nothing is written. The same charter as the current one writes no version (outcome unchanged). A new version checks every template again against it (templatesRechecked). Needs the write permission.',
          params: WorkspaceParams,
          body: CharterBody,
          response: { 200: SavedCharter, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        return saveCharterAndRecheck({ pool, workspaceId: workspace.id, input: request.body, actor: await actorOf(pool, principal), check });
      },
    );

    app.post(
      '/workspaces/:workspace/charter/impact',
      {
        schema: {
          tags: ['charter'],
          summary: "What a charter (a draft) would do to the templates: each one's score and errors now and under it",
          description: 'Nothing is written. For the editor: which templates a change would block (newlyBlocked) or free. Needs the read permission.',
          params: WorkspaceParams,
          body: CharterBody,
          response: { 200: CharterImpact, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return charterImpact({ pool, workspaceId: workspace.id, charter: request.body, check });
      },
    );

    app.get(
      '/workspaces/:workspace/charter/versions',
      {
        schema: {
          tags: ['charter'],
          summary: 'Every version of the charter, newest first, with who changed what',
          params: WorkspaceParams,
          response: { 200: z.object({ items: z.array(CharterVersion) }).meta({ id: 'CharterVersions' }), 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return { items: await listCharterVersions({ pool, workspaceId: workspace.id }) };
      },
    );

    app.post(
      '/workspaces/:workspace/charter/check',
      {
        schema: {
          tags: ['charter'],
          summary: 'Check a message against the charter: findings with exact ranges, rule, severity, message and fix',
          description:
            'An email (subject and body), LINE message or SMS in plain text, HTML or MJML, for a department. Ranges are UTF-16 offsets in the source of the part (subject or body). 409 when the workspace has no charter. Needs the read permission: checking writes nothing.',
          params: WorkspaceParams,
          body: MessageInput,
          response: { 200: CheckResult, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const stored = await readCharter({ pool, workspaceId: workspace.id });
        if (!stored)
          throw new KizunaError(
            'conflict',
            `Workspace "${workspace.name}" has no charter to check against: PUT one first, or run npx kizuna charter set FILE.json.`,
          );
        return check(stored.charter, request.body);
      },
    );

    app.get(
      '/workspaces/:workspace/charter/one-voice',
      {
        schema: {
          tags: ['charter'],
          summary: 'The one-voice report: per department its templates, scores, most common findings and how it addresses the customer',
          params: WorkspaceParams,
          response: { 200: OneVoiceReport, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return oneVoiceReport({ pool, workspaceId: workspace.id });
      },
    );

    await app.register(templateRoutes({ database: deps.database, checkMessage: check }));
  };
}
