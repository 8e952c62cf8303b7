import { useEffect, useRef, useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { Failure } from '../components/status.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { charterOf, draftOf, problemsOf, sameCharter, type Charter, type CharterDraft, type Problems } from './charter-draft.ts';
import { CharterImpactPanel, ImpactLine, useCharterImpact } from './charter-impact.tsx';
import { problemMessage, problemPlace } from './charter-problems.ts';
import {
  AvoidSection,
  ClaimsSection,
  DictionarySection,
  LimitsSection,
  PressureSection,
  RegisterSection,
  RelationshipSection,
  ToneSection,
} from './charter-sections.tsx';

type CharterVersion = Schemas['CharterVersion'];

/** The charter as last saved: what "unchanged" is measured against. */
export interface SavedState {
  charter: Charter;
  /** Undefined while the workspace has no charter (the form then creates version 1). */
  version: number | undefined;
}

type Outcome =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; version: number; created: boolean; rechecked: number }
  | { kind: 'unchanged' }
  | { kind: 'refused'; problems: Problems }
  | { kind: 'failed'; error: Error };

const NO_PROBLEMS: Problems = new Map();

/**
 * The whole charter as one form. Saving sends the draft as typed; the server judges it: a
 * refused save keeps every word the user typed and shows each problem beside its field (and
 * listed above the save button), a saved one becomes the new baseline. Closing or reloading
 * the tab with unsaved changes asks first.
 */
export function CharterForm({ initial, readOnly, onSaved }: { initial: SavedState; readOnly: boolean; onSaved(version: CharterVersion): void }) {
  const { t } = useI18n();
  const e = t.charter.editor;
  const leaveWarning = e.leaveWarning;
  const { workspace } = useCurrentWorkspace();
  const [saved, setSaved] = useState(initial);
  const [baseline, setBaseline] = useState(() => draftOf(initial.charter));
  const [draft, setDraft] = useState(baseline);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const creating = saved.version === undefined;
  const edited = !sameCharter(draft, baseline);
  const dirty = creating || edited;
  const problems = outcome.kind === 'refused' ? outcome.problems : NO_PROBLEMS;
  const showImpact = !readOnly && !creating && edited;
  const impact = useCharterImpact(charterOf(draft), showImpact);
  const form = useRef<HTMLFormElement>(null);

  // A refused save takes the user to the first field to fix.
  useEffect(() => {
    if (outcome.kind !== 'refused') return;
    const first = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    first?.focus();
    first?.scrollIntoView({ block: 'center' });
  }, [outcome]);

  useEffect(() => {
    if (readOnly || !edited) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    // BrowserRouter has no navigation blocker: a link followed inside the console is asked
    // about here, in the capture phase, before React Router's own click handler sees it.
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
  }, [readOnly, edited, leaveWarning]);

  const change = (patch: Partial<CharterDraft>) => {
    setDraft((current) => ({ ...current, ...patch }));
    if (outcome.kind === 'saved' || outcome.kind === 'unchanged') setOutcome({ kind: 'idle' });
  };

  const save = async () => {
    setOutcome({ kind: 'saving' });
    try {
      const result = await unwrap(
        api.PUT('/api/v1/workspaces/{workspace}/charter', {
          params: { path: { workspace: workspace.name } },
          body: charterOf(draft),
        }),
      );
      const next = draftOf(result.version.charter);
      setSaved({ charter: result.version.charter, version: result.version.version });
      setBaseline(next);
      setDraft(next);
      setOutcome(
        result.outcome === 'saved'
          ? { kind: 'saved', version: result.version.version, created: creating, rechecked: result.templatesRechecked }
          : { kind: 'unchanged' },
      );
      onSaved(result.version);
    } catch (error) {
      const refused = problemsOf(error);
      setOutcome(refused ? { kind: 'refused', problems: refused } : { kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
    }
  };

  const sectionProps = { draft, change, readOnly, problems };
  return (
    <form
      ref={form}
      className="charter-form"
      aria-label={e.title}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (dirty && !readOnly) void save();
      }}
    >
      <RelationshipSection {...sectionProps} />
      <RegisterSection {...sectionProps} />
      <DictionarySection {...sectionProps} />
      <AvoidSection {...sectionProps} />
      <PressureSection {...sectionProps} />
      <LimitsSection {...sectionProps} />
      <ToneSection {...sectionProps} />
      <ClaimsSection {...sectionProps} />
      {showImpact && <CharterImpactPanel state={impact} />}
      {!readOnly && (
        <div className="save-bar" role="region" aria-label={e.save}>
          <div className="save-bar-message">
            <SaveMessage outcome={outcome} dirty={dirty} creating={creating} onShow={(field) => showProblem(form.current, field)} />
            {showImpact && <ImpactLine state={impact} />}
          </div>
          <div className="actions">
            {!creating && (
              <button
                type="button"
                className="button"
                disabled={!dirty || outcome.kind === 'saving'}
                onClick={() => {
                  setDraft(baseline);
                  setOutcome({ kind: 'idle' });
                }}
              >
                {e.discard}
              </button>
            )}
            <button type="submit" className="button button-primary" disabled={!dirty || outcome.kind === 'saving'}>
              {outcome.kind === 'saving' ? e.saving : e.save}
            </button>
          </div>
        </div>
      )}
    </form>
  );
}

/** Takes the user to a refused field: its control (the one its problem describes), or the problem itself. */
function showProblem(form: HTMLFormElement | null, field: string) {
  const problem = form?.querySelector<HTMLElement>(`.field-problem[data-field="${CSS.escape(field)}"]`);
  if (!form || !problem) return;
  const control = problem.id ? form.querySelector<HTMLElement>(`[aria-describedby~="${CSS.escape(problem.id)}"]`) : null;
  const target = control?.matches('input, select, textarea') ? control : problem;
  target.scrollIntoView({ block: 'center' });
  if (target === control) control.focus();
}

function SaveMessage({ outcome, dirty, creating, onShow }: { outcome: Outcome; dirty: boolean; creating: boolean; onShow(field: string): void }) {
  const { t } = useI18n();
  const e = t.charter.editor;
  switch (outcome.kind) {
    case 'saved':
      return (
        <p className="alert alert-ok" role="status">
          {outcome.created ? e.created : e.saved(String(outcome.version))}
          {outcome.rechecked > 0 && ` ${e.rechecked(String(outcome.rechecked))}`}
        </p>
      );
    case 'unchanged':
      return (
        <p className="alert alert-info" role="status">
          {e.unchanged}
        </p>
      );
    case 'refused':
      return (
        <div className="alert alert-error" role="alert">
          <strong>{e.problemsTitle(String(outcome.problems.size))}</strong>
          <ul className="problem-list">
            {[...outcome.problems].map(([field, reason]) => (
              <li key={field}>
                <button type="button" className="problem-link" onClick={() => onShow(field)}>
                  {problemPlace(e, field)}
                </button>
                : {problemMessage(e, field, reason)}
              </li>
            ))}
          </ul>
        </div>
      );
    case 'failed':
      return <Failure error={outcome.error} />;
    case 'saving':
    case 'idle':
      return <p className={`save-state ${dirty ? 'is-dirty' : ''}`}>{creating ? e.notCreatedYet : dirty ? e.dirty : e.clean}</p>;
  }
}
