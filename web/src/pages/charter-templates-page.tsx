import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import { oneOf, useQueryState } from '../analytics/search-params.ts';
import '../charter/charter-lists.css';
import { charterPath, DEPARTMENTS, ScoreBadge, StaleMarker, TemplateStatusBadge, type Department } from '../charter/labels.tsx';
import { readCharterOrNull } from '../charter/read-charter.ts';
import { NoCharter } from '../charter/no-charter.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { canWrite } from '../session/session.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

type TemplateSummary = Schemas['MessageTemplateSummary'];

const ALL = 'all';

/**
 * テンプレート: the workspace's message templates, a section per department in the fixed
 * order, each with its summary (count, mean score, publishable, published) and a table. The
 * department shown is in the query (?department=support), so a filtered view is a link.
 */
export function CharterTemplatesPage() {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const loaded = useApiData(
    async (signal) => {
      const [templates, charter] = await Promise.all([
        unwrap(api.GET('/api/v1/workspaces/{workspace}/templates', { params: { path: { workspace: workspace.name } }, signal })),
        readCharterOrNull(workspace.name, signal),
      ]);
      return { items: templates.items, charter };
    },
    [workspace.name],
  );
  return (
    <>
      <header className="charter-list-header">
        <h1>{t.charter.templates.title}</h1>
        <p className="muted lead">{t.charter.templates.lead}</p>
      </header>
      <WhenLoaded data={loaded}>
        {({ items, charter }) =>
          charter === null && items.length === 0 ? <NoCharter /> : <TemplatesByDepartment templates={items} hasCharter={charter !== null} />
        }
      </WhenLoaded>
    </>
  );
}

function TemplatesByDepartment({ templates, hasCharter }: { templates: TemplateSummary[]; hasCharter: boolean }) {
  const query = useQueryState();
  const shown = oneOf([ALL, ...DEPARTMENTS], query.get('department'), ALL);
  return (
    <>
      {!hasCharter && <NoCharter />}
      <DepartmentFilter templates={templates} shown={shown} onChange={(next) => query.set({ department: next === ALL ? undefined : next })} />
      <Alerts templates={templates} />
      {DEPARTMENTS.filter((department) => shown === ALL || shown === department).map((department) => (
        <DepartmentSection
          key={department}
          department={department}
          hasCharter={hasCharter}
          templates={templates.filter((item) => item.department === department)}
        />
      ))}
    </>
  );
}

function DepartmentFilter({
  templates,
  shown,
  onChange,
}: {
  templates: TemplateSummary[];
  shown: Department | typeof ALL;
  onChange(next: Department | typeof ALL): void;
}) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const choices: { value: Department | typeof ALL; label: string; count: number }[] = [
    { value: ALL, label: t.charter.templates.allDepartments, count: templates.length },
    ...DEPARTMENTS.map((department) => ({
      value: department,
      label: t.charter.departments[department],
      count: templates.filter((item) => item.department === department).length,
    })),
  ];
  return (
    <div className="segmented charter-filter" role="group" aria-label={t.charter.templates.filterLabel}>
      {choices.map((choice) => (
        <button key={choice.value} type="button" aria-pressed={shown === choice.value} onClick={() => onChange(choice.value)}>
          {choice.label} <span className="filter-count">{format.integer(choice.count)}</span>
        </button>
      ))}
    </div>
  );
}

/** What needs the brand's attention across departments: templates that cannot be published, and templates checked against an older charter. */
function Alerts({ templates }: { templates: TemplateSummary[] }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const withErrors = templates.filter((item) => item.counts.error > 0).length;
  const stale = templates.filter((item) => item.stale).length;
  if (withErrors === 0 && stale === 0) return null;
  return (
    <div className="charter-alerts">
      {withErrors > 0 && <p className="alert alert-error">{t.charter.templates.errorsAlert(format.integer(withErrors), withErrors > 1)}</p>}
      {stale > 0 && <p className="alert alert-info">{t.charter.templates.staleAlert(format.integer(stale), stale > 1)}</p>}
    </div>
  );
}

function DepartmentSection({ department, templates, hasCharter }: { department: Department; templates: TemplateSummary[]; hasCharter: boolean }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const role = useRole();
  // A template is checked against the charter: without one, a writer is sent to the charter first (NoCharter).
  const canCreate = canWrite(role) && hasCharter;
  const emptyNote = canCreate ? t.charter.templates.emptyWrite : canWrite(role) ? undefined : t.charter.templates.emptyRead;
  const name = t.charter.departments[department];
  const headingId = `templates-${department}`;
  return (
    <section className="card department-section" aria-labelledby={headingId}>
      <div className="card-header">
        <h2 id={headingId}>{name}</h2>
        {canCreate && (
          <Link
            className="button button-small"
            to={`${charterPath(workspace.name, 'templates', 'new')}?department=${department}`}
            aria-label={t.charter.templates.createIn(name)}
          >
            + {t.charter.templates.create}
          </Link>
        )}
      </div>
      {templates.length === 0 ? (
        <div className="empty-state">
          <p>
            <strong>{t.charter.templates.empty(name)}</strong>
          </p>
          {emptyNote !== undefined && <p className="muted">{emptyNote}</p>}
        </div>
      ) : (
        <>
          <DepartmentSummary department={department} templates={templates} />
          <TemplateTable department={department} templates={templates} />
        </>
      )}
    </section>
  );
}

function DepartmentSummary({ department, templates }: { department: Department; templates: TemplateSummary[] }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const s = t.charter.templates.summary;
  const total = format.integer(templates.length);
  const mean = templates.reduce((sum, item) => sum + item.score, 0) / templates.length;
  const publishable = templates.filter((item) => item.counts.error === 0).length;
  const published = templates.filter((item) => item.status === 'published').length;
  return (
    <dl className="charter-summary" aria-label={t.charter.templates.summaryLabel(t.charter.departments[department])}>
      <div className="stat">
        <dt className="stat-label">{s.templates}</dt>
        <dd className="stat-value">{total}</dd>
      </div>
      <div className="stat">
        <dt className="stat-label">{s.meanScore}</dt>
        <dd className="stat-value">
          <ScoreBadge score={Math.round(mean * 10) / 10} />
        </dd>
      </div>
      <div className="stat">
        <dt className="stat-label">{s.publishable}</dt>
        <dd className="stat-value">{t.charter.templates.ofTotal(format.integer(publishable), total)}</dd>
        <dd className="stat-note">{s.publishableNote}</dd>
      </div>
      <div className="stat">
        <dt className="stat-label">{s.published}</dt>
        <dd className="stat-value">{t.charter.templates.ofTotal(format.integer(published), total)}</dd>
      </div>
    </dl>
  );
}

function TemplateTable({ department, templates }: { department: Department; templates: TemplateSummary[] }) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const c = t.charter.templates.columns;
  return (
    <div className="table-wrap">
      <table className="template-table">
        <caption className="visually-hidden">{t.charter.templates.tableCaption(t.charter.departments[department])}</caption>
        {/* Fixed column widths, so the departments' tables line up one under another. */}
        <colgroup>
          <col />
          <col className="col-channel" />
          <col className="col-format" />
          <col className="col-status" />
          <col className="col-score" />
          <col className="col-count" />
          <col className="col-count" />
          <col className="col-count" />
          <col className="col-updated" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">{c.name}</th>
            <th scope="col">{c.channel}</th>
            <th scope="col">{c.format}</th>
            <th scope="col">{c.status}</th>
            <th scope="col">{c.score}</th>
            <th scope="col" className="num">
              {c.errors}
            </th>
            <th scope="col" className="num">
              {c.warnings}
            </th>
            <th scope="col" className="num">
              {c.info}
            </th>
            <th scope="col">{c.updated}</th>
          </tr>
        </thead>
        <tbody>
          {templates.map((template) => (
            <tr key={template.id}>
              <th scope="row" className="template-name">
                <Link className="row-link" to={charterPath(workspace.name, 'templates', template.id)}>
                  {template.name}
                </Link>
                {template.subject !== null && <span className="template-subject">{template.subject}</span>}
              </th>
              <td className="nowrap">{t.charter.channels[template.channel]}</td>
              <td className="nowrap">{t.charter.formats[template.format]}</td>
              <td>
                <TemplateStatusBadge status={template.status} />
              </td>
              <td className="score-cell">
                <ScoreBadge score={template.score} />
                {template.stale && <StaleMarker />}
              </td>
              <td className={template.counts.error > 0 ? 'num count-error' : 'num count-zero'}>{format.integer(template.counts.error)}</td>
              <td className={template.counts.warning > 0 ? 'num count-warning' : 'num count-zero'}>{format.integer(template.counts.warning)}</td>
              <td className={template.counts.info > 0 ? 'num' : 'num count-zero'}>{format.integer(template.counts.info)}</td>
              <td className="updated">
                <span className="nowrap">{format.dateTime(template.updatedAt)}</span>
                <span className="muted small">{t.charter.templates.updatedBy(template.updatedBy)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
