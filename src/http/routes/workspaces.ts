import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey } from '../../auth/api-keys.ts';
import { ROLES } from '../../auth/permissions.ts';
import { membershipsOf } from '../../auth/memberships.ts';
import { createWorkspace, listWorkspaces, setWorkspaceDisplayName, summarizeWorkspace } from '../../workspaces/workspaces.ts';
import { authorizeWorkspace, principalOf, requireInstanceAdmin } from '../auth.ts';
import type { AppDeps } from '../app.ts';
import { ErrorBody } from '../errors.ts';

export const WorkspaceParams = z.object({ workspace: z.string().min(1).describe('Workspace name') });

const WorkspaceFields = z.object({ id: z.string(), name: z.string(), timezone: z.string(), currency: z.string() });
const Workspace = WorkspaceFields.extend({
  role: z.enum(ROLES).describe("The caller's role in this workspace"),
}).meta({ id: 'Workspace' });
const WorkspaceSummary = WorkspaceFields.extend({
  displayName: z.string().nullable().describe("The brand's name as people read it (みのり青汁本舗); null: show the workspace's name"),
  counts: z.object({
    customers: z.number().int(),
    leads: z.number().int(),
    products: z.number().int(),
    orders: z.number().int(),
    orderItems: z.number().int(),
    events: z.number().int(),
  }),
  salesTotal: z.string().describe('Σ amount of purchases (orders not cancelled or returned), exact decimal'),
}).meta({ id: 'WorkspaceSummary' });
const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    prefix: z.string(),
    createdAt: z.date(),
    revokedAt: z.date().nullable(),
  })
  .meta({ id: 'ApiKey' });

export function workspaceRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db } = deps.database;
  return async (app) => {
    app.get(
      '/workspaces',
      {
        schema: {
          tags: ['workspaces'],
          summary: 'Workspaces the caller can see, with its role in each',
          description: 'A console user sees the workspaces it is a member of; an API key its own workspace.',
          response: { 200: z.array(Workspace), 401: ErrorBody },
        },
      },
      async (request) => {
        const principal = await principalOf(db, request);
        const roles = principal.kind === 'api_key' ? new Map([[principal.workspaceId, principal.role]]) : await membershipsOf(db, principal.userId);
        return (await listWorkspaces(db)).flatMap((w) => {
          const role = roles.get(w.id);
          return role ? [{ ...w, role }] : [];
        });
      },
    );

    app.post(
      '/workspaces',
      {
        schema: {
          tags: ['workspaces'],
          summary: 'Create a workspace (instance admin)',
          description:
            "Only a console user marked instance admin may create workspaces (the first admin is one; `npx kizuna user create --instance-admin` makes others). The creator becomes the new workspace's admin. An API key, which belongs to one workspace, gets 403.",
          body: z.object({ name: z.string(), timezone: z.string().optional(), currency: z.string().optional() }),
          response: { 201: Workspace, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody, 422: ErrorBody },
        },
      },
      async (request, reply) => {
        const principal = await principalOf(db, request);
        requireInstanceAdmin(principal);
        const created = await createWorkspace(db, { ...request.body, ...(principal.kind === 'user' ? { creatorUserId: principal.userId } : {}) });
        return reply.status(201).send({ ...created, role: 'admin' as const });
      },
    );

    app.get(
      '/workspaces/:workspace',
      {
        schema: {
          tags: ['workspaces'],
          summary: 'Counts and sales total of a workspace',
          params: WorkspaceParams,
          response: { 200: WorkspaceSummary, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return summarizeWorkspace(db, workspace);
      },
    );

    app.patch(
      '/workspaces/:workspace',
      {
        schema: {
          tags: ['workspaces'],
          summary: 'Name the brand as people read it (admin)',
          params: WorkspaceParams,
          body: z.object({ displayName: z.string().max(100).nullable().describe("1 to 100 characters, trimmed; null to show the workspace's name") }).strict(),
          response: { 200: z.object({ displayName: z.string().nullable() }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'manage');
        return { displayName: await setWorkspaceDisplayName(db, workspace, request.body.displayName) };
      },
    );

    app.get(
      '/workspaces/:workspace/api-keys',
      {
        schema: {
          tags: ['api keys'],
          summary: 'API keys of a workspace (admin)',
          params: WorkspaceParams,
          response: { 200: z.array(ApiKey), 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'manage');
        return listApiKeys(db, workspace.id);
      },
    );

    app.post(
      '/workspaces/:workspace/api-keys',
      {
        schema: {
          tags: ['api keys'],
          summary: 'Create an API key; the key is shown only in this response (admin)',
          params: WorkspaceParams,
          body: z.object({ name: z.string().min(1).max(100), role: z.enum(ROLES) }),
          response: { 201: z.object({ key: z.string(), info: ApiKey }), 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'manage');
        return reply.status(201).send(await createApiKey(db, { workspaceId: workspace.id, ...request.body }));
      },
    );

    app.delete(
      '/workspaces/:workspace/api-keys/:id',
      {
        schema: {
          tags: ['api keys'],
          summary: 'Revoke an API key (admin)',
          params: WorkspaceParams.extend({ id: z.string().regex(/^\d{1,18}$/) }),
          response: { 204: z.null(), 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'manage');
        await revokeApiKey(db, deps.clock, workspace.id, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
}
