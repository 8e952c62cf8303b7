import { useId, type Dispatch } from 'react';
import { labelOf, useI18n } from '../i18n/i18n.tsx';
import { useFieldProblem } from './field-problem.tsx';
import { DEPARTMENTS, MEASURE_CHANNELS, MEASURE_STATUSES, type Department, type MeasureChannel, type MeasureStatus } from './journey-map-types.ts';
import { EMPTY_CELL, newMeasure, type CellDraft, type MeasureDraft } from './workshop-draft.ts';
import type { MeasurePatch, WorkshopAction } from './workshop-state.ts';

/**
 * One cell's words in the side panel: what the customer feels and thinks there, whether it is
 * (part of) the goal, and its measures (施策) — or the decision not to contact, with the reason.
 */
export function CellEditor({ cell, draft, dispatch }: { cell: string; draft: CellDraft | undefined; dispatch: Dispatch<WorkshopAction> }) {
  const { t } = useI18n();
  const c = t.journeyWorkshop.cell;
  const current = draft ?? EMPTY_CELL;
  const feelingsId = useId();
  const reasonId = useId();
  const measuresHeading = useId();
  const field = (name: string) => `cell:${cell}:${name}`;
  const feelings = useFieldProblem(field('feelings'));
  const reason = useFieldProblem(field('noContact'));
  const general = useFieldProblem(field('cell'));
  const measuresProblem = useFieldProblem(field('measures'));
  const goalProblem = useFieldProblem(field('goal'));
  return (
    <div className="cell-editor">
      {general.node}
      <div className="field">
        <label htmlFor={feelingsId}>{c.feelings}</label>
        <textarea
          id={feelingsId}
          rows={3}
          value={current.feelings}
          onChange={(event) => dispatch({ type: 'edit_cell', cell, patch: { feelings: event.target.value } })}
          {...feelings.control}
        />
        {feelings.node}
      </div>
      <label className="field-inline checkbox">
        <input
          type="checkbox"
          checked={current.goal}
          onChange={(event) => dispatch({ type: 'edit_cell', cell, patch: { goal: event.target.checked } })}
          {...goalProblem.control}
        />
        {c.goal}
      </label>
      {goalProblem.node}
      <label className="field-inline checkbox">
        <input
          type="checkbox"
          checked={current.noContact}
          onChange={(event) => dispatch({ type: 'edit_cell', cell, patch: { noContact: event.target.checked } })}
        />
        {c.noContact}
      </label>
      {current.noContact ? (
        <div className="field">
          <label htmlFor={reasonId}>{c.noContactReason}</label>
          <textarea
            id={reasonId}
            rows={2}
            value={current.noContactReason}
            onChange={(event) => dispatch({ type: 'edit_cell', cell, patch: { noContactReason: event.target.value } })}
            {...reason.control}
          />
          {reason.node}
          {current.measures.length > 0 && <p className="muted small">{c.noContactNote}</p>}
        </div>
      ) : (
        <section className="cell-measures" aria-labelledby={measuresHeading}>
          <h4 id={measuresHeading}>{c.measures}</h4>
          {measuresProblem.node}
          {current.measures.length === 0 && <p className="muted small">{c.noMeasures}</p>}
          {current.measures.map((measure, index) => (
            <MeasureEditor
              key={measure.id}
              measure={measure}
              index={index}
              onChange={(patch) => dispatch({ type: 'edit_measure', cell, id: measure.id, patch })}
              onRemove={() => dispatch({ type: 'remove_measure', cell, id: measure.id })}
            />
          ))}
          <button type="button" className="button button-small" onClick={() => dispatch({ type: 'add_measure', cell, measure: newMeasure() })}>
            {c.addMeasure}
          </button>
        </section>
      )}
    </div>
  );
}

function MeasureEditor({
  measure,
  index,
  onChange,
  onRemove,
}: {
  measure: MeasureDraft;
  index: number;
  onChange(patch: MeasurePatch): void;
  onRemove(): void;
}) {
  const { t } = useI18n();
  const w = t.journeyWorkshop;
  const c = w.cell;
  const id = useId();
  const n = index + 1;
  const field = (name: string) => `measure:${measure.id}:${name}`;
  const problems = {
    name: useFieldProblem(field('name')),
    purpose: useFieldProblem(field('purpose')),
    department: useFieldProblem(field('department')),
    channel: useFieldProblem(field('channel'), `${id}-solution-hint`),
    solution: useFieldProblem(field('solution'), `${id}-solution-hint`),
    status: useFieldProblem(field('status')),
  };
  return (
    <fieldset className="measure">
      <legend>{c.measure(n)}</legend>
      <div className="measure-grid">
        <div className="field measure-name">
          <label htmlFor={`${id}-name`}>{c.measureName}</label>
          <input id={`${id}-name`} type="text" value={measure.name} onChange={(event) => onChange({ name: event.target.value })} {...problems.name.control} />
          {problems.name.node}
        </div>
        <div className="field measure-purpose">
          <label htmlFor={`${id}-purpose`}>{c.purpose}</label>
          <input
            id={`${id}-purpose`}
            type="text"
            value={measure.purpose}
            onChange={(event) => onChange({ purpose: event.target.value })}
            {...problems.purpose.control}
          />
          {problems.purpose.node}
        </div>
        <div className="field">
          <label htmlFor={`${id}-department`}>{c.department}</label>
          <select
            id={`${id}-department`}
            value={measure.department}
            onChange={(event) => onChange({ department: event.target.value as Department })}
            {...problems.department.control}
          >
            {DEPARTMENTS.map((department) => (
              <option key={department} value={department}>
                {labelOf(t.charter.departments, department)}
              </option>
            ))}
          </select>
          {problems.department.node}
        </div>
        <div className="field">
          <label htmlFor={`${id}-status`}>{c.status}</label>
          <select
            id={`${id}-status`}
            value={measure.status}
            onChange={(event) => onChange({ status: event.target.value as MeasureStatus })}
            {...problems.status.control}
          >
            {MEASURE_STATUSES.map((status) => (
              <option key={status} value={status}>
                {t.journey.diagram.statuses[status]}
              </option>
            ))}
          </select>
          {problems.status.node}
        </div>
        <div className="field">
          <label htmlFor={`${id}-channel`}>{c.channel}</label>
          <select
            id={`${id}-channel`}
            value={measure.channel}
            onChange={(event) => onChange({ channel: event.target.value as MeasureChannel | '' })}
            {...problems.channel.control}
          >
            <option value="">{c.noChannel}</option>
            {MEASURE_CHANNELS.map((channel) => (
              <option key={channel} value={channel}>
                {t.journey.diagram.channels[channel]}
              </option>
            ))}
          </select>
          {problems.channel.node}
        </div>
        <div className="field">
          <label htmlFor={`${id}-solution`}>{c.solution}</label>
          <input
            id={`${id}-solution`}
            type="text"
            value={measure.solution}
            onChange={(event) => onChange({ solution: event.target.value })}
            {...problems.solution.control}
          />
          {problems.solution.node}
        </div>
      </div>
      <p className="muted small" id={`${id}-solution-hint`}>
        {c.solutionHint}
      </p>
      <button type="button" className="button button-small button-quiet" onClick={onRemove}>
        {c.removeMeasure(n)}
      </button>
    </fieldset>
  );
}
