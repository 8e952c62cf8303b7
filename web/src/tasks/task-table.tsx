import { useState } from 'react';
import { Link } from 'react-router';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { canActOn, isOverdue, type Task, type TaskView } from './task-filters.ts';

/** What the operator asked for on one task. */
export type TaskAction = { kind: 'assign' | 'done'; task: Task };

/**
 * The tasks of a page: due (overdue marked) or when done, the task, its customer (a link to
 * the customer's 360 page), why the scenario created it, the assignee, and the actions.
 */
export function TaskTable(props: { tasks: Task[]; view: TaskView; role: string; refreshing: boolean; onAct(action: TaskAction): Promise<void> }) {
  const { t } = useI18n();
  const [now] = useState(() => Date.now());
  return (
    <div className="table-wrap" aria-busy={props.refreshing}>
      <table aria-label={t.tasks.tableLabel} className="task-table">
        <thead>
          <tr>
            <th scope="col">{props.view === 'done' ? t.tasks.columns.doneAt : t.tasks.columns.due}</th>
            <th scope="col">{t.tasks.columns.task}</th>
            <th scope="col">{t.tasks.columns.customer}</th>
            <th scope="col">{t.tasks.columns.why}</th>
            <th scope="col">{t.tasks.columns.assignee}</th>
            <th scope="col">{t.tasks.columns.actions}</th>
          </tr>
        </thead>
        <tbody>
          {props.tasks.map((task) => (
            <TaskRow key={task.id} task={task} view={props.view} role={props.role} overdue={isOverdue(task, now)} onAct={props.onAct} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TaskRow({
  task,
  view,
  role,
  overdue,
  onAct,
}: {
  task: Task;
  view: TaskView;
  role: string;
  overdue: boolean;
  onAct(action: TaskAction): Promise<void>;
}) {
  const { t, locale } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const [busy, setBusy] = useState(false);
  const allowed = canActOn(role, task.department);
  const refusal = role === 'read_only' ? t.tasks.readOnly : allowed ? undefined : t.tasks.cannotAct(t.tasks.departments[task.department]);
  const run = (kind: TaskAction['kind']) => {
    setBusy(true);
    void onAct({ kind, task }).finally(() => setBusy(false));
  };
  return (
    <tr className={overdue ? 'task-overdue' : undefined}>
      <td className="task-due">
        {view === 'done' ? (
          task.doneAt && format.dateTime(task.doneAt)
        ) : task.dueAt ? (
          <>
            <time dateTime={task.dueAt}>{format.dateTime(task.dueAt)}</time>
            {overdue && <span className="badge badge-overdue">{t.tasks.overdue}</span>}
          </>
        ) : (
          <span className="muted">{t.tasks.noDue}</span>
        )}
      </td>
      <td>
        <strong>{task.title}</strong>
        <div>
          <span className="badge">{t.tasks.departments[task.department]}</span>
        </div>
        {task.description && <p className="task-description">{task.description}</p>}
      </td>
      <td>
        {task.customerId ? (
          <Link to={`/w/${encodeURIComponent(workspace.name)}/customers/${task.customerId}`}>{task.customerName ?? t.tasks.unnamedCustomer}</Link>
        ) : (
          t.tasks.noCustomer
        )}
      </td>
      <td className="task-why">
        {task.whyText ? <p>{task.whyText[locale]}</p> : <p className="muted">{t.tasks.noReason}</p>}
        {task.scenario && <p className="muted">{t.tasks.fromScenario(task.scenario.name ?? task.scenario.key, task.scenario.stepId)}</p>}
      </td>
      <td>{task.assigneeName ?? <span className="muted">{t.tasks.unassigned}</span>}</td>
      <td>
        {task.status === 'open' && (
          <div className="task-actions">
            <button type="button" className="button button-small" disabled={busy || refusal !== undefined} title={refusal} onClick={() => run('assign')}>
              {t.tasks.assignToMe}
            </button>
            <button
              type="button"
              className="button button-small button-primary"
              disabled={busy || refusal !== undefined}
              title={refusal}
              onClick={() => run('done')}
            >
              {t.tasks.markDone}
            </button>
            {refusal && <p className="task-refusal muted">{refusal}</p>}
          </div>
        )}
      </td>
    </tr>
  );
}
