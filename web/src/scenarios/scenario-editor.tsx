import { useEffect, useRef, useState } from 'react';
import { api, ApiError, type Schemas, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { FlowCanvas, type From, type Selection } from './flow-canvas.tsx';
import {
  connectOutput,
  followsWithNext,
  freshStepId,
  insertStepAfter,
  newStep,
  type Point,
  placeProblem,
  type Problem,
  problemsOf,
  removeStep,
  renameStep,
  type ScenarioDocument,
  type StepKind,
} from './scenario-draft.ts';
import { StepKindOptions } from './fields.tsx';
import { SettingsForm } from './settings-form.tsx';
import { StepForm } from './step-form.tsx';

type Template = Schemas['MessageTemplateSummary'];
type StepCounter = Schemas['ScenarioStepCounter'];

/**
 * The flow editor: the canvas, a side panel for the selected node (the settings with trigger,
 * re-entry and exit rules, or a step), and the checker's problems — asked of the server as the
 * document changes (POST …/scenarios/check), listed above the canvas, each leading to its node
 * and marked beside its field. Read-only roles see the same, every control disabled.
 */
export function ScenarioEditor(props: {
  document: ScenarioDocument;
  onChange(document: ScenarioDocument): void;
  isNew: boolean;
  editable: boolean;
  templates: readonly Template[];
  counters: readonly StepCounter[];
  /** Problems of the last refused publish (shown until the next check answers). */
  refused: readonly Problem[] | null;
}) {
  const { t } = useI18n();
  const { workspace } = useCurrentWorkspace();
  const c = t.scenarios.canvas;
  const { document, onChange } = props;
  const [selection, setSelection] = useState<Selection>({ on: 'settings' });
  const [kind, setKind] = useState<StepKind>('send');
  const checked = useLiveCheck(workspace.name, document);
  const problems = checked.problems ?? props.refused ?? [];
  const selectedIndex = selection.on === 'step' ? document.steps.findIndex((step) => step.id === selection.id) : -1;
  const selectedStep = selectedIndex >= 0 ? document.steps[selectedIndex] : undefined;
  // Where each node stands (by step id): kept across changes so that editing edges never moves a node.
  const positions = useRef(new Map<string, Point>()).current;

  const addStep = () => {
    const id = freshStepId(document.steps, kind);
    const firstTemplate = props.templates[0]?.id;
    const step = newStep(kind, id, firstTemplate);
    // A new step follows the selected one when that one ends there; the first step is the start.
    const steps = document.steps.map((each) =>
      selectedStep && each.id === selectedStep.id && followsWithNext(each) && each.next === null ? { ...each, next: id } : each,
    );
    onChange({ ...document, steps: [...steps, step], start: document.start || id });
    setSelection({ on: 'step', id });
  };
  const connect = (from: From, target: string) => {
    if (from === 'start') onChange({ ...document, start: target });
    else onChange(connectOutput(document, from.step, from.handle, target));
  };
  const addConnected = (stepKind: StepKind, from: From, mode: 'connect' | 'insert'): string => {
    const id = freshStepId(document.steps, stepKind);
    const step = newStep(stepKind, id, props.templates[0]?.id);
    if (from === 'start') onChange({ ...document, steps: [...document.steps, step], start: id });
    else if (mode === 'insert') onChange({ ...insertStepAfter(document, from.step, from.handle, step), start: document.start || id });
    else onChange({ ...connectOutput({ ...document, steps: [...document.steps, step] }, from.step, from.handle, id), start: document.start || id });
    setSelection({ on: 'step', id });
    return id;
  };
  const showProblem = (problem: Problem) => {
    const place = placeProblem(problem.path);
    const step = place.on === 'step' ? document.steps[place.index] : undefined;
    setSelection(step ? { on: 'step', id: step.id } : { on: 'settings' });
  };
  const errors = problems.filter((problem) => problem.severity === 'error').length;

  return (
    <div className="scenario-editor">
      <section className="card scenario-problems" aria-labelledby="scenario-problems-title" data-testid="scenario-problems">
        <h2 id="scenario-problems-title">
          {t.scenarios.problems.title}{' '}
          <span className="muted small" aria-live="polite">
            {checked.pending
              ? t.scenarios.problems.checking
              : problems.length === 0
                ? t.scenarios.problems.clean
                : t.scenarios.problems.count(String(errors), String(problems.length - errors))}
          </span>
        </h2>
        {problems.length > 0 && (
          <ul className="problem-list">
            {problems.map((problem, index) => (
              <li key={index} className={problem.severity === 'error' ? 'problem-error' : 'problem-warning'}>
                <button
                  type="button"
                  className="button button-small button-quiet"
                  aria-label={t.scenarios.problems.show(problem.path)}
                  onClick={() => showProblem(problem)}
                >
                  <code>{problem.path}</code>
                </button>{' '}
                <span className="badge">{problem.severity === 'error' ? t.scenarios.problems.error : t.scenarios.problems.warning}</span> {problem.message}
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className="scenario-workbench">
        <div className="scenario-canvas-column">
          {props.editable && (
            <div className="toolbar scenario-toolbar">
              <label className="field-inline">
                <span>{c.addKind}</span>
                <select value={kind} onChange={(event) => setKind(event.target.value as StepKind)}>
                  <StepKindOptions />
                </select>
              </label>
              <button type="button" className="button" onClick={addStep}>
                {c.addStep}
              </button>
              <button type="button" className="button button-quiet" onClick={() => setSelection({ on: 'settings' })}>
                {c.settings}
              </button>
            </div>
          )}
          {document.steps.length === 0 && <p className="muted">{c.empty}</p>}
          <FlowCanvas
            document={document}
            problems={problems}
            counters={props.counters}
            selection={selection}
            onSelect={setSelection}
            editable={props.editable}
            positions={positions}
            onConnect={connect}
            onDisconnect={(from) => onChange(connectOutput(document, from.step, from.handle, null))}
            onAdd={addConnected}
          />
          <p className="muted small">{c.countersLegend}</p>
        </div>
        <fieldset className="scenario-side" disabled={!props.editable}>
          {selectedStep ? (
            <StepForm
              key={selectedIndex}
              step={selectedStep}
              isStart={document.start === selectedStep.id}
              stepIds={document.steps.map((step) => step.id)}
              templates={props.templates}
              problems={problemsOf(problems, { step: selectedIndex })}
              onChange={(step) => onChange({ ...document, steps: document.steps.map((each, i) => (i === selectedIndex ? step : each)) })}
              onRename={(id) => {
                const place = positions.get(selectedStep.id);
                if (place && !positions.has(id)) positions.set(id, place);
                positions.delete(selectedStep.id);
                onChange(renameStep(document, selectedStep.id, id));
                setSelection({ on: 'step', id });
              }}
              onRemove={() => {
                positions.delete(selectedStep.id);
                onChange(removeStep(document, selectedStep.id));
                setSelection({ on: 'settings' });
              }}
              onMakeStart={() => onChange({ ...document, start: selectedStep.id })}
            />
          ) : (
            <SettingsForm document={document} isNew={props.isNew} problems={problemsOf(problems, 'settings')} onChange={onChange} />
          )}
        </fieldset>
      </div>
    </div>
  );
}

/** The checker's problems of the document, asked again 400 ms after the last change. */
function useLiveCheck(workspace: string, document: ScenarioDocument): { problems: Problem[] | null; pending: boolean } {
  const [state, setState] = useState<{ for: string; problems: Problem[] } | null>(null);
  const text = JSON.stringify(document);
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      unwrap(
        api.POST('/api/v1/workspaces/{workspace}/scenarios/check', {
          params: { path: { workspace } },
          body: { document: JSON.parse(text) as Record<string, unknown> },
          signal: controller.signal,
        }),
      ).then(
        (answer) => setState({ for: text, problems: answer.problems }),
        (error: unknown) => {
          if (!controller.signal.aborted && error instanceof ApiError)
            setState({ for: text, problems: [{ path: '(the scenario)', message: error.message, severity: 'error' }] });
        },
      );
    }, 400);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [workspace, text]);
  return { problems: state?.problems ?? null, pending: state?.for !== text };
}
