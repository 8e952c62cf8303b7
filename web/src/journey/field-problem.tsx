import { createContext, useContext, useId, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { PlacedProblem } from './workshop-problems.ts';

/** The problems of the last refusal, by field name (workshop-problems.ts fieldName). */
export const ProblemsContext = createContext<ReadonlyMap<string, PlacedProblem[]>>(new Map());

/** Groups problems by their field. */
export function problemsByField(problems: readonly PlacedProblem[]): ReadonlyMap<string, PlacedProblem[]> {
  const byField = new Map<string, PlacedProblem[]>();
  for (const problem of problems) byField.set(problem.field, [...(byField.get(problem.field) ?? []), problem]);
  return byField;
}

export interface FieldProblem {
  /** Props for the field's control: marks it invalid and points at the note. */
  control: { 'aria-invalid'?: true; 'aria-describedby'?: string; 'data-problem-field'?: string };
  /** The note to show beside the control (null when the field has no problem). */
  node: ReactNode;
}

/**
 * A field's problems, shown beside it: the server's message, and inside a rule the path of the
 * offending node. `hint` (an id) stays in aria-describedby alongside the note.
 */
export function useFieldProblem(field: string, hint?: string): FieldProblem {
  const { t } = useI18n();
  const problems = useContext(ProblemsContext).get(field);
  const id = useId();
  if (!problems) return { control: hint ? { 'aria-describedby': hint } : {}, node: null };
  return {
    control: { 'aria-invalid': true, 'aria-describedby': [hint, id].filter(Boolean).join(' '), 'data-problem-field': field },
    node: (
      <div className="field-problem" id={id} data-field={field} role="note">
        {problems.map((problem, index) => (
          <p key={index}>
            {problem.message}
            {problem.rulePath && ` ${t.journeyWorkshop.ruleAt(problem.rulePath)}`}
          </p>
        ))}
      </div>
    ),
  };
}
