import { useId, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import {
  CLAIMS_PACKS,
  EMOJI,
  LIMIT_BOUNDS,
  LIMIT_NAMES,
  rowKey,
  SEVERITIES,
  toggledPacks,
  type AvoidRow,
  type CharterDraft,
  type DictionaryRow,
  type Emoji,
  type PressureRow,
  type Problems,
  type Register,
  type Severity,
} from './charter-draft.ts';
import { problemMessage } from './charter-problems.ts';
import { CellText, RowsEditor } from './rows-editor.tsx';
import { WordList } from './word-list.tsx';

/** The editor's sections, each a card labelled by its heading; they change the draft through `change`. */
export interface SectionProps {
  draft: CharterDraft;
  change(patch: Partial<CharterDraft>): void;
  readOnly: boolean;
  problems: Problems;
}

function Section({ id, title, lead, children }: { id: string; title: string; lead?: string; children: ReactNode }) {
  return (
    <section className="card charter-section" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      {lead && <p className="muted small section-lead">{lead}</p>}
      {children}
    </section>
  );
}

/** A field's problem under it, in the user's words. */
function useProblem(problems: Problems, field: string) {
  const { t } = useI18n();
  const id = useId();
  const reason = problems.get(field);
  return reason === undefined
    ? { invalid: undefined, describedBy: undefined, node: null }
    : {
        invalid: true,
        describedBy: id,
        node: (
          <p className="field-problem" id={id} data-field={field}>
            {problemMessage(t.charter.editor, field, reason)}
          </p>
        ),
      };
}

export function RelationshipSection({ draft, change, readOnly, problems }: SectionProps) {
  const { t } = useI18n();
  const e = t.charter.editor;
  const problem = useProblem(problems, 'relationship');
  const wordId = useId();
  const word = draft.relationship.trim();
  return (
    <Section id="charter-relationship" title={e.sections.relationship}>
      <p className="relationship-phrase" aria-live="polite">
        {t.charter.relationshipPhrase(word === '' ? e.blank : word)}
      </p>
      <div className="charter-grid">
        <div className="field field-relationship">
          <label htmlFor={wordId}>{e.relationshipWord}</label>
          <input
            id={wordId}
            type="text"
            value={draft.relationship}
            readOnly={readOnly}
            aria-invalid={problem.invalid}
            aria-describedby={[readOnly ? '' : `${wordId}-hint`, problem.describedBy ?? ''].filter(Boolean).join(' ') || undefined}
            onChange={(ev) => change({ relationship: ev.target.value })}
          />
          {!readOnly && (
            <small className="field-hint" id={`${wordId}-hint`}>
              {e.relationshipHint}
            </small>
          )}
          {problem.node}
        </div>
      </div>
      <div className="charter-grid charter-grid-2">
        <label className="field">
          <span>{e.meaning}</span>
          <textarea
            rows={5}
            value={draft.meaning}
            readOnly={readOnly}
            placeholder={readOnly ? undefined : e.meaningHint}
            onChange={(ev) => change({ meaning: ev.target.value })}
          />
        </label>
        <label className="field">
          <span>{e.goal}</span>
          <textarea
            rows={5}
            value={draft.goal}
            readOnly={readOnly}
            placeholder={readOnly ? undefined : e.goalHint}
            onChange={(ev) => change({ goal: ev.target.value })}
          />
        </label>
      </div>
    </Section>
  );
}

const REGISTERS: { value: Register; key: 'desumasu' | 'dearu' | 'none' }[] = [
  { value: 'desumasu', key: 'desumasu' },
  { value: 'dearu', key: 'dearu' },
  { value: null, key: 'none' },
];

export function RegisterSection({ draft, change, readOnly, problems }: SectionProps) {
  const { t } = useI18n();
  const e = t.charter.editor;
  const name = useId();
  return (
    <Section id="charter-register" title={e.sections.register}>
      <fieldset className="radio-group">
        <legend>{e.register}</legend>
        {REGISTERS.map((r) => (
          <label key={r.key} className="choice">
            <input type="radio" name={name} checked={draft.register === r.value} disabled={readOnly} onChange={() => change({ register: r.value })} />
            <span>{t.charter.registers[r.key]}</span>
          </label>
        ))}
      </fieldset>
      <div className="charter-grid charter-grid-2">
        <WordList
          label={e.addressUse}
          hint={e.addressUseHint}
          words={draft.addressUse}
          readOnly={readOnly}
          onChange={(addressUse) => change({ addressUse })}
          field="address.use"
          problem={problems.has('address.use') ? problemMessage(e, 'address.use', problems.get('address.use') ?? '') : undefined}
        />
        <WordList label={e.addressAvoid} words={draft.addressAvoid} readOnly={readOnly} onChange={(addressAvoid) => change({ addressAvoid })} />
      </div>
    </Section>
  );
}

export function DictionarySection({ draft, change, readOnly, problems }: SectionProps) {
  const { t } = useI18n();
  const e = t.charter.editor;
  const c = e.columns;
  return (
    <Section id="charter-dictionary" title={e.sections.dictionary} lead={e.sectionLeads.dictionary}>
      <RowsEditor<DictionaryRow>
        path="dictionary"
        caption={e.sections.dictionary}
        rows={draft.dictionary}
        readOnly={readOnly}
        problems={problems}
        onChange={(dictionary) => change({ dictionary })}
        addLabel={e.addRow.dictionary}
        newRow={() => ({ key: rowKey(), preferred: '', variants: '', note: '' })}
        columns={[
          {
            field: 'preferred',
            label: c.preferred,
            control: (row, set, cell) => <CellText value={row.preferred} cell={cell} onChange={(preferred) => set({ preferred })} />,
          },
          {
            field: 'variants',
            label: c.variants,
            wide: true,
            control: (row, set, cell) => (
              <CellText value={row.variants} cell={cell} placeholder={e.variantsPlaceholder} onChange={(variants) => set({ variants })} />
            ),
          },
          { field: 'note', label: c.note, control: (row, set, cell) => <CellText value={row.note} cell={cell} onChange={(note) => set({ note })} /> },
        ]}
      />
    </Section>
  );
}

export function AvoidSection({ draft, change, readOnly, problems }: SectionProps) {
  const { t } = useI18n();
  const e = t.charter.editor;
  const c = e.columns;
  return (
    <Section id="charter-avoid" title={e.sections.avoid} lead={e.sectionLeads.avoid}>
      <RowsEditor<AvoidRow>
        path="avoid"
        caption={e.sections.avoid}
        rows={draft.avoid}
        readOnly={readOnly}
        problems={problems}
        onChange={(avoid) => change({ avoid })}
        addLabel={e.addRow.avoid}
        newRow={() => ({ key: rowKey(), word: '', replacement: '', reason: '' })}
        columns={[
          { field: 'word', label: c.word, control: (row, set, cell) => <CellText value={row.word} cell={cell} onChange={(word) => set({ word })} /> },
          {
            field: 'replacement',
            label: c.replacement,
            control: (row, set, cell) => <CellText value={row.replacement} cell={cell} onChange={(replacement) => set({ replacement })} />,
          },
          {
            field: 'reason',
            label: c.reason,
            wide: true,
            control: (row, set, cell) => <CellText value={row.reason} cell={cell} onChange={(reason) => set({ reason })} />,
          },
        ]}
      />
    </Section>
  );
}

export function PressureSection({ draft, change, readOnly, problems }: SectionProps) {
  const { t } = useI18n();
  const e = t.charter.editor;
  const c = e.columns;
  return (
    <Section id="charter-pressure" title={e.sections.pressure} lead={e.sectionLeads.pressure}>
      <RowsEditor<PressureRow>
        path="pressure"
        caption={e.sections.pressure}
        rows={draft.pressure}
        readOnly={readOnly}
        problems={problems}
        onChange={(pressure) => change({ pressure })}
        addLabel={e.addRow.pressure}
        newRow={() => ({ key: rowKey(), phrase: '', severity: 'warning', suggestion: '' })}
        columns={[
          { field: 'phrase', label: c.phrase, control: (row, set, cell) => <CellText value={row.phrase} cell={cell} onChange={(phrase) => set({ phrase })} /> },
          {
            field: 'severity',
            label: c.severity,
            control: (row, set, cell) => (
              <select
                value={row.severity}
                aria-label={cell.label}
                disabled={cell.readOnly}
                className={`severity-select severity-select-${row.severity}`}
                onChange={(ev) => set({ severity: SEVERITIES.find((s) => s === ev.target.value) ?? row.severity })}
              >
                {SEVERITIES.map((s: Severity) => (
                  <option key={s} value={s}>
                    {t.charter.severities[s]}
                  </option>
                ))}
              </select>
            ),
          },
          {
            field: 'suggestion',
            label: c.suggestion,
            wide: true,
            control: (row, set, cell) => <CellText value={row.suggestion} cell={cell} onChange={(suggestion) => set({ suggestion })} />,
          },
        ]}
      />
    </Section>
  );
}

export function LimitsSection({ draft, change, readOnly, problems }: SectionProps) {
  const { t } = useI18n();
  const e = t.charter.editor;
  const id = useId();
  return (
    <Section id="charter-limits" title={e.sections.limits} lead={e.sectionLeads.limits}>
      <div className="limits-grid">
        {LIMIT_NAMES.map((name) => {
          const { min, max } = LIMIT_BOUNDS[name];
          const field = `limits.${name}`;
          const reason = problems.get(field);
          return (
            <div className="field" key={name}>
              <label htmlFor={`${id}-${name}`}>{e.limits[name]}</label>
              <input
                id={`${id}-${name}`}
                type="number"
                inputMode="numeric"
                min={min}
                max={max}
                step={1}
                value={draft.limits[name]}
                readOnly={readOnly}
                aria-invalid={reason !== undefined || undefined}
                aria-describedby={[`${id}-${name}-range`, reason !== undefined ? `${id}-${name}-problem` : ''].filter(Boolean).join(' ')}
                onChange={(ev) => change({ limits: { ...draft.limits, [name]: ev.target.value } })}
              />
              <small className="field-hint" id={`${id}-${name}-range`}>
                {e.range(String(min), String(max))}
              </small>
              {reason !== undefined && (
                <p className="field-problem" id={`${id}-${name}-problem`} data-field={field}>
                  {problemMessage(e, field, reason)}
                </p>
              )}
            </div>
          );
        })}
        <label className="field">
          <span>{e.limits.emoji}</span>
          <select
            value={draft.limits.emoji}
            disabled={readOnly}
            onChange={(ev) => change({ limits: { ...draft.limits, emoji: EMOJI.find((x) => x === ev.target.value) ?? draft.limits.emoji } })}
          >
            {EMOJI.map((x: Emoji) => (
              <option key={x} value={x}>
                {t.charter.emoji[x]}
              </option>
            ))}
          </select>
        </label>
      </div>
    </Section>
  );
}

export function ToneSection({ draft, change, readOnly }: SectionProps) {
  const { t } = useI18n();
  const e = t.charter.editor;
  return (
    <Section id="charter-tone" title={e.sections.tone} lead={e.sectionLeads.tone}>
      <div className="charter-grid charter-grid-2">
        <WordList label={e.greetings} words={draft.greetings} readOnly={readOnly} onChange={(greetings) => change({ greetings })} />
        <WordList label={e.signOffs} words={draft.signOffs} readOnly={readOnly} onChange={(signOffs) => change({ signOffs })} />
      </div>
    </Section>
  );
}

export function ClaimsSection({ draft, change, readOnly }: SectionProps) {
  const { t } = useI18n();
  const e = t.charter.editor;
  const id = useId();
  return (
    <Section id="charter-claims" title={e.sections.claims} lead={e.sectionLeads.claims}>
      <fieldset className="claims-packs">
        <legend className="visually-hidden">{e.sections.claims}</legend>
        {CLAIMS_PACKS.map((pack) => (
          <div key={pack} className="claims-pack">
            <label className="choice">
              <input
                type="checkbox"
                checked={draft.claimsPacks.includes(pack)}
                disabled={readOnly}
                aria-describedby={`${id}-${pack}`}
                onChange={(ev) => change({ claimsPacks: toggledPacks(draft.claimsPacks, pack, ev.target.checked) })}
              />
              <span className="claims-pack-name">{t.charter.claimsPacks[pack]}</span>
            </label>
            <p className="muted small claims-pack-note" id={`${id}-${pack}`}>
              {e.claimsExplanations[pack]}
            </p>
          </div>
        ))}
      </fieldset>
    </Section>
  );
}
