import type { Schemas } from '../api/client.ts';

export type Task = Schemas['Task'];
export type Department = Task['department'];

/** The departments that take tasks, in the API's order (src/charter/types.ts DEPARTMENTS). */
export const DEPARTMENTS = ['marketing', 'support', 'site_operations', 'sales'] as const satisfies readonly Department[];

/** The task list's views: the open tasks, the open ones the user took, the done ones. */
export const TASK_VIEWS = ['open', 'mine', 'done'] as const;
export type TaskView = (typeof TASK_VIEWS)[number];

/** The API query of a department (or all) and a view. */
export function tasksQuery(department: Department | 'all', view: TaskView): { department?: Department; status: 'open' | 'done'; assignee?: 'me' } {
  return {
    ...(department === 'all' ? {} : { department }),
    status: view === 'done' ? 'done' : 'open',
    ...(view === 'mine' ? { assignee: 'me' as const } : {}),
  };
}

/**
 * Whether a role may act on a task of a department (take it, mark it done): its own
 * department's role, or admin — what the API enforces (src/tasks/tasks.ts).
 */
export function canActOn(role: string, department: Department): boolean {
  return role === 'admin' || role === department;
}

/** Due before `now` and still open. */
export function isOverdue(task: Pick<Task, 'dueAt' | 'status'>, now: number): boolean {
  return task.status === 'open' && task.dueAt !== null && new Date(task.dueAt).getTime() < now;
}
