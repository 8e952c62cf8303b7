import { useId } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { useFieldProblem } from './field-problem.tsx';
import { COMPARISONS, FACTS, type Condition } from './journey-map-types.ts';
import { RULE_EXAMPLES } from './rule-examples.ts';
import { parseRule, withExample } from './workshop-draft.ts';

/**
 * A stage's or level's rule, edited as JSON: a textarea parsed as the user types (a clear note
 * when it is not JSON), the server's problems with the rule beside it, and beside that a short
 * reference of the vocabulary (src/journey-map/model.ts Condition) with examples a click or
 * Enter inserts into the rule.
 */

export function RuleEditor({ field, value, onChange }: { field: string; value: string; onChange(text: string): void }) {
  const { t } = useI18n();
  const w = t.journeyWorkshop;
  const id = useId();
  const hintId = `${id}-hint`;
  const stateId = `${id}-state`;
  const problem = useFieldProblem(field, `${hintId} ${stateId}`);
  const parsed = parseRule(value);
  return (
    <div className="rule-editor">
      <div className="field rule-field">
        <label htmlFor={id}>{w.rule}</label>
        <textarea
          id={id}
          className="rule-text"
          rows={Math.min(16, Math.max(4, value.split('\n').length + 1))}
          spellCheck={false}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          {...problem.control}
          aria-invalid={parsed.kind === 'invalid' || problem.control['aria-invalid'] ? true : undefined}
        />
        <p className="muted small" id={hintId}>
          {w.ruleHint}
        </p>
        <p id={stateId} className={parsed.kind === 'invalid' ? 'field-problem rule-invalid' : 'muted small rule-state'} aria-live="polite">
          {parsed.kind === 'invalid'
            ? parsed.message === 'not_object'
              ? w.ruleNotObject
              : w.ruleInvalid(parsed.message)
            : parsed.kind === 'rule'
              ? w.ruleValid
              : ''}
        </p>
        {problem.node}
      </div>
      <RuleReference onInsert={(rule) => onChange(withExample(value, rule))} />
    </div>
  );
}

export function RuleReference({ onInsert }: { onInsert(rule: Condition): void }) {
  const { t } = useI18n();
  const r = t.journeyWorkshop.reference;
  const headingId = useId();
  return (
    <aside className="rule-reference" aria-labelledby={headingId}>
      <h4 id={headingId}>{r.title}</h4>
      <p className="small">{r.lead}</p>
      <h5>{r.examples}</h5>
      <ul className="rule-examples">
        {RULE_EXAMPLES.map((example) => (
          <li key={example.name}>
            <button type="button" className="button button-small" aria-label={r.insert(r.exampleNames[example.name])} onClick={() => onInsert(example.rule)}>
              {r.exampleNames[example.name]}
            </button>
            <code>{JSON.stringify(example.rule)}</code>
          </li>
        ))}
      </ul>
      <details>
        <summary>{r.facts}</summary>
        <dl className="rule-facts">
          {FACTS.map((fact) => (
            <div key={fact}>
              <dt>
                <code>{fact}</code>
              </dt>
              <dd>{r.factNotes[fact]}</dd>
            </div>
          ))}
        </dl>
      </details>
      <details>
        <summary>
          {r.ops} · {r.combinators}
        </summary>
        <p className="small">
          <code>{COMPARISONS.join(' ')}</code> — {r.opsList}
        </p>
        <ul className="small rule-combinators">
          <li>
            <code>{r.all}</code>
          </li>
          <li>
            <code>{r.any}</code>
          </li>
          <li>
            <code>{r.not}</code>
          </li>
        </ul>
      </details>
    </aside>
  );
}
