import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WorkspacePrincipal } from '../../auth/permissions.ts';
import { KizunaError } from '../../shared/errors.ts';
import { addCancelReason, CancelReasonLabels, listCancelReasons, relabelCancelReason } from '../../subscriptions/cancel-reasons.ts';
import { authorizeWorkspace } from '../auth.ts';
import type { AppDeps } from '../app.ts';
import { ErrorBody } from '../errors.ts';
import { WorkspaceParams } from './workspaces.ts';

const CancelReason = z
  .object({
    code: z.string(),
    labelJa: z.string(),
    labelEn: z.string(),
    builtIn: z.boolean().describe("One of the built-in reasons every workspace has; else the workspace's own"),
  })
  .meta({ id: 'CancelReason' });

const NewCancelReason = CancelReasonLabels.extend({
  // Checked by the domain, so a malformed code is a 422 like a duplicate one, with the rule in the message.
  code: z.string().max(100).describe('1–40 lower-case letters, digits or underscores, starting with a letter (e.g. delivery_delay)'),
});

const ReasonParams = WorkspaceParams.extend({ code: z.string().max(100) });

const EDITORS = 'Needs the admin or marketing role.';

/** Who may change the workspace's list of cancel reasons: those who own the analyses that rank them. */
function requireReasonEditor(principal: WorkspacePrincipal): void {
  if (principal.role !== 'admin' && principal.role !== 'marketing')
    throw new KizunaError('forbidden', `The role "${principal.role}" may not change the cancel reasons; an admin or marketing member can.`);
}

/** The workspace's cancellation reasons (解約理由): the built-in list and its own codes. */
export function subscriptionRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db, pool } = deps.database;
  return async (app) => {
    app.get(
      '/workspaces/:workspace/subscription-cancel-reasons',
      {
        schema: {
          tags: ['subscriptions'],
          summary: "The cancel reasons a subscription can be given: the built-in ones, then the workspace's own",
          description:
            "A subscription's cancel_reason (ingest, CSV import) may be one of these codes or labels; other words are matched to a built-in code by keyword and kept as the note.",
          params: WorkspaceParams,
          response: { 200: z.array(CancelReason), 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return listCancelReasons(pool, workspace.id);
      },
    );

    app.post(
      '/workspaces/:workspace/subscription-cancel-reasons',
      {
        schema: {
          tags: ['subscriptions'],
          summary: "Add a cancel reason of the workspace's own",
          description: `A code that exists (built-in or the workspace's) or is malformed is refused (422). ${EDITORS}`,
          params: WorkspaceParams,
          body: NewCancelReason,
          response: { 201: CancelReason, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request, reply) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        requireReasonEditor(principal);
        const reason = await addCancelReason(pool, { workspaceId: workspace.id, ...request.body });
        return reply.status(201).send(reason);
      },
    );

    app.put(
      '/workspaces/:workspace/subscription-cancel-reasons/:code',
      {
        schema: {
          tags: ['subscriptions'],
          summary: "Change the labels of one of the workspace's own cancel reasons",
          description: `The built-in reasons' labels are the same in every workspace (422). ${EDITORS}`,
          params: ReasonParams,
          body: CancelReasonLabels,
          response: { 200: CancelReason, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        requireReasonEditor(principal);
        return relabelCancelReason(pool, { workspaceId: workspace.id, code: request.params.code, ...request.body });
      },
    );
  };
}
