import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError, api, unwrap, type Schemas } from '../api/client.ts';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import { FindingCard } from '../charter/finding-card.tsx';
import { charterPath, DEPARTMENTS, ScoreBadge, StaleMarker, TemplateStatusBadge } from '../charter/labels.tsx';
import { findingKey } from '../charter/finding-edits.ts';
import type { Finding, MessageDraft } from '../charter/live-check.ts';
import { MessageEditor } from '../charter/message-editor.tsx';
import { OverrideTable, type Override } from '../charter/override-table.tsx';
import { Failure } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { canWrite } from '../session/session.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';

type StoredTemplate = Schemas['MessageTemplateWithOverrides'];

/** A template's page (templates/:templateId) or a new one (templates/new?department=…, or a draft handed over from the checker). */
export function CharterTemplatePage() {
  const { templateId } = useParams();
  const { workspace } = useCurrentWorkspace();
  const template = useApiData(
    (signal) =>
      templateId === undefined
        ? Promise.resolve(undefined)
        : unwrap(api.GET('/api/v1/workspaces/{workspace}/templates/{id}', { params: { path: { workspace: workspace.name, id: templateId } }, signal })),
    [workspace.name, templateId],
  );
  return <WhenLoaded data={template}>{(stored) => <TemplateEditor key={stored?.id ?? 'new'} stored={stored} onChanged={template.reload} />}</WhenLoaded>;
}

function draftOf(template: StoredTemplate): MessageDraft {
  return { department: template.department, channel: template.channel, format: template.format, subject: template.subject ?? '', body: template.body };
}

function TemplateEditor({ stored, onChanged }: { stored: StoredTemplate | undefined; onChanged(): void }) {
  const { t } = useI18n();
  const tt = t.charter.template;
  const { workspace, format } = useCurrentWorkspace();
  const role = useRole();
  const navigate = useNavigate();
  const location = useLocation();
  const [query] = useSearchParams();
  const writable = canWrite(role);

  const handedOver = (location.state as { draft?: MessageDraft } | null)?.draft;
  const department = DEPARTMENTS.find((d) => d === query.get('department')) ?? 'marketing';
  const initial: MessageDraft = stored ? draftOf(stored) : (handedOver ?? { department, channel: 'email', format: 'text', subject: '', body: '' });
  const [name, setName] = useState(stored?.name ?? '');
  const [draft, setDraft] = useState<MessageDraft>(initial);
  const [busy, setBusy] = useState<'saving' | 'publishing' | undefined>();
  const [notice, setNotice] = useState<string>();
  const [failure, setFailure] = useState<Error>();
  const [refused, setRefused] = useState<Finding[]>();

  const savedDraft = stored ? draftOf(stored) : undefined;
  const dirty = !stored || name !== stored.name || JSON.stringify(draft) !== JSON.stringify(savedDraft);

  async function save() {
    setBusy('saving');
    setFailure(undefined);
    setNotice(undefined);
    setRefused(undefined);
    const subject = draft.channel === 'email' && draft.subject?.trim() ? draft.subject : null;
    const body = { name, department: draft.department, channel: draft.channel, format: draft.format ?? 'text', subject, body: draft.body };
    try {
      if (stored) {
        await unwrap(api.PUT('/api/v1/workspaces/{workspace}/templates/{id}', { params: { path: { workspace: workspace.name, id: stored.id } }, body }));
        setNotice(tt.saved);
        onChanged();
      } else {
        const created = await unwrap(api.POST('/api/v1/workspaces/{workspace}/templates', { params: { path: { workspace: workspace.name } }, body }));
        void navigate(charterPath(workspace.name, 'templates', created.id), { replace: true, state: { notice: tt.created } });
      }
    } catch (error) {
      setFailure(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setBusy(undefined);
    }
  }

  async function publish(reason?: string) {
    if (!stored) return;
    setBusy('publishing');
    setFailure(undefined);
    setNotice(undefined);
    try {
      const outcome = await unwrap(
        api.POST('/api/v1/workspaces/{workspace}/templates/{id}/publish', {
          params: { path: { workspace: workspace.name, id: stored.id } },
          body: reason === undefined ? {} : { override: { reason } },
        }),
      );
      setRefused(undefined);
      setNotice(outcome.outcome === 'published_over_errors' ? tt.publishedOverErrors : tt.published);
      onChanged();
    } catch (error) {
      const findings = error instanceof ApiError && error.status === 409 ? (error.details as { findings?: Finding[] } | undefined)?.findings : undefined;
      if (findings) setRefused(findings);
      else setFailure(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setBusy(undefined);
    }
  }

  const handedNotice = (location.state as { notice?: string } | null)?.notice;
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted small">
            <Link to={charterPath(workspace.name, 'templates')}>← {tt.back}</Link>
          </p>
          <h1>{stored ? tt.title(stored.name) : tt.newTitle}</h1>
        </div>
        {stored && <TemplateStatusBadge status={stored.status} />}
      </header>
      {!writable && (
        <div className="alert alert-info" role="status">
          {tt.readOnly}
        </div>
      )}
      {stored && <TemplateMeta template={stored} />}
      <MessageEditor
        draft={draft}
        onChange={setDraft}
        workspace={workspace.name}
        readOnly={!writable}
        rows={14}
        header={
          <label className="field">
            <span>{tt.name}</span>
            <input value={name} readOnly={!writable} required maxLength={200} placeholder={tt.namePlaceholder} onChange={(e) => setName(e.target.value)} />
          </label>
        }
        actions={
          writable && (
            <div className="template-actions">
              <div className="actions">
                <button
                  type="button"
                  className="button button-primary"
                  disabled={busy !== undefined || !dirty || name.trim() === '' || draft.body.trim() === ''}
                  onClick={() => void save()}
                >
                  {busy === 'saving' ? tt.saving : stored ? tt.save : tt.create}
                </button>
                {stored && (
                  <button
                    type="button"
                    className="button"
                    disabled={busy !== undefined || dirty || (stored.status === 'published' && !stored.stale)}
                    title={dirty ? tt.saveBeforePublish : undefined}
                    onClick={() => void publish()}
                  >
                    {busy === 'publishing' ? tt.publishing : tt.publish}
                  </button>
                )}
                {stored && dirty && <span className="badge stale">{tt.unsaved}</span>}
                {stored && <DeleteTemplate template={stored} disabled={busy !== undefined} />}
              </div>
              {stored && dirty && <p className="muted small">{tt.saveBeforePublish}</p>}
              {(notice ?? handedNotice) && !dirty && (
                <div className="alert alert-ok" role="status">
                  {notice ?? handedNotice}
                </div>
              )}
              {failure && <Failure error={failure} />}
              {refused && stored && (
                <PublishRefused findings={refused} admin={role === 'admin'} busy={busy !== undefined} onOverride={(reason) => void publish(reason)} />
              )}
            </div>
          )
        }
      />
      {stored && <OverrideLog overrides={stored.overrides} />}
      {stored && (
        <p className="muted small">
          {tt.updated}: {tt.updatedBy(stored.updatedBy, format.dateTime(stored.updatedAt))}
        </p>
      )}
    </>
  );
}

/** Delete, after a confirmation in place; the override audit log keeps the template's entries. */
function DeleteTemplate({ template, disabled }: { template: StoredTemplate; disabled: boolean }) {
  const { t } = useI18n();
  const tt = t.charter.template;
  const { workspace } = useCurrentWorkspace();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<Error>();
  async function remove() {
    try {
      await unwrap(api.DELETE('/api/v1/workspaces/{workspace}/templates/{id}', { params: { path: { workspace: workspace.name, id: template.id } } }));
      void navigate(charterPath(workspace.name, 'templates'), { replace: true });
    } catch (error) {
      setFailure(error instanceof Error ? error : new Error(String(error)));
    }
  }
  if (!confirming) {
    return (
      <button type="button" className="button button-quiet template-delete" disabled={disabled} onClick={() => setConfirming(true)}>
        {tt.delete}
      </button>
    );
  }
  return (
    <div className="template-delete-confirm" role="alertdialog" aria-label={tt.delete}>
      <span>{tt.deleteConfirm(template.name)}</span>
      <button type="button" className="button button-danger button-small" onClick={() => void remove()}>
        {tt.deleteConfirmButton}
      </button>
      <button type="button" className="button button-quiet button-small" onClick={() => setConfirming(false)}>
        {tt.cancel}
      </button>
      {failure && <Failure error={failure} />}
    </div>
  );
}

/** What the stored template is: its status, its score when saved, the charter it was checked against. */
function TemplateMeta({ template }: { template: StoredTemplate }) {
  const { t } = useI18n();
  const tt = t.charter.template;
  const { format } = useCurrentWorkspace();
  return (
    <section className="card template-meta" aria-label={tt.meta}>
      <dl className="template-meta-list">
        <div>
          <dt>{tt.status}</dt>
          <dd>
            <TemplateStatusBadge status={template.status} />
          </dd>
        </div>
        <div>
          <dt>{tt.storedScore}</dt>
          <dd>
            <ScoreBadge score={template.score} />
          </dd>
        </div>
        <div>
          <dt>{tt.checkedAgainst}</dt>
          <dd>
            {tt.charterVersion(String(template.charterVersion))} {template.stale && <StaleMarker />}
          </dd>
        </div>
        <div>
          <dt>{tt.publishedAt}</dt>
          <dd>{template.publishedAt ? format.dateTime(template.publishedAt) : tt.notPublished}</dd>
        </div>
      </dl>
      {template.status === 'draft' && template.publishedAt && <p className="muted small">{tt.draftAgain}</p>}
    </section>
  );
}

/** The publish gate said no: the errors, and for an admin the override with a written reason. */
function PublishRefused({ findings, admin, busy, onOverride }: { findings: Finding[]; admin: boolean; busy: boolean; onOverride(reason: string): void }) {
  const { t } = useI18n();
  const tt = t.charter.template;
  const { format } = useCurrentWorkspace();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const missing = reason.trim() === '';
  return (
    <div className="alert alert-error publish-refused" role="alert">
      <p>
        <strong>{tt.publishRefused(format.integer(findings.length))}</strong>
      </p>
      <ul className="publish-refused-list">
        {findings.map((finding) => (
          <li key={findingKey(finding)}>
            <FindingCard finding={finding} readOnly onApplyFix={() => undefined} />
          </li>
        ))}
      </ul>
      {admin ? (
        <form
          className="override-form"
          onSubmit={(event) => {
            event.preventDefault();
            setTried(true);
            if (!missing) onOverride(reason.trim());
          }}
        >
          <h3>{tt.overrideTitle}</h3>
          <label className="field">
            <span>{tt.overrideReason}</span>
            <textarea
              value={reason}
              rows={3}
              maxLength={2000}
              aria-invalid={tried && missing}
              aria-describedby="override-help"
              onChange={(e) => setReason(e.target.value)}
            />
          </label>
          <p id="override-help" className="muted small">
            {tt.overrideReasonHelp}
          </p>
          {tried && missing && (
            <p className="charter-field-error" role="alert">
              {tt.overrideReasonRequired}
            </p>
          )}
          <button type="submit" className="button button-danger" disabled={busy}>
            {tt.overridePublish}
          </button>
        </form>
      ) : (
        <p>{tt.publishRefusedNoAdmin}</p>
      )}
    </div>
  );
}

/** The audit log of this template's publications over errors, with a way to the workspace's whole log. */
function OverrideLog({ overrides }: { overrides: Override[] }) {
  const { t } = useI18n();
  const tt = t.charter.template;
  const { workspace } = useCurrentWorkspace();
  return (
    <section className="card override-log" aria-labelledby="override-log-title">
      <div className="card-header">
        <h2 id="override-log-title">{tt.overrides}</h2>
        <Link to={charterPath(workspace.name, 'overrides')} className="small">
          {tt.logAll}
        </Link>
      </div>
      {overrides.length === 0 ? <p className="muted">{tt.overridesNone}</p> : <OverrideTable overrides={overrides} />}
    </section>
  );
}
