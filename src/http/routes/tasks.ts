import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEPARTMENTS } from '../../charter/types.ts';
import { assignTaskToMe, completeTask, listTasks, TASK_PAGE_MAX, type Task, type TaskActor } from '../../tasks/tasks.ts';
import type { WorkspacePrincipal } from '../../auth/permissions.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { AppDeps } from '../app.ts';
import { authorizeWorkspace } from '../auth.ts';
import { ErrorBody } from '../errors.ts';
import { WorkspaceParams } from './workspaces.ts';

const TaskSchema = z
  .object({
    id: z.string(),
    department: z.enum(DEPARTMENTS),
    title: z.string(),
    description: z.string().nullable(),
    customerId: z.string().nullable(),
    customerName: z.string().nullable(),
    dueAt: z.string().nullable(),
    status: z.enum(['open', 'done']),
    assigneeUserId: z.string().nullable(),
    assigneeName: z.string().nullable(),
    effectKey: z.string().nullable().describe('The scenario effect that created it'),
    why: z.unknown().describe('The structured reason: scenario, version, step, trigger, timing (docs/scenarios.md)'),
    createdAt: z.string(),
    doneAt: z.string().nullable(),
    doneBy: z.string().nullable(),
    scenario: z
      .object({
        id: z.string(),
        key: z.string(),
        name: z.string().nullable().describe("The version's name; null when it is gone (show the key)"),
        version: z.number().int(),
        stepId: z.string(),
      })
      .nullable()
      .describe('The scenario step that created the task; null: created otherwise'),
    whyText: z
      .object({ ja: z.string(), en: z.string() })
      .nullable()
      .describe('The reason in words (「…の方」 / "you …", as the customer\'s message says it); null without a scenario\'s reason'),
  })
  .meta({ id: 'Task' });

const TaskPage = z
  .object({ tasks: z.array(TaskSchema), nextOffset: z.number().int().nullable().describe('The offset of the next page; null: the last page') })
  .meta({ id: 'TaskPage' });

const TaskParams = WorkspaceParams.extend({ id: z.string().regex(/^[1-9][0-9]{0,17}$/, 'a task id is a number, e.g. 12') });

const ACTING = "Needs the role of the task's department (marketing, support, site_operations, sales) or admin.";

function taskBody(task: Task) {
  return {
    ...task,
    dueAt: task.dueAt?.toISOString() ?? null,
    createdAt: task.createdAt.toISOString(),
    doneAt: task.doneAt?.toISOString() ?? null,
  };
}

function actorOf(principal: WorkspacePrincipal): TaskActor {
  return { userId: principal.kind === 'user' ? principal.userId : null, role: principal.role };
}

/**
 * Tasks for people under /workspaces/{workspace}/tasks (docs/tasks.md): the list (by
 * department and status, paged), taking a task, marking it done. Reading needs 'read'; acting,
 * 'write' and the task's department (or admin).
 */
export function taskRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  const { db, pool } = deps.database;
  const clock = deps.clock;
  return async (app) => {
    app.get(
      '/workspaces/:workspace/tasks',
      {
        schema: {
          tags: ['tasks'],
          summary: 'Tasks for people: open ones soonest due first, done ones latest first',
          params: WorkspaceParams,
          querystring: z.object({
            department: z.enum(DEPARTMENTS).optional(),
            status: z.enum(['open', 'done']).optional(),
            assignee: z.enum(['me']).optional().describe('me: only the tasks the signed-in user took (a console user; 400 for an API key)'),
            limit: z.coerce.number().int().min(1).max(TASK_PAGE_MAX).default(50),
            offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
          }),
          response: { 200: TaskPage, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'read');
        const { department, status, assignee, limit, offset } = request.query;
        if (assignee === 'me' && principal.kind !== 'user')
          throw new KizunaError('bad_request', 'assignee=me needs a console user: an API key takes no tasks.', {
            issues: [{ field: 'querystring.assignee', reason: 'an API key takes no tasks; me needs a console user' }],
          });
        const page = await listTasks({
          pool,
          workspaceId: workspace.id,
          ...(department ? { department } : {}),
          ...(status ? { status } : {}),
          ...(assignee === 'me' && principal.kind === 'user' ? { assigneeUserId: principal.userId } : {}),
          limit,
          offset,
        });
        return { tasks: page.tasks.map(taskBody), nextOffset: page.nextOffset };
      },
    );

    app.post(
      '/workspaces/:workspace/tasks/:id/assign',
      {
        schema: {
          tags: ['tasks'],
          summary: 'Take a task: you become its assignee',
          description: `Only an open task (409 when done); only a console user (an API key is refused, 403). ${ACTING}`,
          params: TaskParams,
          response: { 200: TaskSchema, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (request) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        return taskBody(await assignTaskToMe({ pool, workspaceId: workspace.id, taskId: request.params.id, actor: actorOf(principal) }));
      },
    );

    app.post(
      '/workspaces/:workspace/tasks/:id/done',
      {
        schema: {
          tags: ['tasks'],
          summary: 'Mark a task done',
          description: `A task already done stays as it was (its first completion is kept). ${ACTING}`,
          params: TaskParams,
          response: { 200: TaskSchema, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        const { workspace, principal } = await authorizeWorkspace(db, request, request.params.workspace, 'write');
        return taskBody(await completeTask({ pool, workspaceId: workspace.id, taskId: request.params.id, actor: actorOf(principal), clock }));
      },
    );
  };
}
