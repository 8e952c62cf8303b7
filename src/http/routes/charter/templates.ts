import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../../charter/actor.ts';
import {
  createTemplate,
  deleteTemplate,
  listTemplateOverrides,
  listTemplates,
  listWorkspaceOverrides,
  publishTemplate,
  readTemplate,
  TemplateChanges,
  TemplateInput,
  updateTemplate,
  type CheckMessage,
} from '../../../charter/templates.ts';
import { DEPARTMENTS } from '../../../charter/types.ts';
import type { AppDeps } from '../../app.ts';
import { authorizeWorkspace } from '../../auth.ts';
import { ErrorBody } from '../../errors.ts';
import { WorkspaceParams } from '../workspaces.ts';
import { MessageTemplate, PublishOutcome, TemplateOverride, TemplateSummary } from './shapes.ts';

const TemplateParams = WorkspaceParams.extend({
  id: z
    .string()
    .regex(/^\d{1,18}$/, 'a template id is a whole number')
    .describe("The template's id"),
});
const writeErrors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
const SAVING =
  'Saving runs the checker against the current charter and keeps its result; 409 when the workspace has no charter or the name is taken. Needs the write permission.';

/** Templates under /workspaces/{workspace}/templates, with the publish gate. */
export function templateRoutes(deps: Pick<AppDeps, 'database'> & { checkMessage: CheckMessage }): FastifyPluginAsyncZod {
  const { db, pool } = deps.database;
  const check = deps.checkMessage;
  return async (app) => {
    app.get(
      '/workspaces/:workspace/templates',
      {
        schema: {
          tags: ['charter'],
          summary: 'Message templates by department, with their scores',
          params: WorkspaceParams,
          querystring: z.object({ department: z.enum(DEPARTMENTS).optional().describe("Only this department's") }),
          response: { 200: z.object({ items: z.array(TemplateSummary) }).meta({ id: 'MessageTemplateList' }), 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return { items: await listTemplates({ pool, workspaceId: workspace.id, department: request.query.department }) };
      },
    );

    app.get(
      '/workspaces/:workspace/templates/overrides',
      {
        schema: {
          tags: ['charter'],
          summary: 'The audit log: every publication of a template over its errors, newest first',
          description:
            "Who published which template over which errors, when, and why. Deleted templates' overrides stay (templateId null, templateName as it was).",
          params: WorkspaceParams,
          response: { 200: z.object({ items: z.array(TemplateOverride) }).meta({ id: 'TemplateOverrideList' }), 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        return { items: await listWorkspaceOverrides({ pool, workspaceId: workspace.id }) };
      },
    );

    app.post(
      '/workspaces/:workspace/templates',
      {
        schema: {
          tags: ['charter'],
          summary: 'Create a template (a draft)',
          description: SAVING,
          params: WorkspaceParams,
          body: TemplateInput.meta({ id: 'NewMessageTemplate' }),
          response: { 201: MessageTemplate, ...writeErrors },
        },
      },
      async (request, reply) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        const template = await createTemplate({ pool, workspaceId: workspace.id, check, input: request.body, actor: await actorOf(pool, principal) });
        return reply.status(201).send(template);
      },
    );

    app.get(
      '/workspaces/:workspace/templates/:id',
      {
        schema: {
          tags: ['charter'],
          summary: 'One template with its text, last check and the overrides it was published over',
          params: TemplateParams,
          response: {
            200: MessageTemplate.extend({ overrides: z.array(TemplateOverride) }).meta({ id: 'MessageTemplateWithOverrides' }),
            400: ErrorBody,
            401: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const params = { pool, workspaceId: workspace.id, templateId: request.params.id };
        return { ...(await readTemplate(params)), overrides: await listTemplateOverrides(params) };
      },
    );

    app.put(
      '/workspaces/:workspace/templates/:id',
      {
        schema: {
          tags: ['charter'],
          summary: 'Change a template: the fields given, the others kept',
          description: `A change of its text (channel, format, subject, body) makes a published template a draft again. ${SAVING}`,
          params: TemplateParams,
          body: TemplateChanges.meta({ id: 'MessageTemplateChanges' }),
          response: { 200: MessageTemplate, ...writeErrors },
        },
      },
      async (request) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        return updateTemplate({
          pool,
          workspaceId: workspace.id,
          check,
          templateId: request.params.id,
          changes: request.body,
          actor: await actorOf(pool, principal),
        });
      },
    );

    app.delete(
      '/workspaces/:workspace/templates/:id',
      {
        schema: {
          tags: ['charter'],
          summary: 'Delete a template; its overrides stay in the audit log',
          description: 'Needs the write permission. 404 when the workspace has no such template.',
          params: TemplateParams,
          response: {
            200: z.object({ id: z.string(), name: z.string() }).meta({ id: 'DeletedTemplate' }),
            400: ErrorBody,
            401: ErrorBody,
            403: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request) => {
        const { workspace } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        return deleteTemplate({ pool, workspaceId: workspace.id, templateId: request.params.id });
      },
    );

    app.post(
      '/workspaces/:workspace/templates/:id/publish',
      {
        schema: {
          tags: ['charter'],
          summary: 'Publish a template; with errors only an admin may, over a written reason',
          description:
            'Checks the template against the current charter. With errors it is refused (409, details.findings: the errors) unless an admin sends override.reason: it is then published and the override written to the audit log with the findings it let through. An override from another role is a 403, an empty reason a 400. Needs the write permission.',
          params: TemplateParams,
          body: z
            .object({ override: z.object({ reason: z.string().trim().min(1).max(2000).describe('Why it is published despite its errors') }).optional() })
            .nullish()
            .meta({ id: 'PublishTemplate', description: 'May be left out when there is no override' }),
          response: { 200: PublishOutcome, ...writeErrors },
        },
      },
      async (request) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        return publishTemplate({
          pool,
          workspaceId: workspace.id,
          check,
          templateId: request.params.id,
          actor: await actorOf(pool, principal),
          actorIsAdmin: principal.role === 'admin',
          override: request.body?.override,
        });
      },
    );
  };
}
