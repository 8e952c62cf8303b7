import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import { AddressMatrix, addressRows, normalizeAddress } from '../charter/address-matrix.tsx';
import '../charter/charter-lists.css';
import { charterPath, ruleLabel, ScoreBadge, SeverityBadge, TemplateStatusBadge, type Department } from '../charter/labels.tsx';
import { readCharterOrNull } from '../charter/read-charter.ts';
import { NoCharter } from '../charter/no-charter.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { canWrite } from '../session/session.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

type OneVoiceReport = Schemas['OneVoiceReport'];
type DepartmentVoice = OneVoiceReport['departments'][number];
type StoredCharter = Schemas['StoredCharter'];

/**
 * ワンボイス: where the brand's voice splits across departments. The charter is the
 * reference (its relationship and forms of address); then the splits in words, the forms of
 * address side by side, and each department's scores and most common findings.
 */
export function CharterOneVoicePage() {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const loaded = useApiData(
    async (signal) => {
      const [report, charter] = await Promise.all([
        unwrap(api.GET('/api/v1/workspaces/{workspace}/charter/one-voice', { params: { path: { workspace: workspace.name } }, signal })),
        readCharterOrNull(workspace.name, signal),
      ]);
      return { report, charter };
    },
    [workspace.name],
  );
  return (
    <>
      <header className="charter-list-header">
        <h1>{t.charter.oneVoice.title}</h1>
        <p className="muted lead">{t.charter.oneVoice.lead}</p>
      </header>
      <WhenLoaded data={loaded}>{({ report, charter }) => <OneVoice report={report} charter={charter} />}</WhenLoaded>
    </>
  );
}

function OneVoice({ report, charter }: { report: OneVoiceReport; charter: StoredCharter | null }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const o = t.charter.oneVoice;
  if (charter === null) {
    return <NoCharter />;
  }
  const anyTemplate = report.departments.some((voice) => voice.templates.length > 0);
  const splitDepartments = new Set<Department>(report.splits.flatMap((split) => split.departments));
  return (
    <>
      <CharterReference charter={charter} />
      {anyTemplate ? (
        <>
          <Splits report={report} charter={charter} />
          <AddressMatrix rows={addressRows(report, charter.charter.address.use)} splitDepartments={splitDepartments} />
          <section className="voice-departments" aria-labelledby="one-voice-departments">
            <h2 id="one-voice-departments">{o.departments.title}</h2>
            <div className="voice-grid">
              {report.departments.map((voice) => (
                <DepartmentCard key={voice.department} voice={voice} split={splitDepartments.has(voice.department)} />
              ))}
            </div>
          </section>
        </>
      ) : (
        <div className="alert alert-info" role="status">
          <strong>{o.empty.noTemplates}</strong>
          <p>{o.empty.noTemplatesNote}</p>
          <Link className="button" to={charterPath(workspace.name, 'templates')}>
            {o.empty.openTemplates}
          </Link>
        </div>
      )}
    </>
  );
}

/** The reference every department is compared with: the relationship, and the forms of address to use and avoid. */
function CharterReference({ charter }: { charter: StoredCharter }) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const r = t.charter.oneVoice.reference;
  const address = charter.charter.address;
  return (
    <section className="card charter-reference" aria-labelledby="one-voice-reference">
      <div className="card-header">
        <h2 id="one-voice-reference">
          {r.title} <span className="badge">{r.version(format.integer(charter.version))}</span>
        </h2>
        <Link className="small" to={charterPath(workspace.name, 'editor')}>
          {r.open}
        </Link>
      </div>
      <p className="relationship">{t.charter.relationshipPhrase(charter.charter.relationship)}</p>
      <dl className="address-rules">
        <dt>{r.use}</dt>
        <dd>
          {address.use.map((form) => (
            <span key={form} className="chip chip-use">
              {normalizeAddress(form)}
            </span>
          ))}
        </dd>
        <dt>{r.avoid}</dt>
        <dd>
          {address.avoid.length === 0
            ? t.app.none
            : address.avoid.map((form) => (
                <span key={form} className="chip chip-avoid">
                  {form}
                </span>
              ))}
        </dd>
      </dl>
    </section>
  );
}

/** The splits in words: 「あなた」は営業が使っています — 関係性定義では使いません。 */
function Splits({ report, charter }: { report: OneVoiceReport; charter: StoredCharter }) {
  const { t } = useI18n();
  const s = t.charter.oneVoice.splits;
  const why = (form: string) => {
    const preferred = charter.charter.dictionary.find((entry) => entry.variants.includes(form))?.preferred;
    if (preferred !== undefined) return s.variant(preferred);
    if (charter.charter.address.avoid.includes(form)) return s.avoid;
    return s.other;
  };
  const instead = s.instead(charter.charter.address.use.map(normalizeAddress));
  return (
    <section className={report.splits.length > 0 ? 'card voice-splits has-splits' : 'card voice-splits'} aria-labelledby="one-voice-splits">
      <h2 id="one-voice-splits">{s.title}</h2>
      {report.splits.length === 0 ? (
        <p className="split-none">✓ {s.none}</p>
      ) : (
        <>
          <ul className="split-list">
            {report.splits.map((split) => (
              <li key={split.form}>
                <strong>{s.usedBy(split.form, t.charter.oneVoice.joinList(split.departments.map((d) => t.charter.departments[d])))}</strong>
                {' — '}
                {why(split.form)}
              </li>
            ))}
          </ul>
          <p className="muted small">{instead}</p>
        </>
      )}
    </section>
  );
}

function DepartmentCard({ voice, split }: { voice: DepartmentVoice; split: boolean }) {
  const { t } = useI18n();
  const { workspace, format } = useCurrentWorkspace();
  const role = useRole();
  const d = t.charter.oneVoice.departments;
  const name = t.charter.departments[voice.department];
  const headingId = `voice-${voice.department}`;
  const offCharter = voice.addressForms.filter((use) => use.standing !== 'use');
  return (
    <section className={split ? 'card voice-card voice-split' : 'card voice-card'} aria-labelledby={headingId} data-department={voice.department}>
      <div className="card-header">
        <h3 id={headingId}>{name}</h3>
        {split && <span className="badge split-badge">⚠ {d.split}</span>}
      </div>
      <dl className="voice-numbers">
        <div>
          <dt>{d.meanScore}</dt>
          <dd className="mean-score">{voice.meanScore === null ? t.app.none : <ScoreBadge score={voice.meanScore} />}</dd>
        </div>
        <div>
          <dt>{d.templates}</dt>
          <dd className="template-count">{format.integer(voice.templates.length)}</dd>
        </div>
      </dl>
      {voice.templates.length === 0 ? (
        <div className="empty-state">
          <p>{d.noTemplates}</p>
          {canWrite(role) && <Link to={`${charterPath(workspace.name, 'templates', 'new')}?department=${voice.department}`}>{d.create}</Link>}
        </div>
      ) : (
        <>
          <ul className="voice-templates" aria-label={d.templates}>
            {voice.templates.map((template) => (
              <li key={template.id}>
                <Link to={charterPath(workspace.name, 'templates', template.id)}>{template.name}</Link>
                <span className="voice-template-meta">
                  <TemplateStatusBadge status={template.status} /> <ScoreBadge score={template.score} />
                </span>
              </li>
            ))}
          </ul>
          {offCharter.length > 0 && (
            <div className="off-charter">
              <h4>{d.offCharter}</h4>
              <ul>
                {offCharter.map((use) => (
                  <li key={use.form}>
                    <strong>{d.offCharterItem(use.form, format.integer(use.count))}</strong>
                    <span className="muted small">{t.charter.oneVoice.matrix.example(use.example, use.templateName)}</span>
                  </li>
                ))}
              </ul>
            </div>
          )}
          <TopFindings voice={voice} />
        </>
      )}
    </section>
  );
}

function TopFindings({ voice }: { voice: DepartmentVoice }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const d = t.charter.oneVoice.departments;
  if (voice.topFindings.length === 0) return <p className="muted small">{d.noFindings}</p>;
  return (
    <div className="table-wrap">
      <table className="table-compact findings-table" aria-label={d.findingsCaption(t.charter.departments[voice.department])}>
        <caption className="findings-caption">{d.topFindings}</caption>
        <thead>
          <tr>
            <th scope="col">{d.rule}</th>
            <th scope="col">{d.severity}</th>
            <th scope="col" className="num">
              {d.count}
            </th>
            <th scope="col">{d.example}</th>
          </tr>
        </thead>
        <tbody>
          {voice.topFindings.map((finding) => (
            <tr key={finding.rule}>
              <td title={finding.rule}>{ruleLabel(t, finding.rule)}</td>
              <td>
                <SeverityBadge severity={finding.severity} />
              </td>
              <td className="num">{format.integer(finding.count)}</td>
              <td className="finding-example">{t.charter.oneVoice.quote(finding.example)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
