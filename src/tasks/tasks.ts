import type pg from 'pg';
import type { Department } from '../charter/types.ts';
import type { TaskStatus } from '../db/schema.ts';
import { loadWhyNames, reasonInWords, type Why, type WhyNames } from '../scenarios/why.ts';
import type { Clock } from '../shared/clock.ts';
import { KizunaError } from '../shared/errors.ts';

/**
 * Tasks for people: what a scenario's task step asks a department to do for a customer (call
 * them, send a handwritten card …). A task is created once per effect (its key), open, for a
 * department; a member takes it (assignee) and marks it done. docs/tasks.md.
 */
export interface Task {
  id: string;
  department: Department;
  title: string;
  description: string | null;
  customerId: string | null;
  customerName: string | null;
  dueAt: Date | null;
  status: TaskStatus;
  assigneeUserId: string | null;
  assigneeName: string | null;
  /** The scenario effect that created it (null: created otherwise). */
  effectKey: string | null;
  /** The structured reason (scenario, version, step, trigger, timing), as the effect's. */
  why: unknown;
  /** The scenario step that created it (null: created otherwise). */
  scenario: TaskScenario | null;
  /** The reason in words, as the customer's message would say it (「…の方」), in both languages; null without a scenario's reason. */
  whyText: { ja: string; en: string } | null;
  createdAt: Date;
  doneAt: Date | null;
  doneBy: string | null;
}

/** The scenario, version and step a task came from; `name` null when the version is gone (its key is shown). */
export interface TaskScenario {
  id: string;
  key: string;
  name: string | null;
  version: number;
  stepId: string;
}

export const TASK_PAGE_MAX = 200;

interface TaskRow {
  id: string;
  department: Department;
  title: string;
  description: string | null;
  customer_id: string | null;
  customer_name: string | null;
  due_at: Date | null;
  status: TaskStatus;
  assignee_user_id: string | null;
  assignee_name: string | null;
  effect_key: string | null;
  why: unknown;
  created_at: Date;
  done_at: Date | null;
  done_by: string | null;
}

const SELECT_TASK = `
  select t.id, t.department, t.title, t.description, t.customer_id, c.name as customer_name, t.due_at, t.status,
         t.assignee_user_id, u.display_name as assignee_name, t.effect_key, t.why, t.created_at, t.done_at, t.done_by
    from tasks t
    left join customers c on c.workspace_id = t.workspace_id and c.id = t.customer_id
    left join users u on u.id = t.assignee_user_id`;

function taskOf(row: TaskRow): Omit<Task, 'scenario' | 'whyText'> {
  return {
    id: row.id,
    department: row.department,
    title: row.title,
    description: row.description,
    customerId: row.customer_id,
    customerName: row.customer_name,
    dueAt: row.due_at,
    status: row.status,
    assigneeUserId: row.assignee_user_id,
    assigneeName: row.assignee_name,
    effectKey: row.effect_key,
    why: row.why,
    createdAt: row.created_at,
    doneAt: row.done_at,
    doneBy: row.done_by,
  };
}

function isWhy(value: unknown): value is Why {
  const why = value as Partial<Why> | null;
  return (
    typeof why?.scenarioId === 'string' &&
    typeof why.key === 'string' &&
    typeof why.version === 'number' &&
    typeof why.stepId === 'string' &&
    typeof why.trigger?.kind === 'string' &&
    typeof why.timing?.kind === 'string'
  );
}

/**
 * The tasks with their scenario and reason in words. The display names are read once per
 * scenario version and product (a page of tasks of one scenario reads them once).
 */
async function describeTasks(pool: pg.Pool | pg.ClientBase, workspaceId: string, rows: TaskRow[]): Promise<Task[]> {
  const names = new Map<string, Promise<WhyNames>>();
  return Promise.all(
    rows.map(async (row) => {
      const task = taskOf(row);
      if (!isWhy(row.why)) return { ...task, scenario: null, whyText: null };
      const why = row.why;
      const cacheKey = JSON.stringify([
        why.scenarioId,
        why.version,
        why.trigger.kind,
        why.trigger.sku ?? null,
        why.timing.kind === 'effect' ? why.timing.sku : null,
      ]);
      if (!names.has(cacheKey)) names.set(cacheKey, loadWhyNames(pool, workspaceId, why));
      const whyNames = await names.get(cacheKey)!;
      let whyText: Task['whyText'] = null;
      try {
        whyText = { ja: reasonInWords(why, whyNames, 'ja'), en: reasonInWords(why, whyNames, 'en') };
      } catch {
        // A reason of a shape this version does not know (written by a newer one): shown without words.
      }
      return {
        ...task,
        scenario: { id: why.scenarioId, key: why.key, name: whyNames.scenarioName ?? null, version: why.version, stepId: why.stepId },
        whyText,
      };
    }),
  );
}

/**
 * A page of the workspace's tasks, of one department, status and/or assignee when given: open
 * tasks soonest due first, done tasks the latest done first (then by id). `nextOffset` null:
 * the last page.
 */
export async function listTasks(params: {
  pool: pg.Pool | pg.ClientBase;
  workspaceId: string;
  department?: Department;
  status?: TaskStatus;
  /** Only the tasks this user took. */
  assigneeUserId?: string;
  limit?: number;
  offset?: number;
}): Promise<{ tasks: Task[]; nextOffset: number | null }> {
  const limit = Math.min(Math.max(params.limit ?? 50, 1), TASK_PAGE_MAX);
  const offset = Math.max(params.offset ?? 0, 0);
  const order = params.status === 'done' ? 't.done_at desc nulls last, t.id desc' : 't.due_at nulls last, t.id';
  const { rows } = await params.pool.query<TaskRow>(
    `${SELECT_TASK}
      where t.workspace_id = $1 and ($2::text is null or t.department = $2) and ($3::text is null or t.status = $3)
        and ($4::bigint is null or t.assignee_user_id = $4)
      order by ${order}
      limit $5 offset $6`,
    [params.workspaceId, params.department ?? null, params.status ?? null, params.assigneeUserId ?? null, limit + 1, offset],
  );
  const tasks = await describeTasks(params.pool, params.workspaceId, rows.slice(0, limit));
  return { tasks, nextOffset: rows.length > limit ? offset + limit : null };
}

/** One task; `not_found` when the workspace has none with this id. */
export async function readTask(params: { pool: pg.Pool | pg.ClientBase; workspaceId: string; taskId: string }): Promise<Task> {
  if (!/^[1-9][0-9]{0,17}$/.test(params.taskId)) throw new KizunaError('not_found', `No task with id ${params.taskId} in this workspace.`);
  const { rows } = await params.pool.query<TaskRow>(`${SELECT_TASK} where t.workspace_id = $1 and t.id = $2`, [params.workspaceId, params.taskId]);
  if (!rows[0]) throw new KizunaError('not_found', `No task with id ${params.taskId} in this workspace.`);
  const [task] = await describeTasks(params.pool, params.workspaceId, [rows[0]]);
  return task!;
}

/** Who acts on a task: a console user (their id), or an API key (no user). Members act only on their department's tasks unless admin. */
export interface TaskActor {
  userId: string | null;
  role: string;
}

function requireDepartment(task: Task, actor: TaskActor): void {
  if (actor.role !== 'admin' && actor.role !== task.department)
    throw new KizunaError('forbidden', `Task ${task.id} is for the department "${task.department}"; the role "${actor.role}" may not act on it.`);
}

/** Takes an open task: its assignee becomes the user (taking it again changes nothing). */
export async function assignTaskToMe(params: { pool: pg.Pool; workspaceId: string; taskId: string; actor: TaskActor }): Promise<Task> {
  const task = await readTask(params);
  requireDepartment(task, params.actor);
  if (params.actor.userId === null) throw new KizunaError('forbidden', 'Only a console user can take a task (an API key is nobody to assign it to).');
  if (task.status !== 'open') throw new KizunaError('conflict', `Task ${task.id} is done; a done task cannot be taken.`);
  await params.pool.query(`update tasks set assignee_user_id = $3 where workspace_id = $1 and id = $2 and status = 'open'`, [
    params.workspaceId,
    task.id,
    params.actor.userId,
  ]);
  return readTask(params);
}

/** Marks a task done (by the user; an API key records no one). Done again: the first completion stays. */
export async function completeTask(params: { pool: pg.Pool; workspaceId: string; taskId: string; actor: TaskActor; clock: Clock }): Promise<Task> {
  const task = await readTask(params);
  requireDepartment(task, params.actor);
  await params.pool.query(`update tasks set status = 'done', done_at = $3, done_by = $4 where workspace_id = $1 and id = $2 and status = 'open'`, [
    params.workspaceId,
    task.id,
    params.clock.now(),
    params.actor.userId,
  ]);
  return readTask(params);
}
