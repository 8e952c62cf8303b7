import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { Failure, Loading } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { DEPARTMENTS, TASK_VIEWS, type Department, type TaskView, tasksQuery } from '../tasks/task-filters.ts';
import { type TaskAction, TaskTable } from '../tasks/task-table.tsx';
import '../tasks/tasks.css';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

const PAGE_SIZE = 25;

/**
 * タスク: what scenarios asked people to do for one customer, per department (a tab each, or
 * all), open / mine / done, paged. The department, view and page are in the address, so a link
 * to "support's open tasks" can be shared. Acting (take, done) is for the task's department
 * and admins, as the API enforces; other roles see the actions disabled, with why.
 */
export function TasksPage() {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const [params, setParams] = useSearchParams();
  const department = departmentParam(params.get('department'), workspace.role);
  const view: TaskView = TASK_VIEWS.find((v) => v === params.get('view')) ?? 'open';
  const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);
  const [notice, setNotice] = useState<{ kind: 'ok'; text: string } | { kind: 'error'; error: Error } | null>(null);

  const page = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/tasks', {
          params: { path: { workspace: workspace.name }, query: { ...tasksQuery(department, view), limit: PAGE_SIZE, offset } },
          signal,
        }),
      ),
    [workspace.name, department, view, offset],
  );

  const show = (next: { department?: Department | 'all'; view?: TaskView; offset?: number }) => {
    const search = new URLSearchParams();
    search.set('department', next.department ?? department);
    search.set('view', next.view ?? view);
    const nextOffset = next.offset ?? 0;
    if (nextOffset > 0) search.set('offset', String(nextOffset));
    setNotice(null);
    setParams(search);
  };

  const act = async (action: TaskAction) => {
    const path = { workspace: workspace.name, id: action.task.id };
    try {
      if (action.kind === 'assign') {
        await unwrap(api.POST('/api/v1/workspaces/{workspace}/tasks/{id}/assign', { params: { path } }));
        setNotice({ kind: 'ok', text: t.tasks.assigned(action.task.title) });
      } else {
        await unwrap(api.POST('/api/v1/workspaces/{workspace}/tasks/{id}/done', { params: { path } }));
        setNotice({ kind: 'ok', text: t.tasks.completed(action.task.title) });
      }
    } catch (error) {
      setNotice({ kind: 'error', error: error instanceof Error ? error : new Error(String(error)) });
    }
    page.reload();
  };

  return (
    <>
      <h1>{t.tasks.title}</h1>
      <p className="muted">{t.tasks.lead}</p>
      <div className="toolbar task-toolbar">
        <div className="segmented" role="group" aria-label={t.tasks.departmentsLabel}>
          {(['all', ...DEPARTMENTS] as const).map((d) => (
            <button key={d} type="button" aria-pressed={department === d} onClick={() => show({ department: d })}>
              {d === 'all' ? t.tasks.allDepartments : t.tasks.departments[d]}
            </button>
          ))}
        </div>
        <div className="segmented" role="group" aria-label={t.tasks.viewsLabel}>
          {TASK_VIEWS.map((v) => (
            <button key={v} type="button" aria-pressed={view === v} onClick={() => show({ view: v })}>
              {t.tasks.views[v]}
            </button>
          ))}
        </div>
      </div>
      <div aria-live="polite">
        {notice?.kind === 'ok' && (
          <p className="alert alert-ok" role="status">
            {notice.text}
          </p>
        )}
      </div>
      {notice?.kind === 'error' && <Failure error={notice.error} />}
      {page.state === 'loading' && <Loading />}
      {page.state === 'failed' && <Failure error={page.error} retry={page.reload} />}
      {page.state === 'ready' && (
        <>
          {page.data.tasks.length === 0 ? (
            <p className="status">{t.tasks.empty[view]}</p>
          ) : (
            <TaskTable tasks={page.data.tasks} view={view} role={workspace.role} refreshing={page.refreshing} onAct={act} />
          )}
          <nav className="list-footer" aria-label={t.tasks.pagination}>
            <span className="muted">
              {page.data.tasks.length > 0 && t.tasks.range(format.integer(offset + 1), format.integer(offset + page.data.tasks.length))}
            </span>
            <div className="actions">
              <button type="button" className="button" disabled={offset === 0} onClick={() => show({ offset: Math.max(0, offset - PAGE_SIZE) })}>
                ← {t.tasks.previous}
              </button>
              <button
                type="button"
                className="button"
                disabled={page.data.nextOffset === null}
                onClick={() => page.data.nextOffset !== null && show({ offset: page.data.nextOffset })}
              >
                {t.tasks.next} →
              </button>
            </div>
          </nav>
        </>
      )}
    </>
  );
}

/** The department in the address; without one, the user's own department (a department role), else all. */
function departmentParam(value: string | null, role: string): Department | 'all' {
  if (value === 'all') return 'all';
  const given = DEPARTMENTS.find((d) => d === value);
  if (given) return given;
  return DEPARTMENTS.find((d) => d === role) ?? 'all';
}
