import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import '../charter/charter-editor.css';
import { CHARTER_FIELDS, fieldLabel, fieldLines, summaryLines } from '../charter/charter-text.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

type CharterVersion = Schemas['CharterVersion'];

/**
 * 変更履歴: every version of the charter, newest first, with who changed which fields; the
 * chosen version (?version=n, the newest by default) is shown beside the one before it,
 * field by field, and whole.
 */
export function CharterVersionsPage() {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const v = t.charter.editor.versions;
  const versions = useApiData(
    (signal) =>
      unwrap(
        api.GET('/api/v1/workspaces/{workspace}/charter/versions', {
          params: { path: { workspace: workspace.name } },
          signal,
        }),
      ),
    [workspace.name],
  );
  return (
    <div className="charter-versions">
      <Link className="back-link" to="../editor" relative="path">
        ← {v.backToEditor}
      </Link>
      <h1>{v.title}</h1>
      <p className="muted lead">{v.lead}</p>
      <WhenLoaded data={versions}>
        {({ items }) =>
          items.length === 0 ? (
            <div className="alert alert-info" role="status">
              <strong>{t.charter.noCharter}</strong>
            </div>
          ) : (
            <VersionsView items={items} />
          )
        }
      </WhenLoaded>
    </div>
  );
}

function VersionsView({ items }: { items: CharterVersion[] }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const v = t.charter.editor.versions;
  const [params, setParams] = useSearchParams();
  const chosen = items.find((item) => String(item.version) === params.get('version')) ?? items[0]!;
  const previous = items.find((item) => item.version === chosen.version - 1);
  const choose = (version: number) => setParams({ version: String(version) }, { replace: true });
  return (
    <>
      <section className="card" aria-labelledby="charter-versions-heading">
        <h2 id="charter-versions-heading">{v.table}</h2>
        <div className="table-wrap">
          <table className="versions-table">
            <thead>
              <tr>
                <th scope="col">{v.columns.version}</th>
                <th scope="col">{v.columns.changedAt}</th>
                <th scope="col">{v.columns.changedBy}</th>
                <th scope="col">{v.columns.changedFields}</th>
                <th scope="col">{v.columns.summary}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item, index) => (
                <tr
                  key={item.version}
                  className={item.version === chosen.version ? 'is-chosen' : undefined}
                  aria-current={item.version === chosen.version ? 'true' : undefined}
                >
                  <td className="nowrap">
                    <button
                      type="button"
                      className="button button-small version-button"
                      aria-pressed={item.version === chosen.version}
                      aria-label={v.show(String(item.version))}
                      onClick={() => choose(item.version)}
                    >
                      v{item.version}
                    </button>
                    {index === 0 && <span className="badge badge-granted version-current">{v.current}</span>}
                  </td>
                  <td className="nowrap">{format.dateTime(item.changedAt)}</td>
                  <td>{item.changedBy}</td>
                  <td>
                    <ul className="field-badges">
                      {item.changedFields.map((field) => (
                        <li key={field} className="badge">
                          {fieldLabel(t, field)}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td className="summary-cell">
                    {summaryLines(t, item.summary).map((line, i) => (
                      <div key={i}>{line}</div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <VersionDetail version={chosen} previous={previous} />
    </>
  );
}

function VersionDetail({ version, previous }: { version: CharterVersion; previous: CharterVersion | undefined }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const v = t.charter.editor.versions;
  const n = String(version.version);
  const changed = previous ? CHARTER_FIELDS.filter((field) => version.changedFields.includes(field)) : [];
  return (
    <section className="card" aria-labelledby="charter-version-detail-heading">
      <div className="card-header">
        <h2 id="charter-version-detail-heading">{v.detail(n)}</h2>
        <span className="muted small">
          {format.dateTime(version.changedAt)} · {version.changedBy}
        </span>
      </div>
      {previous ? (
        <>
          <h3 id="charter-version-comparison">{v.comparison(n, String(previous.version))}</h3>
          <div className="table-wrap">
            <table className="comparison-table" aria-labelledby="charter-version-comparison">
              <thead>
                <tr>
                  <th scope="col">{v.field}</th>
                  <th scope="col">{v.before(String(previous.version))}</th>
                  <th scope="col">{v.after(n)}</th>
                </tr>
              </thead>
              <tbody>
                {changed.map((field) => (
                  <tr key={field}>
                    <th scope="row">{fieldLabel(t, field)}</th>
                    <td className="before">
                      <Lines lines={fieldLines(t, previous.charter, field)} other={fieldLines(t, version.charter, field)} />
                    </td>
                    <td className="after">
                      <Lines lines={fieldLines(t, version.charter, field)} other={fieldLines(t, previous.charter, field)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <p className="muted">{v.firstVersion}</p>
      )}
      <details className="version-whole" open={!previous}>
        <summary>{v.whole(n)}</summary>
        <dl className="definition version-fields">
          {CHARTER_FIELDS.map((field) => (
            <div className="definition-row" key={field}>
              <dt>{fieldLabel(t, field)}</dt>
              <dd>
                <Lines lines={fieldLines(t, version.charter, field)} />
              </dd>
            </div>
          ))}
        </dl>
      </details>
    </section>
  );
}

/** A field's lines; a line the other side lacks is marked (removed on the left, added on the right). */
function Lines({ lines, other }: { lines: string[]; other?: string[] }) {
  const { t } = useI18n();
  if (lines.length === 0) return <span className="muted">{t.charter.editor.versions.none}</span>;
  return (
    <ul className="value-lines">
      {lines.map((line, i) => (
        <li key={i} className={other && !other.includes(line) ? 'is-different' : undefined}>
          {line}
        </li>
      ))}
    </ul>
  );
}
