import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addMember, listMembers, removeMember, setMemberRole } from '../../auth/memberships.ts';
import { ROLES } from '../../auth/permissions.ts';
import { authorizeWorkspace } from '../auth.ts';
import type { AppDeps } from '../app.ts';
import { ErrorBody } from '../errors.ts';
import { WorkspaceParams } from './workspaces.ts';

const Member = z
  .object({
    userId: z.string(),
    email: z.string(),
    displayName: z.string(),
    role: z.enum(ROLES),
    since: z.date(),
  })
  .meta({ id: 'Member' });
const MemberParams = WorkspaceParams.extend({
  userId: z
    .string()
    .regex(/^\d{1,18}$/)
    .describe("The member's user id"),
});

/** The members of a workspace and their roles; every route needs the manage permission (admin) there. */
export function memberRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db } = deps.database;
  return async (app) => {
    app.get(
      '/workspaces/:workspace/members',
      {
        schema: {
          tags: ['members'],
          summary: 'Members of a workspace and their roles (admin)',
          params: WorkspaceParams,
          response: { 200: z.array(Member), 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'manage');
        return listMembers(db, workspace.id);
      },
    );

    app.post(
      '/workspaces/:workspace/members',
      {
        schema: {
          tags: ['members'],
          summary: 'Add a member by email (admin)',
          description:
            'An email without a user creates one, with a generated password returned only in this response (Kizuna sends no email: hand it over). A user already a member is a 409.',
          params: WorkspaceParams,
          body: z.object({ email: z.string().min(3).max(254), role: z.enum(ROLES), displayName: z.string().max(100).optional() }),
          response: {
            201: z.object({ member: Member, generatedPassword: z.string().optional() }),
            403: ErrorBody,
            404: ErrorBody,
            409: ErrorBody,
            422: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'manage');
        return reply.status(201).send(await addMember(db, { workspaceId: workspace.id, ...request.body }));
      },
    );

    app.patch(
      '/workspaces/:workspace/members/:userId',
      {
        schema: {
          tags: ['members'],
          summary: "Change a member's role (admin)",
          description: 'The last admin of a workspace cannot be given another role (409).',
          params: MemberParams,
          body: z.object({ role: z.enum(ROLES) }),
          response: { 200: Member, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'manage');
        return setMemberRole(db, { workspaceId: workspace.id, userId: request.params.userId, role: request.body.role });
      },
    );

    app.delete(
      '/workspaces/:workspace/members/:userId',
      {
        schema: {
          tags: ['members'],
          summary: 'Remove a member from the workspace (admin)',
          description: 'The user keeps their account and other workspaces. The last admin cannot be removed (409).',
          params: MemberParams,
          response: { 204: z.null(), 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (request, reply) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'manage');
        await removeMember(db, { workspaceId: workspace.id, userId: request.params.userId });
        return reply.status(204).send(null);
      },
    );
  };
}
