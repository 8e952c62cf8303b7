import { useContext, useId, type Dispatch } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { ProblemsContext, useFieldProblem } from './field-problem.tsx';
import { RuleEditor } from './rule-editor.tsx';
import type { Axis, AxisItemDraft } from './workshop-draft.ts';
import { MAX_LEVELS, MAX_STAGES, newAxisItem, type WorkshopAction } from './workshop-state.ts';

/**
 * The stages and the affinity levels: each axis as a list the team adds to, reorders, removes
 * from and picks an item of to edit (its key, name, description and rule) in the side panel.
 */

export function AxisList({
  axis,
  items,
  selected,
  onSelect,
  dispatch,
}: {
  axis: Axis;
  items: AxisItemDraft[];
  selected: string | undefined;
  onSelect(id: string): void;
  dispatch: Dispatch<WorkshopAction>;
}) {
  const { t } = useI18n();
  const w = t.journeyWorkshop;
  const problems = useContext(ProblemsContext);
  const headingId = useId();
  const max = axis === 'stages' ? MAX_STAGES : MAX_LEVELS;
  const hasProblem = (id: string) => [...problems.keys()].some((field) => field.startsWith(`item:${id}:`));
  // Levels are listed as the diagram draws them: the highest on top.
  const shown = axis === 'levels' ? [...items].reverse() : items;
  const title = axis === 'stages' ? w.stages : w.levels;
  return (
    <section className={`axis-list axis-${axis}`} aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      <p className="muted small">{axis === 'stages' ? w.stagesLead : w.levelsLead}</p>
      <ol className="axis-items" aria-labelledby={headingId}>
        {shown.map((item) => {
          const index = items.indexOf(item);
          const label = item.name.trim() === '' ? item.key : item.name;
          return (
            <li key={item.id} className={`axis-item ${selected === item.id ? 'is-selected' : ''} ${hasProblem(item.id) ? 'has-problem' : ''}`}>
              <button
                type="button"
                className="axis-item-name"
                aria-pressed={selected === item.id}
                aria-label={w.editItem(label)}
                onClick={() => onSelect(item.id)}
              >
                <span>
                  {hasProblem(item.id) && <span aria-hidden="true">⚠ </span>}
                  {label}
                </span>
                <span className="axis-item-key">{item.key}</span>
              </button>
              <span className="axis-item-actions">
                <button
                  type="button"
                  className="button button-small button-quiet"
                  aria-label={w.moveEarlier(label)}
                  disabled={index === 0}
                  onClick={() => dispatch({ type: 'move_item', axis, id: item.id, by: -1 })}
                >
                  {axis === 'stages' ? '←' : '↓'}
                </button>
                <button
                  type="button"
                  className="button button-small button-quiet"
                  aria-label={w.moveLater(label)}
                  disabled={index === items.length - 1}
                  onClick={() => dispatch({ type: 'move_item', axis, id: item.id, by: 1 })}
                >
                  {axis === 'stages' ? '→' : '↑'}
                </button>
                <button
                  type="button"
                  className="button button-small button-quiet"
                  aria-label={w.remove(label)}
                  disabled={items.length <= 1}
                  onClick={() => dispatch({ type: 'remove_item', axis, id: item.id })}
                >
                  ×
                </button>
              </span>
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        className="button button-small"
        disabled={items.length >= max}
        onClick={() => {
          const item = newAxisItem(items, axis, axis === 'stages' ? w.newStage(items.length + 1) : w.newLevel(items.length + 1));
          dispatch({ type: 'add_item', axis, item });
          onSelect(item.id);
        }}
      >
        {axis === 'stages' ? w.addStage : w.addLevel}
      </button>
    </section>
  );
}

function TextField({
  field,
  label,
  value,
  hint,
  multiline,
  onChange,
}: {
  field: string;
  label: string;
  value: string;
  hint?: string;
  multiline?: boolean;
  onChange(value: string): void;
}) {
  const id = useId();
  const problem = useFieldProblem(field, hint ? `${id}-hint` : undefined);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea id={id} rows={2} value={value} onChange={(event) => onChange(event.target.value)} {...problem.control} />
      ) : (
        <input id={id} type="text" value={value} onChange={(event) => onChange(event.target.value)} {...problem.control} />
      )}
      {hint && (
        <p className="muted small" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {problem.node}
    </div>
  );
}

/** One stage or level in the side panel: key, name, description, and its rule (none for the first). */
export function AxisItemEditor({ axis, item, index, dispatch }: { axis: Axis; item: AxisItemDraft; index: number; dispatch: Dispatch<WorkshopAction> }) {
  const { t } = useI18n();
  const w = t.journeyWorkshop;
  const edit = (patch: Partial<Omit<AxisItemDraft, 'id'>>) => dispatch({ type: 'edit_item', axis, id: item.id, patch });
  const field = (name: string) => `item:${item.id}:${name}`;
  const general = useFieldProblem(field('item'));
  return (
    <div className="axis-item-editor">
      {general.node}
      <div className="axis-item-fields">
        <TextField field={field('name')} label={w.name} value={item.name} onChange={(name) => edit({ name })} />
        <TextField field={field('key')} label={w.key} value={item.key} hint={w.keyHint} onChange={(key) => edit({ key })} />
      </div>
      <TextField field={field('description')} label={w.description} value={item.description} multiline onChange={(description) => edit({ description })} />
      {index === 0 ? (
        <p className="alert alert-info small">{axis === 'stages' ? w.firstStage : w.lowestLevel}</p>
      ) : (
        <RuleEditor field={field('rule')} value={item.ruleText} onChange={(ruleText) => edit({ ruleText })} />
      )}
    </div>
  );
}
