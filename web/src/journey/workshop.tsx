import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';
import { AxisList } from './axis-editor.tsx';
import { ProblemsContext, problemsByField } from './field-problem.tsx';
import type { CellCount, JourneyMap } from './journey-map-types.ts';
import { draftOf, invalidRules, mapOf, sameMap, type WorkshopDraft } from './workshop-draft.ts';
import { WorkshopCanvas, type CellCounts } from './workshop-canvas.tsx';
import { MapFields, WorkshopToolbar } from './workshop-header.tsx';
import { OutcomeMessage, SidePanel, type Outcome, type Selection } from './workshop-panel.tsx';
import { placeProblems, type PlacedProblem, type Where } from './workshop-problems.ts';
import { refusedProblems } from './workshop-refusal.ts';
import { initialState, workshopReducer } from './workshop-state.ts';
import { templateMap } from './workshop-template.ts';
import './workshop.css';

export interface JourneyWorkshopProps {
  workspace: string;
  /** The active map to edit; null starts a new map from a template of 5 stages × 4 levels. */
  map: JourneyMap | null;
  /** The live count of each cell of `map` (GET …/journey cells). */
  liveCells: CellCount[];
  /** Every customer and lead of the workspace. */
  profiles: number;
  /** A new version was saved and activated (everyone re-placed): the page reloads the map. */
  onSaved(): void;
  onCancel(): void;
}

type Preview =
  | { kind: 'none' }
  | { kind: 'loading' }
  | { kind: 'ready'; counts: ReadonlyMap<string, number>; profiles: number; keys: ReadonlyMap<string, string>; sent: string };

const countKey = (stage: string, level: string) => `${stage}|${level}`;

/** Each stage's and level's key by its draft id. */
function keysOf(draft: WorkshopDraft): Map<string, string> {
  return new Map([...draft.stages, ...draft.levels].map((item) => [item.id, item.key]));
}

function countsOf(cells: readonly CellCount[]): Map<string, number> {
  return new Map(cells.map((cell) => [countKey(cell.stage, cell.level), cell.customers]));
}

/**
 * The journey map's workshop mode: the consultant edits the map with the brand's team on the
 * diagram — the name and goal, the stages and levels with their rules (JSON, with the
 * vocabulary beside it), each cell's words and measures — previews how many customers each
 * cell would hold before saving, and saves a new version (everyone re-placed) or a draft. A
 * refusal shows each problem beside its field and in a list at the top; nothing typed is lost.
 * The component edits the map it was mounted with; the page mounts a new one for a new session.
 */
export function JourneyWorkshop({ workspace, map, liveCells, profiles, onSaved, onCancel }: JourneyWorkshopProps) {
  const { t } = useI18n();
  const w = t.journeyWorkshop;
  const { format } = useCurrentWorkspace();
  const [state, dispatch] = useReducer(workshopReducer, undefined, () => initialState(draftOf(map ?? templateMap(w.template))));
  const [baseline, setBaseline] = useState(state.draft);
  // The keys the live counts are under: each item's key as the map stood when mounted.
  const [liveKeys] = useState(() => (map ? keysOf(state.draft) : new Map<string, string>()));
  const live = useMemo(() => countsOf(liveCells), [liveCells]);
  const [chosen, setSelection] = useState<Selection>(null);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const [preview, setPreview] = useState<Preview>({ kind: 'none' });
  const [focusField, setFocusField] = useState<string | undefined>(undefined);
  // The draft version saved last, and the map it holds: "save and apply" then activates it.
  const [savedDraft, setSavedDraft] = useState<{ version: number; map: string } | undefined>(undefined);
  const root = useRef<HTMLDivElement>(null);

  const draft = state.draft;
  // What was chosen, while it still exists (an undo or a removal can take it away).
  const selection = chosen && exists(draft, chosen) ? chosen : null;
  const dirty = !sameMap(draft, baseline);
  const invalid = invalidRules(draft);
  const busy = outcome.kind === 'saving' || preview.kind === 'loading';
  const problems = outcome.kind === 'refused' ? outcome.problems : [];
  const byField = useMemo(() => problemsByField(problems), [problems]);
  const sentNow = JSON.stringify(mapOf(draft).map);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // A problem chosen (or the first of a refusal) is shown once its editor has rendered.
  useEffect(() => {
    if (focusField === undefined) return;
    const control = root.current?.querySelector<HTMLElement>(`[data-problem-field="${CSS.escape(focusField)}"]`);
    const note = root.current?.querySelector<HTMLElement>(`.field-problem[data-field="${CSS.escape(focusField)}"]`);
    const target = control ?? note;
    target?.scrollIntoView({ block: 'center' });
    control?.focus();
    setFocusField(undefined);
  }, [focusField]);

  const show = (problem: PlacedProblem) => {
    setSelection(selectionOf(problem.where));
    setFocusField(problem.field);
  };

  const refuse = (during: 'save' | 'preview', error: unknown, sent: WorkshopDraft) => {
    const refused = refusedProblems(error);
    if (!refused) {
      setOutcome({ kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
      return;
    }
    const placed = placeProblems(refused, sent, mapOf(sent));
    setOutcome({ kind: 'refused', during, problems: placed });
    if (placed[0]) show(placed[0]);
  };

  const runPreview = async () => {
    const sent = draft;
    setPreview({ kind: 'loading' });
    try {
      const result = await unwrap(
        api.POST('/api/v1/workspaces/{workspace}/journey/preview', { params: { path: { workspace } }, body: { map: mapOf(sent).map } }),
      );
      setPreview({ kind: 'ready', counts: countsOf(result.cells), profiles: result.profiles, keys: keysOf(sent), sent: JSON.stringify(mapOf(sent).map) });
      if (outcome.kind === 'refused' || outcome.kind === 'failed') setOutcome({ kind: 'idle' });
    } catch (error) {
      setPreview({ kind: 'none' });
      refuse('preview', error, sent);
    }
  };

  /**
   * Saves the draft as a new version: activated (everyone re-placed; the page takes over) or
   * as a draft. A draft saved and not changed since is activated as that version.
   */
  const save = async (activate: boolean) => {
    const sent = draft;
    const sentMap = mapOf(sent).map;
    setOutcome({ kind: 'saving', activate });
    try {
      const path = { workspace };
      const result =
        activate && savedDraft?.map === sentNow
          ? await unwrap(
              api.POST('/api/v1/workspaces/{workspace}/journey/versions/{version}/activate', { params: { path: { ...path, version: savedDraft.version } } }),
            )
          : await unwrap(api.PUT('/api/v1/workspaces/{workspace}/journey', { params: { path }, body: { map: sentMap, activate } }));
      if (result.outcome === 'unchanged') {
        setOutcome({ kind: 'unchanged' });
        return;
      }
      setBaseline(sent);
      if (activate) {
        setOutcome({ kind: 'idle' });
        onSaved();
      } else {
        setSavedDraft({ version: result.version.version, map: JSON.stringify(sentMap) });
        setOutcome({ kind: 'draft_saved', version: result.version.version });
      }
    } catch (error) {
      refuse('save', error, sent);
    }
  };

  const cancel = () => {
    if (dirty && !window.confirm(w.leaveWarning)) return;
    onCancel();
  };

  const counts: CellCounts = {
    live: (stageId, levelId) => live.get(countKey(liveKeys.get(stageId) ?? '', liveKeys.get(levelId) ?? '')) ?? 0,
    preview: (stageId, levelId) => {
      if (preview.kind !== 'ready') return undefined;
      const stage = preview.keys.get(stageId);
      const level = preview.keys.get(levelId);
      return stage === undefined || level === undefined ? undefined : (preview.counts.get(countKey(stage, level)) ?? 0);
    },
  };

  return (
    <ProblemsContext.Provider value={byField}>
      <div className="journey-workshop" ref={root}>
        <header className="workshop-header">
          <h2>{w.title}</h2>
          <p className="muted small">{map ? w.lead : w.newMap}</p>
          <MapFields draft={draft} onChange={(patch) => dispatch({ type: 'map', patch })} />
        </header>

        <WorkshopToolbar
          busy={busy}
          saving={outcome.kind === 'saving'}
          previewing={preview.kind === 'loading'}
          canUndo={state.past.length > 0}
          canSend={invalid.length === 0}
          canSaveDraft={dirty || map === null}
          canSave={dirty || map === null || savedDraft?.map === sentNow}
          onUndo={() => dispatch({ type: 'undo' })}
          onPreview={() => void runPreview()}
          onCancel={cancel}
          onSave={(activate) => void save(activate)}
        />

        <div className="workshop-messages">
          {invalid.length > 0 && (
            <p className="alert alert-error" role="status">
              {w.invalidRules(String(invalid.length))}
            </p>
          )}
          <OutcomeMessage outcome={outcome} dirty={dirty} draft={draft} onShow={show} />
          {preview.kind === 'ready' && (
            <p className={`alert ${preview.sent === sentNow ? 'alert-info' : 'alert-warning'}`} role="status" data-testid="preview-state">
              {preview.sent === sentNow ? w.previewDone(format.integer(preview.profiles)) : w.previewStale}
            </p>
          )}
        </div>

        <div className={['workshop-body', selection ? 'has-panel' : '', selection?.kind === 'item' ? 'is-item' : ''].filter(Boolean).join(' ')}>
          <div className="workshop-canvas">
            <WorkshopCanvas
              draft={draft}
              counts={counts}
              profiles={profiles}
              selected={selection?.kind === 'cell' ? selection.cell : undefined}
              onSelect={(cell) => setSelection({ kind: 'cell', cell })}
            />
            <div className="workshop-axes">
              {(['stages', 'levels'] as const).map((axis) => (
                <AxisList
                  key={axis}
                  axis={axis}
                  items={draft[axis]}
                  selected={selection?.kind === 'item' ? selection.id : undefined}
                  onSelect={(id) => setSelection({ kind: 'item', axis, id })}
                  dispatch={dispatch}
                />
              ))}
            </div>
          </div>
          {selection && (
            <SidePanel
              key={selection.kind === 'cell' ? selection.cell : selection.id}
              draft={draft}
              selection={selection}
              dispatch={dispatch}
              onClose={() => setSelection(null)}
            />
          )}
        </div>
      </div>
    </ProblemsContext.Provider>
  );
}

function exists(draft: WorkshopDraft, selection: NonNullable<Selection>): boolean {
  const ids = new Set([...draft.stages, ...draft.levels].map((item) => item.id));
  return selection.kind === 'item' ? ids.has(selection.id) : selection.cell.split('|').every((id) => ids.has(id));
}

function selectionOf(where: Where): Selection {
  switch (where.kind) {
    case 'map':
      return null;
    case 'item':
      return { kind: 'item', axis: where.axis, id: where.id };
    case 'cell':
    case 'measure':
      return { kind: 'cell', cell: where.cell };
  }
}
