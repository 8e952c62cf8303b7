import { useI18n } from '../i18n/i18n.tsx';
import { useFieldProblem } from './field-problem.tsx';
import type { WorkshopDraft } from './workshop-draft.ts';

/** The workshop's toolbar: undo and preview on the left; cancel, save as draft and save (activate) on the right. */
export function WorkshopToolbar(props: {
  busy: boolean;
  saving: boolean;
  previewing: boolean;
  canUndo: boolean;
  /** Every rule is JSON: the map can be sent. */
  canSend: boolean;
  canSaveDraft: boolean;
  canSave: boolean;
  onUndo(): void;
  onPreview(): void;
  onCancel(): void;
  onSave(activate: boolean): void;
}) {
  const { t } = useI18n();
  const w = t.journeyWorkshop;
  const { busy, canSend } = props;
  return (
    <div className="workshop-toolbar" role="toolbar" aria-label={w.toolbar}>
      <button type="button" className="button" disabled={busy || !props.canUndo} onClick={props.onUndo}>
        {w.undo}
      </button>
      <button type="button" className="button" disabled={busy || !canSend} onClick={props.onPreview}>
        {props.previewing ? w.previewing : w.preview}
      </button>
      <span className="workshop-toolbar-gap" />
      <button type="button" className="button" disabled={busy} onClick={props.onCancel}>
        {w.cancel}
      </button>
      <button type="button" className="button" disabled={busy || !canSend || !props.canSaveDraft} onClick={() => props.onSave(false)}>
        {w.saveDraft}
      </button>
      <button type="button" className="button button-primary" disabled={busy || !canSend || !props.canSave} onClick={() => props.onSave(true)}>
        {props.saving ? w.saving : w.save}
      </button>
    </div>
  );
}

/** The map's name and goal, in place above the diagram. */
export function MapFields({ draft, onChange }: { draft: WorkshopDraft; onChange(patch: Partial<Pick<WorkshopDraft, 'name' | 'goal'>>): void }) {
  const { t } = useI18n();
  const w = t.journeyWorkshop;
  const name = useFieldProblem('name');
  const goal = useFieldProblem('goal');
  const general = useFieldProblem('map');
  return (
    <div className="workshop-map-fields">
      <div className="field">
        <label htmlFor="workshop-map-name">{w.mapName}</label>
        <input id="workshop-map-name" type="text" value={draft.name} onChange={(event) => onChange({ name: event.target.value })} {...name.control} />
        {name.node}
      </div>
      <div className="field workshop-goal">
        <label htmlFor="workshop-map-goal">{w.goal}</label>
        <textarea
          id="workshop-map-goal"
          rows={2}
          value={draft.goal}
          placeholder={w.goalPlaceholder}
          onChange={(event) => onChange({ goal: event.target.value })}
          {...goal.control}
        />
        {goal.node}
      </div>
      {general.node}
    </div>
  );
}
