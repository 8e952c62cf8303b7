import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, ApiError, type Schemas, unwrap } from '../api/client.ts';
import { WhenLoaded } from '../analytics/page-frame.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { EffectPanel } from '../measurement/effect-panel.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCurrentWorkspace, useRole } from '../workspaces/workspaces.tsx';
import { DryRunPanel } from './dry-run-panel.tsx';
import {
  editableDocument,
  mayEditScenarios,
  newScenarioDocument,
  type Problem,
  publishedDocument,
  type Scenario,
  type ScenarioDocument,
} from './scenario-draft.ts';
import { ScenarioEditor } from './scenario-editor.tsx';
import { SendLog } from './send-log.tsx';
import { VersionsList } from './versions-list.tsx';

const TABS = ['flow', 'dryRun', 'sends', 'effect', 'versions'] as const;
type Tab = (typeof TABS)[number];

/** One scenario (or a new one, /scenarios/new): the flow editor, the dry run, the send log, the effect and the versions, as tabs (?tab= opens one). */
export function ScenarioPage() {
  const { scenario: param = 'new' } = useParams();
  const { workspace } = useCurrentWorkspace();
  const isNew = param === 'new';
  const loaded = useApiData(
    async (signal) => {
      const path = { workspace: workspace.name };
      const [scenario, templates] = await Promise.all([
        isNew
          ? Promise.resolve(null)
          : unwrap(api.GET('/api/v1/workspaces/{workspace}/scenarios/{scenario}', { params: { path: { ...path, scenario: param } }, signal })),
        unwrap(api.GET('/api/v1/workspaces/{workspace}/templates', { params: { path }, signal })),
      ]);
      return { scenario, templates: templates.items.filter((template) => template.status === 'published' && template.channel === 'email') };
    },
    [workspace.name, param],
  );
  return (
    <WhenLoaded data={loaded}>
      {({ scenario, templates }) => <ScenarioView key={scenario?.key ?? 'new'} scenario={scenario} templates={templates} />}
    </WhenLoaded>
  );
}

function ScenarioView({ scenario: initial, templates }: { scenario: Scenario | null; templates: Schemas['MessageTemplateSummary'][] }) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const editable = mayEditScenarios(useRole());
  const navigate = useNavigate();
  const a = t.scenarios.actions;
  const [scenario, setScenario] = useState(initial);
  const [document, setDocument] = useState<ScenarioDocument>(() =>
    scenario?.draft ? editableDocument(scenario.draft.document) : scenario?.published ? publishedDocument(scenario.published) : newScenarioDocument(),
  );
  const [searchParams] = useSearchParams();
  const [tab, setTab] = useState<Tab>(() => TABS.find((each) => each === searchParams.get('tab') && initial !== null) ?? 'flow');
  const [busy, setBusy] = useState<'save' | 'publish' | 'status' | null>(null);
  // A new scenario's first save moves to its own address; the note of the save comes along.
  const carried = (useLocation().state as { message?: string } | null)?.message;
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(carried ? { kind: 'ok', text: carried } : null);
  const [refused, setRefused] = useState<Problem[] | null>(null);
  const [countersVersion, setCountersVersion] = useState<number | null>(null);
  const key = scenario?.key ?? document.key;
  const counters = useApiData(
    async (signal) =>
      scenario
        ? unwrap(
            api.GET('/api/v1/workspaces/{workspace}/scenarios/{scenario}/steps', {
              params: { path: { workspace: workspace.name, scenario: scenario.key }, query: countersVersion === null ? {} : { version: countersVersion } },
              signal,
            }),
          )
        : [],
    // Counted again whenever the flow is shown (customers move while one looks at the other tabs).
    [workspace.name, scenario?.key, countersVersion, scenario?.updatedAt, tab === 'flow'],
  );

  const tabLabel = (each: Tab) => (each === 'effect' ? t.measurement.tab : t.scenarios.tabs[each]);
  const path = { workspace: workspace.name, scenario: key };
  const afterWrite = (next: Scenario, note: string) => {
    setScenario(next);
    setMessage({ kind: 'ok', text: note });
    if (!scenario)
      void navigate(`/w/${encodeURIComponent(workspace.name)}/scenarios/${encodeURIComponent(next.key)}`, { replace: true, state: { message: note } });
  };
  const failed = (error: unknown) => {
    if (error instanceof ApiError) {
      const problems = (error.details as { problems?: Problem[] } | undefined)?.problems;
      if (problems) setRefused(problems);
      setMessage({ kind: 'error', text: problems ? a.refused : error.message });
    } else setMessage({ kind: 'error', text: String(error) });
  };
  const save = async () => {
    if (!key) return setMessage({ kind: 'error', text: a.keyMissing });
    setBusy('save');
    setMessage(null);
    try {
      afterWrite(
        await unwrap(
          api.PUT('/api/v1/workspaces/{workspace}/scenarios/{scenario}/draft', { params: { path }, body: document as unknown as Record<string, unknown> }),
        ),
        a.saved,
      );
    } catch (error) {
      failed(error);
    } finally {
      setBusy(null);
    }
  };
  const publish = async () => {
    if (!key) return setMessage({ kind: 'error', text: a.keyMissing });
    setBusy('publish');
    setMessage(null);
    try {
      const published = await unwrap(
        api.POST('/api/v1/workspaces/{workspace}/scenarios/{scenario}/publish', {
          params: { path },
          body: { document: document as unknown as Record<string, unknown> },
        }),
      );
      setRefused(null);
      afterWrite(published.scenario, published.outcome === 'unchanged' ? a.unchanged : a.published(String(published.scenario.published?.version ?? '')));
    } catch (error) {
      failed(error);
    } finally {
      setBusy(null);
    }
  };
  const changeStatus = async (action: 'pause' | 'resume') => {
    setBusy('status');
    setMessage(null);
    try {
      const route =
        action === 'pause' ? '/api/v1/workspaces/{workspace}/scenarios/{scenario}/pause' : '/api/v1/workspaces/{workspace}/scenarios/{scenario}/resume';
      setScenario(await unwrap(api.POST(route, { params: { path } })));
    } catch (error) {
      failed(error);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <header className="page-header scenario-header">
        <div>
          <Link className="back-link" to={`/w/${encodeURIComponent(workspace.name)}/scenarios`}>
            ← {t.scenarios.title}
          </Link>
          <h1>{document.name || scenario?.key || t.scenarios.create}</h1>
          <p className="muted">
            <span className={`badge scenario-status-${scenario?.status ?? 'new'}`} data-testid="scenario-status">
              {scenario ? (t.scenarios.status[scenario.status] ?? scenario.status) : t.scenarios.unsaved}
            </span>{' '}
            {scenario?.published && t.scenarios.canvas.versionN(String(scenario.published.version))}
            {scenario?.draft && ` · ${t.scenarios.fromDraft}`}
          </p>
        </div>
        {editable && (
          <div className="actions">
            <button type="button" className="button" disabled={busy !== null} onClick={() => void save()}>
              {busy === 'save' ? a.saving : a.save}
            </button>
            <button type="button" className="button button-primary" disabled={busy !== null} onClick={() => void publish()}>
              {busy === 'publish' ? a.publishing : a.publish}
            </button>
            {scenario?.status === 'active' && (
              <button type="button" className="button" disabled={busy !== null} onClick={() => void changeStatus('pause')}>
                {a.pause}
              </button>
            )}
            {scenario?.status === 'paused' && (
              <button type="button" className="button" disabled={busy !== null} onClick={() => void changeStatus('resume')}>
                {a.resume}
              </button>
            )}
          </div>
        )}
      </header>
      {!editable && <p className="alert alert-info">{t.scenarios.readOnly}</p>}
      {message && (
        <p className={message.kind === 'ok' ? 'alert alert-ok' : 'alert alert-error'} role={message.kind === 'ok' ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      <div className="segmented scenario-tabs" role="tablist" aria-label={t.scenarios.tabsLabel}>
        {TABS.map((each) => (
          <button key={each} type="button" role="tab" aria-selected={tab === each} disabled={each !== 'flow' && !scenario} onClick={() => setTab(each)}>
            {tabLabel(each)}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={tabLabel(tab)}>
        {tab === 'flow' && (
          <>
            {scenario?.published && (
              <label className="field-inline scenario-counters-version">
                <span>{t.scenarios.canvas.countersOf}</span>
                <select value={countersVersion ?? ''} onChange={(event) => setCountersVersion(event.target.value === '' ? null : Number(event.target.value))}>
                  <option value="">{t.scenarios.canvas.allVersions}</option>
                  {Array.from({ length: scenario.published.version }, (_, i) => scenario.published!.version - i).map((version) => (
                    <option key={version} value={version}>
                      {t.scenarios.canvas.versionN(String(version))}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <ScenarioEditor
              document={document}
              onChange={setDocument}
              isNew={!scenario}
              editable={editable}
              templates={templates}
              counters={counters.state === 'ready' ? counters.data : []}
              refused={refused}
            />
          </>
        )}
        {tab === 'dryRun' && scenario && <DryRunPanel scenario={scenario} />}
        {tab === 'sends' && scenario && <SendLog scenario={scenario} />}
        {tab === 'effect' && scenario && <EffectPanel scenario={scenario} />}
        {tab === 'versions' && scenario && (
          <VersionsList
            scenario={scenario}
            editable={editable}
            onLoad={(version) => {
              setDocument(publishedDocument(version));
              setTab('flow');
            }}
          />
        )}
      </div>
    </>
  );
}
