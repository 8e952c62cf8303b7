import { useEffect, useId, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { Condition } from '../journey/journey-map-types.ts';
import { RuleReference } from '../journey/rule-editor.tsx';
import { withExample } from '../journey/workshop-draft.ts';
import { type Problem, STEP_KINDS, WEEKDAYS } from './scenario-draft.ts';

/**
 * The form fields of the scenario editor's side panels. Each field shows the checker's problems
 * of its path beside it (aria-invalid, aria-describedby), so a problem in the list leads to the
 * control that fixes it.
 */

function FieldProblems({ id, problems }: { id: string; problems: readonly Problem[] | undefined }) {
  if (!problems || problems.length === 0) return null;
  return (
    <div className="field-problem" id={id} role="note">
      {problems.map((problem, index) => (
        <p key={index} className={problem.severity === 'error' ? 'field-error' : 'muted small'}>
          {problem.message}
        </p>
      ))}
    </div>
  );
}

function Field({
  label,
  problems,
  hint,
  children,
}: {
  label: string;
  problems?: readonly Problem[] | undefined;
  hint?: string;
  children: (control: ControlProps) => ReactNode;
}) {
  const id = useId();
  const problemId = `${id}-problem`;
  const hintId = `${id}-hint`;
  const invalid = problems?.some((problem) => problem.severity === 'error') === true;
  const describedBy = [hint ? hintId : '', problems?.length ? problemId : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(invalid ? { 'aria-invalid': true } : {}), ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
      {hint && (
        <p className="muted small" id={hintId}>
          {hint}
        </p>
      )}
      <FieldProblems id={problemId} problems={problems} />
    </div>
  );
}

type ControlProps = { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string };

/** The step kinds as the options of a select, in the console's language. */
export function StepKindOptions() {
  const { t } = useI18n();
  return STEP_KINDS.map((value) => (
    <option key={value} value={value}>
      {t.scenarios.kinds[value]}
    </option>
  ));
}

export function TextField(props: {
  label: string;
  value: string | undefined;
  onChange(value: string): void;
  problems?: Problem[] | undefined;
  hint?: string;
  multiline?: boolean;
  /** The input's type: free text, a time of day (HH:MM) or a local date-time (YYYY-MM-DDTHH:MM). */
  type?: 'text' | 'time' | 'datetime-local';
}) {
  return (
    <Field label={props.label} problems={props.problems} {...(props.hint ? { hint: props.hint } : {})}>
      {(control) =>
        props.multiline ? (
          <textarea {...control} rows={3} value={props.value ?? ''} onChange={(event) => props.onChange(event.target.value)} />
        ) : (
          <input {...control} type={props.type ?? 'text'} value={props.value ?? ''} onChange={(event) => props.onChange(event.target.value)} />
        )
      }
    </Field>
  );
}

/** A whole number (or, with `step`, a decimal); empty gives undefined (an optional field left out). */
export function NumberField(props: {
  label: string;
  value: number | undefined;
  onChange(value: number | undefined): void;
  problems?: Problem[] | undefined;
  hint?: string;
  min?: number;
  max?: number;
  step?: number | 'any';
}) {
  return (
    <Field label={props.label} problems={props.problems} {...(props.hint ? { hint: props.hint } : {})}>
      {(control) => (
        <input
          {...control}
          type="number"
          step={props.step ?? 1}
          min={props.min}
          max={props.max}
          value={props.value ?? ''}
          onChange={(event) => props.onChange(event.target.value === '' ? undefined : Number(event.target.value))}
        />
      )}
    </Field>
  );
}

export function SelectField<T extends string>(props: {
  label: string;
  value: T | undefined;
  options: ReadonlyArray<{ value: T; label: string }>;
  onChange(value: T): void;
  problems?: Problem[] | undefined;
  placeholder?: string;
}) {
  return (
    <Field label={props.label} problems={props.problems}>
      {(control) => (
        <select {...control} value={props.value ?? ''} onChange={(event) => props.onChange(event.target.value as T)}>
          {props.placeholder !== undefined && (
            <option value="" disabled>
              {props.placeholder}
            </option>
          )}
          {props.options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Where a step goes next: another step, or the end (null). */
export function NextField(props: {
  label: string;
  value: string | null | undefined;
  stepIds: readonly string[];
  onChange(value: string | null): void;
  problems?: Problem[] | undefined;
}) {
  const { t } = useI18n();
  const END = '';
  return (
    <Field label={props.label} problems={props.problems}>
      {(control) => (
        <select {...control} value={props.value ?? END} onChange={(event) => props.onChange(event.target.value === END ? null : event.target.value)}>
          <option value={END}>{t.scenarios.step.end}</option>
          {props.stepIds.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export interface Duration {
  days?: number;
  hours?: number;
  minutes?: number;
}

export function DurationField(props: { label: string; value: Duration | undefined; onChange(value: Duration): void; problems?: Problem[] | undefined }) {
  const { t } = useI18n();
  const s = t.scenarios.step;
  const value = props.value ?? {};
  const part = (unit: keyof Duration, label: string) => (
    <label className="duration-part">
      <input
        type="number"
        min={0}
        step={1}
        aria-label={`${props.label}: ${label}`}
        value={value[unit] ?? ''}
        onChange={(event) => {
          const next = { ...value };
          if (event.target.value === '') delete next[unit];
          else next[unit] = Number(event.target.value);
          props.onChange(next);
        }}
      />
      <span>{label}</span>
    </label>
  );
  return (
    <fieldset className="field duration-field">
      <legend>{props.label}</legend>
      <div className="duration-parts">
        {part('days', s.days)}
        {part('hours', s.hours)}
        {part('minutes', s.minutes)}
      </div>
      <FieldProblems id={`${props.label}-problems`} problems={props.problems} />
    </fieldset>
  );
}

/**
 * A JSON value edited as text: parsed as the user types; while it is not JSON (or not of the
 * expected shape) the note says why and the document keeps its last good value, so nothing
 * typed is lost and nothing half-typed is sent.
 */
export function JsonField(props: {
  label: string;
  value: unknown;
  onChange(value: unknown): void;
  problems?: Problem[] | undefined;
  hint?: string;
  shape?: 'object' | 'array' | 'any';
  optional?: boolean;
  aside?: (insert: (example: Condition) => void) => ReactNode;
}) {
  const { t } = useI18n();
  const shown = props.value === undefined ? '' : JSON.stringify(props.value, null, 2);
  const [text, setText] = useState(shown);
  const [note, setNote] = useState<string | null>(null);
  // A new value from outside (another step selected, a version loaded) replaces the text.
  useEffect(() => {
    setText((current) => (sameJson(current, props.value) ? current : shown));
    setNote(null);
  }, [shown]);
  const accept = (next: string) => {
    setText(next);
    if (next.trim() === '' && props.optional) {
      setNote(null);
      props.onChange(undefined);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(next);
    } catch (error) {
      setNote(t.scenarios.json.invalid(error instanceof Error ? error.message : String(error)));
      return;
    }
    if (props.shape === 'array' && !Array.isArray(parsed)) return setNote(t.scenarios.json.notArray);
    if (props.shape === 'object' && (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))) return setNote(t.journeyWorkshop.ruleNotObject);
    setNote(null);
    props.onChange(parsed);
  };
  return (
    <div className="json-field">
      <Field label={props.label} problems={props.problems} {...(props.hint ? { hint: props.hint } : {})}>
        {(control) => (
          <textarea
            {...control}
            className="rule-text"
            spellCheck={false}
            rows={Math.min(14, Math.max(3, text.split('\n').length + 1))}
            value={text}
            onChange={(event) => accept(event.target.value)}
            {...(note ? { 'aria-invalid': true } : {})}
          />
        )}
      </Field>
      <p className={note ? 'field-problem rule-invalid' : 'muted small rule-state'} aria-live="polite">
        {note ?? (text.trim() ? t.scenarios.json.valid : '')}
      </p>
      {props.aside?.((example) => accept(withExample(text, example)))}
    </div>
  );
}

function sameJson(text: string, value: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
  } catch {
    return false;
  }
}

/** A journey-rule condition as JSON, with the vocabulary and examples of the journey map's rule editor beside it. */
export function ConditionField(props: { label: string; value: unknown; onChange(value: unknown): void; problems?: Problem[] | undefined }) {
  const { t } = useI18n();
  return (
    <JsonField
      label={props.label}
      value={props.value}
      onChange={props.onChange}
      problems={props.problems}
      shape="object"
      aside={(insert) => (
        <details className="condition-reference">
          <summary>{t.journeyWorkshop.reference.title}</summary>
          <RuleReference onInsert={insert} />
        </details>
      )}
    />
  );
}

/** Days of the week as checkboxes, Monday first; none checked gives undefined. */
export function WeekdaysField({
  label,
  value,
  onChange,
  problems,
}: {
  label: string;
  value: readonly string[] | undefined;
  onChange(value: Array<(typeof WEEKDAYS)[number]> | undefined): void;
  problems?: Problem[] | undefined;
}) {
  const { t } = useI18n();
  const chosen = new Set(value ?? []);
  return (
    <fieldset className="field weekdays-field">
      <legend>{label}</legend>
      <div className="weekday-boxes">
        {WEEKDAYS.map((day) => (
          <label key={day}>
            <input
              type="checkbox"
              checked={chosen.has(day)}
              onChange={(event) => {
                const next = WEEKDAYS.filter((d) => (d === day ? event.target.checked : chosen.has(d)));
                onChange(next.length > 0 ? next : undefined);
              }}
            />
            {t.scenarios.weekdays[day]}
          </label>
        ))}
      </div>
      {problems?.map((problem, index) => (
        <p key={index} className="field-error">
          {problem.message}
        </p>
      ))}
    </fieldset>
  );
}
