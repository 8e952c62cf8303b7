import { useId } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { PURPOSE_CHOICES, type PurposeChoice } from './rules-draft.ts';

/**
 * A multiple choice where "all" means the field is absent: the "all" box, and when it is
 * cleared, a box per value (all of them ticked to start with, so clearing "all" changes nothing
 * until a value is cleared too).
 */
export function AllOrSome<T extends string>({
  legend,
  values,
  labels,
  chosen,
  onChange,
}: {
  legend: string;
  values: readonly T[];
  labels: Record<T, string>;
  /** null: all. */
  chosen: readonly T[] | null;
  onChange(next: T[] | null): void;
}) {
  const { t } = useI18n();
  return (
    <fieldset className="choice-group">
      <legend>{legend}</legend>
      <label className="choice">
        <input type="checkbox" checked={chosen === null} onChange={(event) => onChange(event.target.checked ? null : [...values])} />
        {t.governance.all}
      </label>
      {chosen !== null && <ValueBoxes values={values} labels={labels} chosen={chosen} onChange={onChange} />}
    </fieldset>
  );
}

/** A box per value, in the order of `values`. */
function ValueBoxes<T extends string>({
  values,
  labels,
  chosen,
  onChange,
}: {
  values: readonly T[];
  labels: Record<T, string>;
  chosen: readonly T[];
  onChange(next: T[]): void;
}) {
  return values.map((value) => (
    <label key={value} className="choice">
      <input
        type="checkbox"
        checked={chosen.includes(value)}
        onChange={(event) => onChange(event.target.checked ? values.filter((v) => v === value || chosen.includes(v)) : chosen.filter((v) => v !== value))}
      />
      {labels[value]}
    </label>
  ));
}

/** Boxes for a set of values (none ticked is allowed: quiet weekdays). */
export function SomeOf<T extends string>({
  legend,
  values,
  labels,
  chosen,
  onChange,
}: {
  legend: string;
  values: readonly T[];
  labels: Record<T, string>;
  chosen: readonly T[];
  onChange(next: T[]): void;
}) {
  return (
    <fieldset className="choice-group">
      <legend>{legend}</legend>
      <ValueBoxes values={values} labels={labels} chosen={chosen} onChange={onChange} />
    </fieldset>
  );
}

/** Which purposes a rule applies to: marketing only (the default, absent), both, or transactional only. */
export function PurposeSelect({ label, value, onChange }: { label: string; value: PurposeChoice; onChange(next: PurposeChoice): void }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(PURPOSE_CHOICES.find((choice) => choice === event.target.value) ?? 'marketing')}>
        {PURPOSE_CHOICES.map((choice) => (
          <option key={choice} value={choice}>
            {t.governance.purposeChoices[choice]}
          </option>
        ))}
      </select>
    </div>
  );
}
