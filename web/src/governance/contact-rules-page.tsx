import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, api, type Schemas, unwrap } from '../api/client.ts';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import { Failure } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { canManage } from '../session/session.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { CapsSection } from './caps-section.tsx';
import { GlobalControlCard } from './global-control-card.tsx';
import './governance.css';
import { PreviewCard } from './preview-card.tsx';
import { QuietSection } from './quiet-section.tsx';
import { draftOf, type RulesDraft, rulesOf, sameRules } from './rules-draft.ts';
import { GlobalControlSection, SuppressionSection, TimezoneSection } from './settings-sections.tsx';

type Stored = Schemas['StoredContactRules'];
type Problem = { path: string; message: string };

type Outcome =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved' }
  | { kind: 'refused'; message: string; problems: Problem[] }
  | { kind: 'failed'; error: Error };

/**
 * 連絡ルール (/w/:workspace/contact-rules): the workspace's contact rules as one form — frequency
 * caps, quiet hours, suppression, time zone, the global control group — each rule also said in a
 * sentence; saved as a whole by an admin (others see it read-only), the server's refusal shown
 * beside the form with nothing saved. Below: the preview of the rules being edited, and the
 * global control group's report while the saved share is above 0.
 */
export default function ContactRulesPage() {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const stored = useApiData(
    (signal) => unwrap(api.GET('/api/v1/workspaces/{workspace}/contact-rules', { params: { path: { workspace: workspace.name } }, signal })),
    [workspace.name],
  );
  return (
    <div className="governance-page">
      <h1>{t.governance.title}</h1>
      <p className="muted">{t.governance.lead}</p>
      <WhenLoaded data={stored}>{(data) => <RulesEditor key={`${workspace.name}:${data.updatedAt ?? ''}`} initial={data} />}</WhenLoaded>
    </div>
  );
}

function problemsOf(error: ApiError): Problem[] {
  const details = error.details as { problems?: unknown } | undefined;
  if (!Array.isArray(details?.problems)) return [];
  return details.problems.filter((p): p is Problem => typeof p === 'object' && p !== null && typeof p.path === 'string' && typeof p.message === 'string');
}

/** The rows (caps.N, quietHours.N) a refusal names. */
function rowsWithProblems(problems: readonly Problem[], list: 'caps' | 'quietHours'): Set<number> {
  const rows = new Set<number>();
  for (const problem of problems) {
    const [head, index] = problem.path.split('.');
    if (head === list && index !== undefined && /^\d+$/.test(index)) rows.add(Number(index));
  }
  return rows;
}

function RulesEditor({ initial }: { initial: Stored }) {
  const { t } = useI18n();
  const g = t.governance;
  const { workspace } = useCurrentWorkspace();
  const readOnly = !canManage(workspace.role);
  const [saved, setSaved] = useState(initial);
  const [baseline, setBaseline] = useState(() => draftOf(initial.rules));
  const [draft, setDraft] = useState<RulesDraft>(baseline);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const dirty = !sameRules(draft, baseline);
  const rules = useMemo(() => rulesOf(draft), [draft]);
  const problems = outcome.kind === 'refused' ? outcome.problems : [];
  const refusal = useRef<HTMLDivElement>(null);
  const leaveWarning = g.leaveWarning;

  useEffect(() => {
    if (outcome.kind === 'refused') refusal.current?.scrollIntoView({ block: 'center' });
  }, [outcome]);

  useEffect(() => {
    if (readOnly || !dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    // BrowserRouter has no navigation blocker: a link followed inside the console is asked about here, before React Router sees the click.
    const askOnLink = (event: MouseEvent) => {
      const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
      if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || link.getAttribute('target') === '_blank') return;
      if (window.confirm(leaveWarning)) return;
      event.preventDefault();
      event.stopPropagation();
    };
    window.addEventListener('beforeunload', warn);
    document.addEventListener('click', askOnLink, true);
    return () => {
      window.removeEventListener('beforeunload', warn);
      document.removeEventListener('click', askOnLink, true);
    };
  }, [readOnly, dirty, leaveWarning]);

  const change = (patch: Partial<RulesDraft>) => {
    setDraft((current) => ({ ...current, ...patch }));
    if (outcome.kind === 'saved') setOutcome({ kind: 'idle' });
  };

  const save = async () => {
    setOutcome({ kind: 'saving' });
    try {
      const result = await unwrap(api.PUT('/api/v1/workspaces/{workspace}/contact-rules', { params: { path: { workspace: workspace.name } }, body: rules }));
      const next = draftOf(result.rules);
      setSaved(result);
      setBaseline(next);
      setDraft(next);
      setOutcome({ kind: 'saved' });
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) setOutcome({ kind: 'refused', message: error.message, problems: problemsOf(error) });
      else setOutcome({ kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
    }
  };

  const discard = () => {
    setDraft(baseline);
    setOutcome({ kind: 'idle' });
  };

  return (
    <>
      <p className="muted small" data-testid="rules-updated">
        {saved.updatedAt ? <UpdatedLine at={saved.updatedAt} by={saved.updatedBy} /> : g.neverSaved}
      </p>
      {readOnly && (
        <p className="alert alert-info" role="note">
          {g.readOnly}
        </p>
      )}
      <form
        className="governance-form"
        aria-label={g.formLabel}
        onSubmit={(event) => {
          event.preventDefault();
          if (!readOnly) void save();
        }}
      >
        {!readOnly && (
          <div className="governance-savebar">
            <div className="actions">
              <button type="submit" className="button button-primary" disabled={!dirty || outcome.kind === 'saving'}>
                {outcome.kind === 'saving' ? g.saving : g.save}
              </button>
              <button type="button" className="button" disabled={!dirty || outcome.kind === 'saving'} onClick={discard}>
                {g.discard}
              </button>
              <span aria-live="polite">
                {dirty && (
                  <span className="badge badge-pending" data-testid="rules-dirty">
                    {g.dirty}
                  </span>
                )}
              </span>
            </div>
            <div aria-live="polite">
              {outcome.kind === 'saved' && (
                <p className="alert alert-ok" role="status">
                  {g.saved}
                </p>
              )}
            </div>
            {outcome.kind === 'refused' && (
              <div className="alert alert-error" role="alert" ref={refusal} data-testid="rules-refused">
                <strong>{g.refused}</strong>
                {outcome.problems.length > 0 ? (
                  <ul className="governance-problems">
                    {outcome.problems.map((problem, index) => (
                      <li key={index}>
                        {problem.path && <code>{problem.path}</code>} {problem.message}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p>{outcome.message}</p>
                )}
              </div>
            )}
            {outcome.kind === 'failed' && <Failure error={outcome.error} />}
          </div>
        )}
        <fieldset className="governance-fields" disabled={readOnly}>
          <CapsSection caps={draft.caps} problems={rowsWithProblems(problems, 'caps')} onChange={(caps) => change({ caps })} />
          <QuietSection quiet={draft.quietHours} problems={rowsWithProblems(problems, 'quietHours')} onChange={(quietHours) => change({ quietHours })} />
          <SuppressionSection draft={draft} onChange={change} />
          <TimezoneSection draft={draft} workspaceTimezone={saved.workspaceTimezone} onChange={change} />
          <GlobalControlSection draft={draft} onChange={change} />
        </fieldset>
      </form>
      <PreviewCard rules={rules} unsaved={dirty} />
      {saved.rules.globalControlPercent > 0 && <GlobalControlCard percent={saved.rules.globalControlPercent} />}
    </>
  );
}

/** Who saved the rules last, and when: an admin sees the member's name, others the user's number. */
function UpdatedLine({ at, by }: { at: string; by: string | null }) {
  const { t } = useI18n();
  const g = t.governance;
  const { workspace, format } = useCurrentWorkspace();
  const admin = canManage(workspace.role);
  const members = useApiData(
    (signal) =>
      admin && by !== null
        ? unwrap(api.GET('/api/v1/workspaces/{workspace}/members', { params: { path: { workspace: workspace.name } }, signal }))
        : Promise.resolve(null),
    [workspace.name, admin, by],
  );
  if (by === null) return <>{g.updatedNoUser(format.dateTime(at))}</>;
  const member = members.state === 'ready' ? members.data?.find((m) => m.userId === by) : undefined;
  return <>{g.updated(format.dateTime(at), member ? member.displayName || member.email : g.userN(by))}</>;
}
